/**
 * The wasm Identity that shares data (workers/nn/kernels/identity.ts): a clone equals its source,
 * survives the source's disposal, frees the memory only when both are gone, and a training gradient
 * (which saves clones for the backward pass) equals the copying kernel's bit for bit.
 */
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerDeeperKernels } from '../../workers/nn/kernels/register';
import { setSharedIdentity } from '../../workers/nn/kernels/identity';

describe('wasm Identity with shared data', () => {
  registerDeeperKernels();
  it('a clone keeps its values after the source is disposed; memory is freed with the last', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const before = tf.memory().numBytes;
    const a = tf.tensor1d([1, 2, 3, 4.5]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4.5]);
    b.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });
  it('gradients through saved tensors equal the copying kernel bit for bit', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const grads = (shared: boolean) => {
      setSharedIdentity(shared);
      try {
        return tf.tidy(() => {
          const x = tf.randomUniform([4, 8, 8, 16], -1, 1, 'float32', 7) as tf.Tensor4D;
          const w = tf.randomUniform([3, 3, 16, 8], -1, 1, 'float32', 8) as tf.Tensor4D;
          const f = (x: tf.Tensor, w: tf.Tensor) => tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')).square().sum();
          return tf.grads(f as never)([x, w]).map((g) => Array.from(g.dataSync()));
        });
      } finally {
        setSharedIdentity(true);
      }
    };
    const copy = grads(false), shared = grads(true);
    expect(shared[0].length).toBe(4 * 8 * 8 * 16);
    expect(shared).toEqual(copy);
  });
});
