/**
 * Running reverse-correlation trials through a network: each trial is the target identity plus
 * that trial's noise, rendered at one view; the network's responses to it are recorded, and the
 * requested layers' activations are kept after spatial average pooling (so that 2,000 trials of a
 * 32×32×32 layer fit in memory; the hidden-layer analysis reduces them further by PCA).
 *
 * Layouts: per-trial responses [T]; layer features Float32Array [T][F] (trial-major), F ≤ maxFeatures,
 * pooled from [h][w][c] to [g][g][c] cells (channels last).
 */
import type { FaceModel } from '../faces/model';
import { type Identity, identityAlbedo, identityPositions } from '../faces';
import { addShapeNoise, addTextureNoise, type TrialNoise } from './noise';
import { argmaxRow, runBatched, softmaxRow, type LayerActivation, type Network } from './network';
import { renderOptionsFor, StimulusRenderer, type View } from './stimuli';

export interface LayerFeatures {
  /** [T][F] pooled activations. */
  data: Float32Array;
  features: number;
  /** The layer's activation shape per image (without the batch axis) and the pooled grid side. */
  shape: number[];
  grid: number;
}

export interface TrialRun {
  trials: number;
  /** The target class (the identity's index). */
  target: number;
  view: View;
  /** [T] the target's logit, its softmax probability, the predicted class, 1 if predicted = target. */
  logit: Float64Array;
  probability: Float64Array;
  predicted: Int32Array;
  decision: Int32Array;
  layers: Record<string, LayerFeatures>;
}

export const MAX_LAYER_FEATURES = 1024;

/** The pooled grid side g for a [h][w][c] layer: the largest g ≤ min(h, w) with g²·c ≤ maxFeatures (at least 1). */
export function poolGrid(shape: number[], maxFeatures = MAX_LAYER_FEATURES): number {
  if (shape.length !== 3) return 0;
  const [h, w, c] = shape;
  let g = Math.min(h, w);
  while (g > 1 && g * g * c > maxFeatures) g--;
  return g;
}

/** Average-pools image i of a [n][h][w][c] activation to [g][g][c] (or copies a flat one) into out. */
export function poolActivation(a: LayerActivation, i: number, g: number, out: Float32Array): void {
  const per = a.data.length / a.shape[0];
  const src = a.data.subarray(i * per, (i + 1) * per);
  if (g === 0) {
    out.set(src.subarray(0, out.length));
    return;
  }
  const [, h, w, c] = a.shape;
  out.fill(0);
  const counts = new Float32Array(g * g);
  for (let y = 0; y < h; y++) {
    const gy = Math.min(g - 1, Math.floor((y * g) / h));
    for (let x = 0; x < w; x++) {
      const gx = Math.min(g - 1, Math.floor((x * g) / w));
      const cell = gy * g + gx;
      counts[cell]++;
      const o = (y * w + x) * c;
      for (let ch = 0; ch < c; ch++) out[cell * c + ch] += src[o + ch];
    }
  }
  for (let cell = 0; cell < g * g; cell++) for (let ch = 0; ch < c; ch++) out[cell * c + ch] /= counts[cell];
}

/**
 * The stimulus of one reverse-correlation trial: the identity plus trial t's shape and texture
 * noise, rendered at the view into out ([S][S][3] linear RGB). runNoiseTrials renders the
 * network's trials with it and the analysis step the images shown to people (human-rc/<i>.png), so
 * both see the same pixels for the same noise trial.
 */
export class NoiseTrialRenderer {
  private readonly renderer: StimulusRenderer;
  private readonly options: ReturnType<typeof renderOptionsFor>;
  private readonly pos0: Float32Array;
  private readonly alb0: Float32Array;
  private readonly positions: Float32Array;
  private readonly albedo: Float32Array;

  constructor(private readonly model: FaceModel, identity: Identity, view: View) {
    this.renderer = new StimulusRenderer(model);
    this.options = renderOptionsFor(view);
    this.pos0 = identityPositions(model, identity);
    this.alb0 = identityAlbedo(model, identity);
    this.positions = new Float32Array(this.pos0.length);
    this.albedo = new Float32Array(this.alb0.length);
  }

  render(noise: TrialNoise, t: number, out: Float32Array): void {
    this.positions.set(this.pos0);
    this.albedo.set(this.alb0);
    addShapeNoise(this.model, noise, t, this.positions);
    addTextureNoise(this.model, noise, t, this.albedo);
    this.renderer.renderFace(this.positions, this.albedo, this.options, out);
  }
}

export async function runNoiseTrials(
  model: FaceModel, identity: Identity, noise: TrialNoise, net: Network, view: View,
  layers: string[], batchSize: number, onFraction: (f: number) => void = () => {},
): Promise<TrialRun> {
  const T = noise.spec.trials;
  const target = identity.index;
  if (!(target >= 0 && target < net.classCount)) throw new Error(`identity index ${target} is not a class of the network (0..${net.classCount - 1})`);
  if (view.sizePx !== net.inputSize) throw new Error(`view.sizePx ${view.sizePx} differs from the network's input size ${net.inputSize}`);
  for (const l of layers) if (!net.layerNames.includes(l)) throw new Error(`layer '${l}' is not probed by this network (${net.layerNames.join(', ')})`);
  const stimulus = new NoiseTrialRenderer(model, identity, view);
  const px = view.sizePx * view.sizePx * 3;
  const K = net.classCount;
  const run: TrialRun = {
    trials: T, target, view,
    logit: new Float64Array(T), probability: new Float64Array(T), predicted: new Int32Array(T), decision: new Int32Array(T),
    layers: {},
  };
  const probs = new Float64Array(K);
  await runBatched(net, T, batchSize, layers,
    (start, n, out) => {
      for (let i = 0; i < n; i++) stimulus.render(noise, start + i, out.subarray(i * px, (i + 1) * px));
    },
    (start, n, p) => {
      for (let i = 0; i < n; i++) {
        const t = start + i;
        softmaxRow(p.logits, i * K, K, probs);
        run.logit[t] = p.logits[i * K + target];
        run.probability[t] = probs[target];
        run.predicted[t] = argmaxRow(p.logits, i * K, K);
        run.decision[t] = run.predicted[t] === target ? 1 : 0;
      }
      for (const l of layers) {
        const a = p.activations[l];
        if (!a) throw new Error(`the network returned no activation for layer '${l}'`);
        let lf = run.layers[l];
        if (!lf) {
          const shape = a.shape.slice(1);
          const grid = poolGrid(shape);
          const features = grid === 0 ? shape.reduce((x, y) => x * y, 1) : grid * grid * shape[2];
          lf = run.layers[l] = { data: new Float32Array(T * features), features, shape, grid };
        }
        for (let i = 0; i < n; i++) poolActivation(a, i, lf.grid, lf.data.subarray((start + i) * lf.features, (start + i + 1) * lf.features));
      }
    },
    onFraction);
  return run;
}
