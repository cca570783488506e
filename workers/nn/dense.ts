/**
 * The dense layer's product for training, x·W, with its gradients from explicitly transposed
 * operands: dx = dy·transpose(W), dW = transpose(x)·dy. tfjs-backend-wasm 4.22's BatchMatMul with a
 * transpose flag (what tf.matMul's own gradient runs) is far slower than a transpose followed by a
 * plain product on XNNPACK (64 px, width 0.5, batch 64, 200 classes, 2026-12-01 14:05, load 1.0:
 * dy·Wᵀ 2.0–2.2 ms against 0.5, xᵀ·dy 3.1–3.5 ms against 0.3–0.4, on 1 and 2 threads).
 * Each gradient is one plain product whose sums run over one axis in one order, so the bits do not
 * depend on the thread count. setDenseTransposed(false) restores tf.matMul's own gradient.
 */
import * as tf from '@tensorflow/tfjs';

let TRANSPOSED = true;
export function setDenseTransposed(on: boolean): void { TRANSPOSED = on; }

export function denseMatMulTrain(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (!TRANSPOSED) return tf.matMul(x, w);
  // customGrad's type takes every argument as Tensor | GradSaveFunc; here: (x, w, save).
  const f = tf.customGrad<tf.Tensor2D>(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sa, sb] = saved as tf.Tensor2D[];
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, tf.transpose(sb)), tf.matMul(tf.transpose(sa), g)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad<tf.Tensor2D>>[0]);
  return f(x, w) as tf.Tensor2D;
}
