/**
 * Shared numerics of the tests/nn kernel tests: a seeded LCG array in [−0.5, 0.5), the largest
 * absolute error relative to the reference's largest magnitude, and running ops on a named backend.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

export function rand(shape: number[], seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

export function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / Math.max(den, 1e-12);
}

export async function on(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const out = tf.tidy(f);
  const vals = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  return vals;
}
