/**
 * The baseline observer of the generalisation test: pixel-space PCA followed by a linear
 * (multinomial logistic) classifier, trained on images of the learned identities rendered like the
 * network's training set. Put through the same test as the network, it shows how much of a
 * shape/texture asymmetry the images themselves carry (an observer with no learned features).
 *
 *   x ∈ R^{size²·3} (display RGB in [0, 1]); z = Uᵀ(x − μ) / s, U the top-k principal directions
 *   of the training images (from the n × n Gram matrix, Jacobi eigendecomposition; k ≤ n − 1),
 *   s the per-component sd; logits = W z + b, W fitted by gradient descent on the cross-entropy
 *   with an L2 penalty λ‖W‖².
 *
 * It implements the analyses' Network interface (no layers), so generalisation.ts runs it unchanged.
 * Layouts: images Float32Array [n][size][size][3]; U Float64Array [k][D]; W Float64Array [K][k].
 */
import { Rng } from '../info';
import type { Identity } from '../faces';
import type { FaceModel } from '../faces/model';
import { jacobiEigen } from './pca';
import type { Network, Prediction } from './network';
import { renderOptionsFor, StimulusRenderer } from './stimuli';

export interface BaselineOptions {
  /** PCA components kept (default 40, at most n − 1). */
  components: number;
  /** L2 penalty λ (default 1e-3). */
  ridge: number;
  /** Gradient-descent iterations and step (default 400, 0.5). */
  iterations: number;
  step: number;
}

export class BaselineObserver implements Network {
  readonly layerNames: string[] = [];
  constructor(
    readonly inputSize: number, readonly classCount: number,
    private readonly mean: Float64Array, private readonly basis: Float64Array, private readonly sd: Float64Array,
    private readonly weights: Float64Array, private readonly bias: Float64Array,
  ) {}

  get components(): number { return this.sd.length; }

  /** The same observer over `K` ≥ classCount classes: the extra classes get logit −∞ (probability 0). */
  withClassCount(K: number): BaselineObserver {
    const k = this.components;
    const W = new Float64Array(K * k), bias = new Float64Array(K).fill(-Infinity);
    W.set(this.weights);
    bias.set(this.bias);
    return new BaselineObserver(this.inputSize, K, this.mean, this.basis, this.sd, W, bias);
  }

  describe(): Record<string, unknown> {
    return { kind: 'baseline-observer', method: 'pixel PCA + multinomial logistic regression', components: this.components, classes: this.classCount };
  }

  /** z [k] of one image x [D]. */
  project(x: Float32Array, z: Float64Array): void {
    const D = this.mean.length;
    for (let j = 0; j < this.components; j++) {
      let s = 0;
      const u = this.basis.subarray(j * D, (j + 1) * D);
      for (let d = 0; d < D; d++) s += u[d] * (x[d] - this.mean[d]);
      z[j] = s / this.sd[j];
    }
  }

  async predict(images: Float32Array, n: number): Promise<Prediction> {
    const D = this.mean.length, k = this.components, K = this.classCount;
    const logits = new Float32Array(n * K);
    const z = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      this.project(images.subarray(i * D, (i + 1) * D), z);
      for (let c = 0; c < K; c++) {
        let s = this.bias[c];
        for (let j = 0; j < k; j++) s += this.weights[c * k + j] * z[j];
        logits[i * K + c] = s;
      }
    }
    return { logits, activations: {} };
  }
}

/** Fits the baseline on images [n][D] with labels 0..K−1. */
export function trainBaselineObserver(images: Float32Array, labels: Int32Array, classCount: number, sizePx: number, options: Partial<BaselineOptions> = {}): BaselineObserver {
  const o: BaselineOptions = { components: 40, ridge: 1e-3, iterations: 400, step: 0.5, ...options };
  const n = labels.length, D = sizePx * sizePx * 3, K = classCount;
  if (images.length !== n * D) throw new Error(`baseline: images hold ${images.length} values, expected ${n}×${D}`);
  const mean = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) mean[d] += images[i * D + d] / n;
  // Gram matrix of the centred images (n × n)
  const xc = new Float64Array(n * D);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) xc[i * D + d] = images[i * D + d] - mean[d];
  const gram = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = a; b < n; b++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += xc[a * D + d] * xc[b * D + d];
    gram[a * n + b] = gram[b * n + a] = s;
  }
  const { values, vectors } = jacobiEigen(gram, n);
  const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a]);
  const top = order.filter((i) => values[i] > 1e-9 * values[order[0]]).slice(0, Math.min(o.components, n - 1));
  const k = top.length;
  // principal directions u_j = Xcᵀ v_j / √λ_j; scores z = Xc u_j (= √λ_j v_j)
  const basis = new Float64Array(k * D);
  top.forEach((e, j) => {
    const inv = 1 / Math.sqrt(values[e]);
    for (let i = 0; i < n; i++) {
      const v = vectors[i * n + e] * inv;
      if (v === 0) continue;
      for (let d = 0; d < D; d++) basis[j * D + d] += v * xc[i * D + d];
    }
  });
  const sd = Float64Array.from(top, (e) => Math.sqrt(values[e] / Math.max(1, n - 1)));
  const z = new Float64Array(n * k);
  top.forEach((e, j) => { for (let i = 0; i < n; i++) z[i * k + j] = (vectors[i * n + e] * Math.sqrt(values[e])) / sd[j]; });
  // multinomial logistic regression by full-batch gradient descent
  const W = new Float64Array(K * k), bias = new Float64Array(K);
  const gW = new Float64Array(K * k), gb = new Float64Array(K), p = new Float64Array(K);
  const rng = new Rng(7);
  for (let i = 0; i < W.length; i++) W[i] = 0.01 * rng.normal();
  for (let it = 0; it < o.iterations; it++) {
    gW.fill(0); gb.fill(0);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < K; c++) {
        let s = bias[c];
        for (let j = 0; j < k; j++) s += W[c * k + j] * z[i * k + j];
        p[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < K; c++) { p[c] = Math.exp(p[c] - max); sum += p[c]; }
      for (let c = 0; c < K; c++) {
        const g = p[c] / sum - (labels[i] === c ? 1 : 0);
        gb[c] += g / n;
        for (let j = 0; j < k; j++) gW[c * k + j] += (g * z[i * k + j]) / n;
      }
    }
    for (let c = 0; c < K; c++) {
      bias[c] -= o.step * gb[c];
      for (let j = 0; j < k; j++) W[c * k + j] -= o.step * (gW[c * k + j] + 2 * o.ridge * W[c * k + j]);
    }
  }
  return new BaselineObserver(sizePx, K, mean, basis, sd, W, bias);
}

/**
 * Training images for the baseline: `perIdentity` renders of each learned identity with the
 * dataset's extrinsic ranges (yaw, pitch uniform in the given ranges, degrees), seeded.
 */
export function renderBaselineTrainingSet(
  model: FaceModel, identities: Identity[], classes: number, sizePx: number,
  { perIdentity = 20, yawDeg = [-30, 30] as [number, number], pitchDeg = [-15, 15] as [number, number], seed = 1 } = {},
): { images: Float32Array; labels: Int32Array } {
  const renderer = new StimulusRenderer(model);
  const n = classes * perIdentity, D = sizePx * sizePx * 3;
  const images = new Float32Array(n * D), labels = new Int32Array(n);
  const rng = new Rng(seed);
  for (let c = 0; c < classes; c++) for (let r = 0; r < perIdentity; r++) {
    const i = c * perIdentity + r;
    const yaw = yawDeg[0] + (yawDeg[1] - yawDeg[0]) * rng.uniform();
    const pitch = pitchDeg[0] + (pitchDeg[1] - pitchDeg[0]) * rng.uniform();
    renderer.renderIdentity(identities[c], renderOptionsFor({ sizePx, yawDeg: yaw, pitchDeg: pitch }), images.subarray(i * D, (i + 1) * D));
    labels[i] = c;
  }
  return { images, labels };
}

/** The baseline observer of a network's learned identities (classes 0..min(N, K)−1), trained on fresh renders. */
export function baselineFor(model: FaceModel, identities: Identity[], net: Network, seed = 1, perIdentity = 20): BaselineObserver {
  const classes = Math.min(identities.length, net.classCount);
  const { images, labels } = renderBaselineTrainingSet(model, identities, classes, net.inputSize, { perIdentity, seed });
  const b = trainBaselineObserver(images, labels, classes, net.inputSize);
  // the test indexes the network's classes: pad to classCount with classes it never predicts
  return classes === net.classCount ? b : b.withClassCount(net.classCount);
}
