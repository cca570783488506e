/**
 * The network as the analyses see it: a batched predict function with named layers. The nn engine
 * (workers/nn) and imported LayersModels are wrapped into this shape by workers/analyses/nn-adapter.ts;
 * oracles (fixed functions of the stimulus) implement it directly.
 *
 * Layouts: images Float32Array [n][size][size][3] RGB in [0, 1]; logits [n][classes];
 * activations[layer] = { shape: [n, ...layer shape], data } (channels last, row-major).
 */
import type { LogitFunction } from './attributions';

export interface LayerActivation {
  shape: number[];
  data: Float32Array;
}

export interface Prediction {
  logits: Float32Array;
  activations: Record<string, LayerActivation>;
}

export interface Network {
  /** Input image side in pixels (square images). */
  inputSize: number;
  classCount: number;
  /** Names of the layers whose activations predict can return, shallow to deep (e.g. conv1, block1..4, pool). */
  layerNames: string[];
  predict(images: Float32Array, n: number, layers: string[]): Promise<Prediction>;
  /** A description stored with every result: backend, weights file, etc. */
  describe(): Record<string, unknown>;
  /**
   * The target class's pre-softmax logit as a differentiable tfjs function (attributions.ts), when
   * the network is a tfjs model; absent for oracles (fixed functions): no attribution maps then.
   */
  targetLogit?(target: number): LogitFunction;
}

/** Softmax of one row of logits (numerically stable), into `out`. */
export function softmaxRow(logits: Float32Array, offset: number, classes: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[offset + c]);
  let s = 0;
  for (let c = 0; c < classes; c++) {
    out[c] = Math.exp(logits[offset + c] - max);
    s += out[c];
  }
  for (let c = 0; c < classes; c++) out[c] /= s;
}

export function argmaxRow(logits: Float32Array, offset: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (logits[offset + c] > logits[offset + best]) best = c;
  return best;
}

/**
 * Runs `count` stimuli through the network in batches. `renderBatch(start, n, out)` fills
 * out [n][size][size][3]; `consume(start, n, prediction)` receives each batch's outputs (so that
 * callers keep only what they need: a logit, a decision, a PCA-reduced layer).
 */
export async function runBatched(
  net: Network,
  count: number,
  batchSize: number,
  layers: string[],
  renderBatch: (start: number, n: number, out: Float32Array) => void,
  consume: (start: number, n: number, p: Prediction) => void,
  onFraction: (f: number) => void = () => {},
): Promise<void> {
  if (!(batchSize >= 1)) throw new Error(`batchSize must be ≥ 1, got ${batchSize}`);
  const px = net.inputSize * net.inputSize * 3;
  const buf = new Float32Array(Math.min(batchSize, count) * px);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = buf.subarray(0, n * px);
    renderBatch(start, n, images);
    consume(start, n, await net.predict(images, n, layers));
    onFraction((start + n) / count);
  }
}
