/**
 * Batched inference: logits, class probabilities and any named layer activations, in batches
 * sized to a memory budget, every intermediate tensor disposed. A ResNet-10 built here runs with
 * batch norm folded into its convolutions; any other LayersModel (an import) runs through
 * tf.layers, and may return the activations of any of its named layers.
 *
 * Layouts: images [n][S][S][3] (Uint8 0..255 or Float32 0..1); logits and probabilities
 * [n][classes]; each activation [n, ...layer shape] flattened row-major (channels last).
 */
import * as tf from '@tensorflow/tfjs';
import { currentBackend, type BackendInfo } from './backend';
import { describeResNet10, LAYER_NAMES, activationShape, type LayerName } from './resnet10';
import { resNetParams, foldBatchNorm, forwardInfer, type FoldedParams } from './forward';

export interface PredictOptions {
  /** Layer names whose activations to return (ResNet-10: conv1, block1..block4, pool, logits). */
  layers?: string[];
  /** Images per batch; default chosen from memoryBudgetBytes. */
  batchSize?: number;
  /** Bytes the activations of one batch may use; default 256 MiB. */
  memoryBudgetBytes?: number;
}

export interface Activation { shape: number[]; data: Float32Array }

export interface Prediction {
  count: number;
  numClasses: number;
  logits: Float32Array;
  probabilities: Float32Array;
  activations: Record<string, Activation>;
  batchSize: number;
  backend: BackendInfo | null;
}

const DEFAULT_BUDGET = 256 * 2 ** 20;

/** Images per batch such that the forward pass of one batch stays within the budget. */
export function batchSizeForBudget(model: tf.LayersModel, budgetBytes: number, layers: string[] = []): number {
  const d = describeResNet10(model);
  const S = (model.inputs[0].shape[1] as number) ?? 64;
  let floats: number;
  if (d) {
    const size = (l: LayerName) => activationShape(l, d.inputSize, d.widthMultiplier, d.numClasses).reduce((a, b) => a * b, 1);
    // Input, the stem (and its pool), three tensors alive per block, plus returned activations.
    floats = S * S * 3 + 2 * size('conv1') + 3 * (size('block1') + size('block2') + size('block3') + size('block4'));
    floats += layers.filter((l): l is LayerName => (LAYER_NAMES as readonly string[]).includes(l)).reduce((a, l) => a + size(l), 0);
  } else {
    floats = 64 * S * S * 3; // unknown architecture: a generous guess
  }
  return Math.max(1, Math.min(1024, Math.floor(budgetBytes / (4 * floats * 1.5))));
}

function toFloatBatch(images: Float32Array | Uint8Array, start: number, count: number, px: number): Float32Array {
  if (images instanceof Float32Array) return images.subarray(start * px, (start + count) * px);
  const out = new Float32Array(count * px);
  for (let i = 0; i < out.length; i++) out[i] = images[start * px + i] / 255;
  return out;
}

/** Reusable predictor: folds batch norm once. Dispose it (or call predict()) when weights change. */
export class Predictor {
  private folded: FoldedParams | null = null;
  /** Per requested layer list: a sub-model and where its outputs are (probabilities, logits, activations). */
  private submodels = new Map<string, { model: tf.LayersModel; probs: number; logits: number; acts: number[] }>();
  readonly inputSize: number;
  readonly numClasses: number;

  constructor(readonly model: tf.LayersModel) {
    this.inputSize = model.inputs[0].shape[1] as number;
    this.numClasses = model.outputs[0].shape[1] as number;
    if (describeResNet10(model)) this.folded = foldBatchNorm(resNetParams(model));
  }

  private runBatch(x: tf.Tensor4D, layers: string[]): { logits: tf.Tensor2D; acts: tf.Tensor[] } {
    if (this.folded) {
      const out = forwardInfer(this.folded, x, new Set(layers as LayerName[]));
      return { logits: out.logits, acts: layers.map((l) => (out as Record<string, tf.Tensor>)[l]) };
    }
    const key = layers.join(',');
    // An imported model's last layer may itself be named 'logits' (no softmax), and a probed layer
    // may be an output already: each symbolic tensor is requested once (tf.model rejects
    // duplicate outputs at predict time) and read back by index.
    const outLayer = this.model.layers[this.model.layers.length - 1]!;
    const outIsProbabilities = (outLayer.getConfig() as { activation?: string }).activation === 'softmax';
    const logitsLayer = this.model.layers.some((l) => l.name === 'logits') ? 'logits' : outIsProbabilities ? null : outLayer.name;
    let entry = this.submodels.get(key);
    if (!entry) {
      const outputs: tf.SymbolicTensor[] = [];
      const indexOf = (t: tf.SymbolicTensor) => {
        const i = outputs.indexOf(t);
        return i >= 0 ? i : outputs.push(t) - 1;
      };
      const probs = outIsProbabilities ? indexOf(this.model.outputs[0]!) : -1;
      const logitsIndex = logitsLayer ? indexOf(this.model.getLayer(logitsLayer).output as tf.SymbolicTensor) : -1;
      const acts = layers.map((l) => indexOf(this.model.getLayer(l).output as tf.SymbolicTensor));
      entry = { model: tf.model({ inputs: this.model.inputs, outputs }), probs, logits: logitsIndex, acts };
      this.submodels.set(key, entry);
    }
    const out = entry.model.predict(x);
    const all = Array.isArray(out) ? out : [out];
    // Without logits (a softmax output only), log-probabilities stand in (they differ by a per-image constant).
    const logits = entry.logits >= 0 ? all[entry.logits]! : tf.log(tf.add(all[entry.probs]!, 1e-30));
    const acts = entry.acts.map((i) => all[i]!);
    return { logits: logits as tf.Tensor2D, acts };
  }

  predict(images: Float32Array | Uint8Array, options: PredictOptions = {}): Prediction {
    const layers = options.layers ?? [];
    const S = this.inputSize, px = S * S * 3;
    if (images.length % px !== 0) throw new Error(`images: length ${images.length} is not a multiple of ${S}×${S}×3`);
    const names = new Set(this.model.layers.map((l) => l.name));
    for (const l of layers) {
      if (!names.has(l)) throw new Error(`layers: '${l}' is not a layer of this model (ResNet-10 layers: ${LAYER_NAMES.join(', ')})`);
    }
    const count = images.length / px, K = this.numClasses;
    const batchSize = options.batchSize ?? batchSizeForBudget(this.model, options.memoryBudgetBytes ?? DEFAULT_BUDGET, layers);
    const logits = new Float32Array(count * K), probabilities = new Float32Array(count * K);
    const activations: Record<string, Activation> = {};
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const result = tf.tidy(() => {
        const x = tf.tensor4d(toFloatBatch(images, start, n, px), [n, S, S, 3]);
        const { logits: z, acts } = this.runBatch(x, layers);
        return { z, p: tf.softmax(z), acts };
      });
      logits.set(result.z.dataSync(), start * K);
      probabilities.set(result.p.dataSync(), start * K);
      result.acts.forEach((t, i) => {
        const name = layers[i];
        if (!activations[name]) {
          const per = t.size / n;
          activations[name] = { shape: [count, ...t.shape.slice(1)], data: new Float32Array(count * per) };
        }
        activations[name].data.set(t.dataSync(), start * (t.size / n));
      });
      tf.dispose([result.z, result.p, ...result.acts]);
    }
    return { count, numClasses: K, logits, probabilities, activations, batchSize, backend: currentBackend() };
  }

  dispose(): void {
    this.folded?.dispose();
    this.folded = null;
    this.submodels.clear();
  }
}

/** One-off prediction (folds batch norm for this call only). */
export function predict(model: tf.LayersModel, images: Float32Array | Uint8Array, options: PredictOptions = {}): Prediction {
  const p = new Predictor(model);
  try {
    return p.predict(images, options);
  } finally {
    p.dispose();
  }
}
