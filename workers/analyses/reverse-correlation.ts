/**
 * 2. Reverse correlation (Xu et al. 2018): T trials of Gaussian noise on a target identity's shape
 * and texture, rendered at one view and passed through the network. Responses: the target's logit
 * (continuous) and the decision (correct or not). Per vertex, GCMI between the vertex's 3D
 * displacement (shape) or albedo change (texture: all bands, and each spatial-frequency band) and
 * each response, with the permutation maximum-statistic FWER threshold (TFCE optional); per noise
 * component, the MI between its coefficient and each response.
 */
import type { FaceModel } from '../faces/model';
import type { Identity } from '../faces/identity';
import { gcmiMapCC, gcmiMapCD } from '../info';
import { informationMaps, type FweMap, type MapFeatures, type Response } from './maps';
import { drawNoise, isCoefficients, noiseFeatures, type NoiseBasis, type NoiseDesign, type TrialNoise } from './noise';
import { surfaceTfce } from './oracle';
import type { BubbleOptions } from './bases/bubbles';
import type { Network } from './network';
import { Stages, type OnProgress } from './analysis-stages';
import { runNoiseTrials, type TrialRun } from './trials';
import { mapPValues, responseBins, responseLabel, vertexScalarFeature, vertexSummary, type VertexSummary } from './vertex-summary';

export interface ReverseCorrelationOptions {
  /** Index of the target identity in `identities` (= its class). */
  identity: number;
  trials: number;
  /** Noise sds (noise.ts: component-sd units for 'components', mm / albedo for 'vertex'). */
  shapeNoiseSd: number;
  textureNoiseSd: number;
  basis: NoiseBasis;
  /** bubbles basis: σ (mm) and density (default DEFAULT_BUBBLES). */
  bubbles?: BubbleOptions;
  /** coefficients basis: the noise design (noise.ts NoiseDesign; default DEFAULT_NOISE_DESIGN). */
  design?: NoiseDesign;
  seed: number;
  yawDeg: number;
  permutations: number;
  alpha: number;
  tfce: boolean;
  /** Per-band texture maps (components basis). */
  bands: boolean;
  batchSize: number;
  threads: number;
  /** Layers whose pooled activations to keep for the hidden-layer analysis (none by default). */
  layers: string[];
  /** Compute the per-vertex maps (false: only the trials, e.g. for the hidden-layer analysis alone). */
  maps: boolean;
}

export const REVERSE_CORRELATION_DEFAULTS: Omit<ReverseCorrelationOptions, 'identity'> = {
  trials: 2000, shapeNoiseSd: 0.5, textureNoiseSd: 0.5, basis: 'components', seed: 1, yawDeg: 0,
  permutations: 1000, alpha: 0.05, tfce: false, bands: true, batchSize: 64, threads: 1, layers: [], maps: true,
};

export interface NamedMap {
  /** e.g. 'shape.logit', 'texture:low.decision'. */
  name: string;
  feature: string;
  response: 'logit' | 'decision';
  map: FweMap;
  /** Per-vertex FWER p-values and the binned response summary (vertex-summary.ts). */
  summary?: VertexSummary;
}

export interface ReverseCorrelationResult {
  options: ReverseCorrelationOptions;
  identity: number;
  run: TrialRun;
  noise: TrialNoise;
  accuracy: number;
  maps: NamedMap[];
  /** [2][Ks + Kt] bits: MI between each noise coefficient and (logit, decision); empty for vertex noise. */
  componentMi: Float32Array;
  shapeComponents: number;
  textureComponents: number;
  /** [T][4]: logit, probability, decision, predicted class. */
  trialTable: Float32Array;
  /** Notes, e.g. why a map is missing (a constant decision). */
  notes: string[];
}

export function withDefaults(opts: Partial<ReverseCorrelationOptions> & { identity: number }): ReverseCorrelationOptions {
  const o = { ...REVERSE_CORRELATION_DEFAULTS, ...opts };
  if (!(Number.isInteger(o.permutations) && o.permutations >= 0)) throw new Error(`permutations must be an integer ≥ 0, got ${o.permutations}`);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new Error(`batchSize must be an integer ≥ 1, got ${o.batchSize}`);
  return o;
}

/** The responses of a run as map responses; null for a decision that never (or always) is correct. */
export function responsesOf(run: TrialRun): { logit: Response; decision: Response | null } {
  let correct = 0;
  for (let t = 0; t < run.trials; t++) correct += run.decision[t];
  const decision: Response | null = correct >= 10 && run.trials - correct >= 10 ? { kind: 'discrete', y: run.decision, classes: 2 } : null;
  return { logit: { kind: 'continuous', y: run.logit }, decision };
}

/** MI (bits) between each noise coefficient (rows of a [K][T] array) and a response. */
export function componentInformation(coefficients: Float32Array, trials: number, response: Response): Float64Array {
  const K = coefficients.length / trials;
  const x = Float64Array.from(coefficients);
  return response.kind === 'continuous' ? gcmiMapCC(x, K, 1, trials, response.y) : gcmiMapCD(x, K, 1, trials, response.y, response.classes);
}

export async function reverseCorrelation(
  model: FaceModel, identities: Identity[], net: Network, options: Partial<ReverseCorrelationOptions> & { identity: number }, onProgress?: OnProgress,
): Promise<ReverseCorrelationResult> {
  const o = withDefaults(options);
  const id = identities[o.identity];
  if (!id) throw new Error(`identity must be an index in [0, ${identities.length - 1}], got ${o.identity}`);
  const bandCount = o.bands && isCoefficients(o.basis) ? model.textureBandNames.length : 0;
  const stages = new Stages({ trials: 3, maps: 2 + bandCount, components: 0.1 }, onProgress);
  const noise = drawNoise(model, { basis: o.basis, trials: o.trials, shapeSd: o.shapeNoiseSd, textureSd: o.textureNoiseSd, seed: o.seed, bubbles: o.bubbles, design: o.design });
  const view = { sizePx: net.inputSize, yawDeg: o.yawDeg };
  const run = await runNoiseTrials(model, id, noise, net, view, o.layers, o.batchSize, stages.sub('trials'));
  const { logit, decision } = responsesOf(run);
  const notes: string[] = [];
  if (!decision) notes.push(`decision maps skipped: the decision is (almost) constant (${run.decision.reduce((a, b) => a + b, 0)} of ${run.trials} correct)`);

  const features: { feature: string; kind: 'shape' | 'texture'; band?: number; f: MapFeatures }[] = [];
  if (o.shapeNoiseSd > 0) features.push({ feature: 'shape', kind: 'shape', f: noiseFeatures(model, noise, 'shape') });
  if (o.textureNoiseSd > 0) {
    features.push({ feature: 'texture', kind: 'texture', f: noiseFeatures(model, noise, 'texture') });
    for (let b = 0; b < bandCount; b++) features.push({ feature: `texture:${model.textureBandNames[b]}`, kind: 'texture', band: b, f: noiseFeatures(model, noise, 'texture', b) });
  }
  const maps: NamedMap[] = [];
  const tfce = o.tfce ? surfaceTfce(model) : null; // E = 1, H = 2, area-weighted (issue 12)
  const mapOpts = { permutations: o.permutations, alpha: o.alpha, seed: o.seed ^ 0x2c0, tfce, threads: o.threads };
  const responses = decision ? [['logit', logit], ['decision', decision]] as const : [['logit', logit]] as const;
  let done = 0;
  for (const { feature, kind, band, f } of o.maps ? features : []) {
    const fmaps = await informationMaps(f, responses.map(([, r]) => r), mapOpts, (x) => stages.report('maps', (done + x) / features.length));
    // what each vertex's information is about: mean response in quantile bins of its feature, and its p-value
    const bins = responseBins(vertexScalarFeature(model, noise, kind, band), model.vertexCount, o.trials, responses.map(([response, r]) => ({ label: responseLabel(response), y: r.y })));
    responses.forEach(([response], i) => maps.push({ name: `${feature}.${response}`, feature, response, map: fmaps[i], summary: vertexSummary(mapPValues(fmaps[i], f.skip), bins, i) }));
    done++;
  }

  const Ks = isCoefficients(o.basis) ? model.shapeSd.length : 0;
  const Kt = isCoefficients(o.basis) ? model.textureSd.length : 0;
  const componentMi = new Float32Array(2 * (Ks + Kt));
  if (isCoefficients(o.basis)) {
    for (const [row, r] of [[0, logit], [1, decision]] as const) {
      if (!r) { componentMi.fill(NaN, row * (Ks + Kt), (row + 1) * (Ks + Kt)); continue; }
      if (o.shapeNoiseSd > 0) componentMi.set(componentInformation(noise.shape, o.trials, r), row * (Ks + Kt));
      if (o.textureNoiseSd > 0) componentMi.set(componentInformation(noise.texture, o.trials, r), row * (Ks + Kt) + Ks);
    }
  }
  stages.report('components', 1);

  const trialTable = new Float32Array(o.trials * 4);
  for (let t = 0; t < o.trials; t++) {
    trialTable.set([run.logit[t], run.probability[t], run.decision[t], run.predicted[t]], t * 4);
  }
  const accuracy = run.decision.reduce((a, b) => a + b, 0) / o.trials;
  return { options: o, identity: o.identity, run, noise, accuracy, maps, componentMi, shapeComponents: Ks, textureComponents: Kt, trialTable, notes };
}
