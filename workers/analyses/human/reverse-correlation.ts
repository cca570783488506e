/**
 * Reverse-correlation maps of human observers, with the network's estimator and null: per vertex,
 * I(feature_v; response) in bits (GCMI) with the permutation maximum-statistic FWER threshold
 * (analyses/maps.ts `informationMap`, nothing re-implemented), for
 * - each participant: their trials' noise (the run's noise draw at the rows' noise_trial indices)
 *   against their responses;
 * - the pool: the trials of all included (not flagged) participants concatenated;
 * - the population: Bayesian prevalence (info/prevalence.ts) of "the participant's map has a
 *   significant vertex" (within-participant false-positive rate = the map's FWER α) and per vertex.
 *
 * Responses: 'decision' = 1 if the participant named the target identity, else 0 (discrete, two
 * classes, the paper's decision map); 'rating' = ±confidence (+ when the target was named), a
 * continuous response. Trials without a response (−1) and attention checks are left out.
 */
import type { FaceModel } from '../../faces/model';
import type { HumanTrial } from '../../contract';
import { bayesianPrevalence, prevalenceMap, type Prevalence } from '../../info';
import { informationMap, type FweMap, type Response } from '../maps';
import { noiseFeatures, type TrialNoise } from '../noise';
import { isCorrect, type TrialTable } from './table';

export type HumanResponseKind = 'decision' | 'rating';

export interface HumanMapOptions {
  feature: 'shape' | 'texture';
  response: HumanResponseKind;
  permutations: number;
  alpha: number;
  seed: number;
  threads?: number;
  /** Prevalence: within-participant sensitivity β (default 1, conservative). */
  beta?: number;
}

export interface ParticipantMap {
  participant: string;
  flagged: boolean;
  trials: number;
  /** null when the response does not vary enough (fewer than 5 trials in a decision class). */
  map: FweMap | null;
  /** The map has at least one significant vertex. */
  significant: boolean;
}

export interface HumanMaps {
  options: HumanMapOptions;
  participants: ParticipantMap[];
  pooled: { trials: number; participants: string[]; map: FweMap | null };
  /** Prevalence of a significant map among included participants with a map. */
  prevalence: Prevalence | null;
  /** Per vertex: participants significant (k), MAP prevalence and its lower bound. */
  vertexPrevalence: { k: Int32Array; map: Float32Array; lowerBound: Float32Array } | null;
  notes: string[];
}

/** The noise of a subset of trials, in the given order (indices may repeat). */
export function selectNoiseTrials(noise: TrialNoise, indices: ArrayLike<number>): TrialNoise {
  const T = noise.spec.trials, n = indices.length;
  for (let i = 0; i < n; i++) {
    const t = indices[i];
    if (!(Number.isInteger(t) && t >= 0 && t < T)) throw new Error(`noise_trial ${t} is outside the noise draw's trials [0, ${T - 1}]`);
  }
  const pick = (values: Float32Array): Float32Array => {
    if (values.length === 0) return values;
    const out = new Float32Array((values.length / T) * n);
    if (noise.vertices) {
      const per = values.length / T; // [T][vertex][3]
      for (let i = 0; i < n; i++) out.set(values.subarray(indices[i] * per, (indices[i] + 1) * per), i * per);
    } else {
      const K = values.length / T; // [K][T]
      for (let k = 0; k < K; k++) for (let i = 0; i < n; i++) out[k * n + i] = values[k * T + indices[i]];
    }
    return out;
  };
  return { ...noise, spec: { ...noise.spec, trials: n }, shape: pick(noise.shape), texture: pick(noise.texture) };
}

/** The map response of reverse-correlation rows (null when it cannot carry information). */
export function humanResponse(rows: HumanTrial[], kind: HumanResponseKind): Response | null {
  if (kind === 'rating') {
    const y = Float64Array.from(rows, (r) => (isCorrect(r) ? 1 : -1) * (r.confidence ?? 1));
    return new Set(y).size >= 3 ? { kind: 'continuous', y } : null;
  }
  const y = Int32Array.from(rows, (r) => (isCorrect(r) ? 1 : 0));
  const ones = y.reduce((a, b) => a + b, 0);
  return ones >= 5 && rows.length - ones >= 5 ? { kind: 'discrete', y, classes: 2 } : null;
}

/** The reverse-correlation rows that enter a map: with a response, not attention checks. */
export function mapRows(rows: HumanTrial[]): HumanTrial[] {
  return rows.filter((r) => r.condition === 'reverse-correlation' && !r.attention_check && r.response >= 0 && r.noise_trial !== null);
}

async function mapOf(model: FaceModel, noise: TrialNoise, rows: HumanTrial[], o: HumanMapOptions, seed: number): Promise<FweMap | null> {
  const response = humanResponse(rows, o.response);
  if (!response || rows.length < 10) return null;
  const sub = selectNoiseTrials(noise, rows.map((r) => r.noise_trial!));
  return informationMap(noiseFeatures(model, sub, o.feature), response, { permutations: o.permutations, alpha: o.alpha, seed, threads: o.threads ?? 1 });
}

export async function humanMaps(model: FaceModel, noise: TrialNoise, table: TrialTable, options: HumanMapOptions, onFraction: (f: number) => void = () => {}): Promise<HumanMaps> {
  const o = options;
  if (noise.vertexCount !== model.vertexCount) throw new Error(`noise has ${noise.vertexCount} vertices, the face model ${model.vertexCount}`);
  if (o.feature === 'shape' && noise.spec.shapeSd === 0) throw new Error('feature shape: the noise draw has no shape noise (shapeSd = 0)');
  if (o.feature === 'texture' && noise.spec.textureSd === 0) throw new Error('feature texture: the noise draw has no texture noise (textureSd = 0)');
  const rows = mapRows(table.rows);
  const flagged = new Set(table.attention.filter((a) => a.flagged).map((a) => a.participant));
  const people = [...new Set(rows.map((r) => r.participant))].sort();
  const notes: string[] = [];
  const participants: ParticipantMap[] = [];
  for (const [i, p] of people.entries()) {
    const own = rows.filter((r) => r.participant === p);
    const map = await mapOf(model, noise, own, o, o.seed);
    if (!map) notes.push(`participant ${p}: no map (${own.length} trials; the response does not vary enough)`);
    participants.push({ participant: p, flagged: flagged.has(p), trials: own.length, map, significant: !!map && map.significant.some((s) => s === 1) });
    onFraction((i + 1) / (people.length + 1));
  }
  const included = people.filter((p) => !flagged.has(p));
  const pooledRows = rows.filter((r) => !flagged.has(r.participant));
  // one included participant: the pool is their trials, and their map (same seed) is the pooled map
  const only = included.length === 1 ? participants.find((p) => p.participant === included[0]) : undefined;
  const pooledMap = only ? only.map : await mapOf(model, noise, pooledRows, o, o.seed);
  onFraction(1);
  const tested = participants.filter((p) => !p.flagged && p.map);
  const prevalence = tested.length > 0 ? bayesianPrevalence(tested.filter((p) => p.significant).length, tested.length, { alpha: o.alpha, beta: o.beta }) : null;
  const vertexPrevalence = tested.length > 0 ? prevalenceMap(tested.map((p) => p.map!.significant), { alpha: o.alpha, beta: o.beta }) : null;
  return { options: o, participants, pooled: { trials: pooledRows.length, participants: included, map: pooledMap }, prevalence, vertexPrevalence, notes };
}
