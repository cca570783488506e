/**
 * Gradient attributions of the network's target logit in image space: what each pixel contributes
 * to f(x) = the target class's pre-softmax score.
 *
 * - gradient × input (Simonyan et al. 2014; Shrikumar et al. 2017):  A_i = x_i · ∂f/∂x_i (x)
 * - integrated gradients (Sundararajan, Taly, Yan 2017):
 *     A_i = (x_i − x'_i) · ∫₀¹ ∂f/∂x_i (x' + α(x − x')) dα,
 *   the path integral estimated on m + 1 equally spaced α_k = k/m by the trapezoid rule
 *   (weights ½, 1, …, 1, ½ over m), or the right Riemann sum (α_k = k/m, k = 1..m, weights 1/m);
 *   baseline x' = black (zeros) or the mean stimulus. Completeness: Σ_i A_i = f(x) − f(x'), up to
 *   the quadrature error (exact for a linear f).
 * - occlusion (Zeiler & Fergus 2014): a p×p patch moved with stride s is set to the baseline; the
 *   drop of the logit Δ(patch) = f(x) − f(x with the patch occluded); a pixel's attribution is the
 *   mean Δ of the patches that cover it. The last row/column of patches sits flush with the image
 *   edge, so every pixel is covered.
 *
 * Per-pixel maps sum the three colour channels (which keeps completeness). Layouts: images
 * Float32Array [n][S][S][3] (the renderer's RGB in [0, 1]); per-channel attributions the same;
 * per-pixel maps [n][S][S]; the occlusion patch grid [n][gy][gx].
 */
import * as tf from '@tensorflow/tfjs';

/** The explained scalar per image: images [n, S, S, 3] → [n] (the target's logit). */
export type LogitFunction = (images: tf.Tensor4D) => tf.Tensor1D;

/**
 * The target class's pre-softmax logit of a LayersModel: its layer named 'logits' (ResNet-10 and
 * Deeper-saved models), else the model's output (which must then be a score, not a softmax).
 */
export function targetLogit(model: tf.LayersModel, target: number): LogitFunction {
  const classes = model.outputs[0].shape[1] as number;
  if (!(Number.isInteger(target) && target >= 0 && target < classes)) throw new Error(`target must be a class index in [0, ${classes - 1}], got ${target}`);
  const hasLogits = model.layers.some((l) => l.name === 'logits');
  const scores = hasLogits ? tf.model({ inputs: model.inputs, outputs: model.getLayer('logits').output as tf.SymbolicTensor }) : model;
  return (x) => {
    const z = scores.apply(x, { training: false }) as tf.Tensor2D;
    return tf.squeeze(tf.slice(z, [0, target], [-1, 1]), [1]) as tf.Tensor1D;
  };
}

function imageCount(images: Float32Array, size: number): number {
  const px = size * size * 3;
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`size must be an integer ≥ 1 (pixels), got ${size}`);
  if (images.length === 0 || images.length % px !== 0) throw new Error(`images: length ${images.length} is not a positive multiple of ${size}×${size}×3`);
  return images.length / px;
}

/** f(x) and ∂f/∂x for a batch: logit [n], gradient [n][S][S][3]. */
export function logitGradient(f: LogitFunction, images: Float32Array, size: number): { logit: Float32Array; gradient: Float32Array } {
  const n = imageCount(images, size);
  const { value, grad } = tf.tidy(() => {
    const x = tf.tensor4d(images, [n, size, size, 3]);
    const g = tf.valueAndGrad((t: tf.Tensor) => tf.sum(f(t as tf.Tensor4D)));
    // Σ_j f(x_j): the images are independent, so its gradient wrt x_j is ∂f(x_j)/∂x_j.
    return { value: f(x), grad: g(x).grad };
  });
  const logit = value.dataSync() as Float32Array;
  const gradient = grad.dataSync() as Float32Array;
  tf.dispose([value, grad]);
  return { logit: Float32Array.from(logit), gradient: Float32Array.from(gradient) };
}

/** f(x) for a batch (no gradient). */
export function logitValues(f: LogitFunction, images: Float32Array, size: number): Float32Array {
  const n = imageCount(images, size);
  const y = tf.tidy(() => f(tf.tensor4d(images, [n, size, size, 3])));
  const out = Float32Array.from(y.dataSync() as Float32Array);
  y.dispose();
  return out;
}

/** Sums the channels of a per-channel map [n][S][S][3] into a per-pixel map [n][S][S]. */
export function sumChannels(perChannel: Float32Array): Float32Array {
  const out = new Float32Array(perChannel.length / 3);
  for (let p = 0; p < out.length; p++) out[p] = perChannel[p * 3] + perChannel[p * 3 + 1] + perChannel[p * 3 + 2];
  return out;
}

/** Gradient × input, per channel [n][S][S][3]. */
export function gradientTimesInput(f: LogitFunction, images: Float32Array, size: number): Float32Array {
  const { gradient } = logitGradient(f, images, size);
  const out = new Float32Array(images.length);
  for (let i = 0; i < out.length; i++) out[i] = gradient[i] * images[i];
  return out;
}

export type QuadratureRule = 'trapezoid' | 'riemann-right';

export interface IntegratedGradientsOptions {
  /** m: the path is split into m intervals (m + 1 gradient evaluations for the trapezoid rule). */
  steps: number;
  rule: QuadratureRule;
  /** x': one image [S][S][3], used for every image of the batch (black = zeros). */
  baseline: Float32Array;
}

export const INTEGRATED_GRADIENTS_DEFAULTS = { steps: 32, rule: 'trapezoid' as QuadratureRule };

export interface IntegratedGradients {
  /** [n][S][S][3] A_i. */
  attribution: Float32Array;
  /** [n] f(x) and f(x'); completeness says Σ_i A_i ≈ f(x) − f(x'). */
  logit: Float32Array;
  baselineLogit: number;
  /** [n] |Σ_i A_i − (f(x) − f(x'))| / max(|f(x) − f(x')|, 1e-6): the quadrature error. */
  completenessError: Float32Array;
}

/** The quadrature points α_k and weights w_k (Σ w_k = 1) of the path integral. */
export function pathQuadrature(steps: number, rule: QuadratureRule): { alpha: number[]; weight: number[] } {
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= 1024)) throw new Error(`steps must be an integer in [1, 1024], got ${steps}`);
  if (rule === 'riemann-right') return { alpha: Array.from({ length: steps }, (_, k) => (k + 1) / steps), weight: Array(steps).fill(1 / steps) };
  if (rule !== 'trapezoid') throw new Error(`rule must be 'trapezoid' or 'riemann-right', got '${rule}'`);
  const alpha = Array.from({ length: steps + 1 }, (_, k) => k / steps);
  const weight = alpha.map((_, k) => (k === 0 || k === steps ? 0.5 : 1) / steps);
  return { alpha, weight };
}

export function integratedGradients(f: LogitFunction, images: Float32Array, size: number, opts: IntegratedGradientsOptions): IntegratedGradients {
  const n = imageCount(images, size);
  const px = size * size * 3;
  if (opts.baseline.length !== px) throw new Error(`baseline: length ${opts.baseline.length}, expected one image of ${size}×${size}×3 = ${px}`);
  const { alpha, weight } = pathQuadrature(opts.steps, opts.rule);
  const avgGrad = new Float64Array(images.length);
  const path = new Float32Array(images.length);
  for (let k = 0; k < alpha.length; k++) {
    for (let i = 0; i < images.length; i++) {
      const b = opts.baseline[i % px];
      path[i] = b + alpha[k] * (images[i] - b);
    }
    const { gradient } = logitGradient(f, path, size);
    for (let i = 0; i < images.length; i++) avgGrad[i] += weight[k] * gradient[i];
  }
  const attribution = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) attribution[i] = (images[i] - opts.baseline[i % px]) * avgGrad[i];
  const logit = logitValues(f, images, size);
  const baselineLogit = logitValues(f, opts.baseline, size)[0];
  const completenessError = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = j * px; i < (j + 1) * px; i++) s += attribution[i];
    const delta = logit[j] - baselineLogit;
    completenessError[j] = Math.abs(s - delta) / Math.max(Math.abs(delta), 1e-6);
  }
  return { attribution, logit, baselineLogit, completenessError };
}

export interface OcclusionOptions {
  /** Patch side p (pixels). */
  patch: number;
  /** Stride s between patch positions (pixels). */
  stride: number;
  /** The occluder: one image [S][S][3] whose pixels replace the patch (black = zeros). */
  baseline: Float32Array;
  /** Occluded images per forward pass. */
  batchSize?: number;
}

export interface Occlusion {
  /** Patch top-left offsets along one axis (the same for rows and columns). */
  offsets: number[];
  /** [n][gy][gx] Δ = f(x) − f(x occluded at that patch). */
  drop: Float32Array;
  /** [n][S][S] mean Δ of the patches covering each pixel. */
  pixel: Float32Array;
}

/** Patch offsets 0, s, 2s, … and a last one at S − p so that the patches cover every pixel. */
export function patchOffsets(size: number, patch: number, stride: number): number[] {
  if (!(Number.isInteger(patch) && patch >= 1 && patch <= size)) throw new Error(`patch must be an integer in [1, ${size}] (pixels), got ${patch}`);
  if (!(Number.isInteger(stride) && stride >= 1 && stride <= patch)) throw new Error(`stride must be an integer in [1, patch = ${patch}] (pixels), got ${stride}`);
  const out: number[] = [];
  for (let o = 0; o + patch <= size; o += stride) out.push(o);
  if (out[out.length - 1] !== size - patch) out.push(size - patch);
  return out;
}

export function occlusion(f: LogitFunction, images: Float32Array, size: number, opts: OcclusionOptions): Occlusion {
  const n = imageCount(images, size);
  const px = size * size * 3;
  if (opts.baseline.length !== px) throw new Error(`baseline: length ${opts.baseline.length}, expected one image of ${size}×${size}×3 = ${px}`);
  const offsets = patchOffsets(size, opts.patch, opts.stride);
  const G = offsets.length;
  const p = opts.patch;
  const base = logitValues(f, images, size);
  const drop = new Float32Array(n * G * G);
  const batch = Math.max(1, opts.batchSize ?? 64);
  const buf = new Float32Array(batch * px);
  const jobs = n * G * G;
  for (let j0 = 0; j0 < jobs; j0 += batch) {
    const m = Math.min(batch, jobs - j0);
    for (let q = 0; q < m; q++) {
      const job = j0 + q;
      const img = Math.floor(job / (G * G)), cell = job % (G * G);
      const y0 = offsets[Math.floor(cell / G)], x0 = offsets[cell % G];
      const out = buf.subarray(q * px, (q + 1) * px);
      out.set(images.subarray(img * px, (img + 1) * px));
      for (let y = y0; y < y0 + p; y++) {
        const o = (y * size + x0) * 3;
        out.set(opts.baseline.subarray(o, o + p * 3), o);
      }
    }
    const y = logitValues(f, buf.subarray(0, m * px), size);
    for (let q = 0; q < m; q++) drop[j0 + q] = base[Math.floor((j0 + q) / (G * G))] - y[q];
  }
  const pixel = new Float32Array(n * size * size);
  const count = new Float32Array(size * size);
  for (const y0 of offsets) for (const x0 of offsets) for (let y = y0; y < y0 + p; y++) for (let x = x0; x < x0 + p; x++) count[y * size + x]++;
  for (let img = 0; img < n; img++) {
    const acc = pixel.subarray(img * size * size, (img + 1) * size * size);
    offsets.forEach((y0, gy) => offsets.forEach((x0, gx) => {
      const d = drop[(img * G + gy) * G + gx];
      for (let y = y0; y < y0 + p; y++) for (let x = x0; x < x0 + p; x++) acc[y * size + x] += d;
    }));
    for (let q = 0; q < acc.length; q++) acc[q] /= count[q];
  }
  return { offsets, drop, pixel };
}
