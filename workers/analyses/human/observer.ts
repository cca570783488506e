/**
 * Scripted observers: ground truth for the human analyses (as oracle.ts is for the network's).
 * On reverse-correlation trial t a planted observer computes the standardised template response
 * z_t = r_t / sd(r) of one known feature (oracle.ts `plantedResponse`: the region's luminance
 * change for 'texture', its bulge along the normals for 'shape'), adds internal noise
 * d_t = z_t + σ·ε_t (ε ~ N(0, 1)) and names the target identity when d_t > 0, else the foil.
 * Confidence = 1 + min(3, ⌊|d_t| / 0.5⌋) (ratings 1..4); response time 500 + 700·e^(−|d_t|) ms.
 * A guesser (no region) names target or foil with probability ½. Attention checks are answered
 * correctly with probability `attentionPassRate`.
 */
import type { FaceModel } from '../../faces/model';
import { createRng, gaussian, hashInts } from '../../faces';
import type { HumanTrial } from '../../contract';
import type { TrialNoise } from '../noise';
import { plantedResponse } from '../oracle';

export interface ObserverSpec {
  participant: string;
  /** The feature the observer reads; region null = a guesser. */
  kind: 'shape' | 'texture';
  region: Uint32Array | null;
  /** σ: internal noise in units of the template response's sd. */
  noiseSd: number;
  /** Indices into the noise draw of the trials this observer sees (at most 400 is what a person can do). */
  noiseTrials: number[];
  target: number;
  foil: number;
  attentionChecks: number;
  attentionPassRate: number;
  seed: number;
}

export function simulateObserver(model: FaceModel, noise: TrialNoise, s: ObserverSpec): HumanTrial[] {
  if (!(s.noiseSd >= 0)) throw new Error(`noiseSd must be ≥ 0, got ${s.noiseSd}`);
  if (!(s.attentionPassRate >= 0 && s.attentionPassRate <= 1)) throw new Error(`attentionPassRate must be in [0, 1], got ${s.attentionPassRate}`);
  const rng = createRng(hashInts(s.seed, 0x0b5e));
  let z: Float64Array | null = null;
  if (s.region) {
    const r = plantedResponse(model, noise, s.kind, s.region);
    let ss = 0;
    for (const v of r) ss += v * v;
    const sd = Math.sqrt(ss / r.length) || 1;
    z = Float64Array.from(r, (v) => v / sd);
  }
  const rows: HumanTrial[] = [];
  const base = { participant: s.participant, manipulation: null, level: null, yaw_deg: 0 };
  for (const t of s.noiseTrials) {
    const d = z ? z[t] + s.noiseSd * gaussian(rng) : gaussian(rng);
    rows.push({
      ...base, trial: rows.length, stimulus_id: `rc-${t}`, condition: 'reverse-correlation', attention_check: false,
      noise_trial: t, target: s.target, response: d > 0 ? s.target : s.foil,
      confidence: 1 + Math.min(3, Math.floor(Math.abs(d) / 0.5)), rt_ms: Math.round(500 + 700 * Math.exp(-Math.abs(d))),
    });
  }
  for (let c = 0; c < s.attentionChecks; c++) {
    const pass = rng() < s.attentionPassRate;
    rows.push({
      ...base, trial: rows.length, stimulus_id: `check-${c}`, condition: 'learning', attention_check: true,
      noise_trial: null, target: s.target, response: pass ? s.target : s.foil, confidence: 4, rt_ms: 700,
    });
  }
  return rows;
}
