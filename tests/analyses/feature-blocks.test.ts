/**
 * The blocked feature fills (feature-blocks.ts, used by noise.ts) give the same bits as computing
 * each vertex alone, the way noise.ts did before: every map made of them is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { drawNoise, noiseFeatures, vertexSubspaces, type TrialNoise } from '../../workers/analyses/noise';
import { packFeatures, variablesByDim } from '../../workers/analyses/maps';
import { noisyVertices } from '../../workers/analyses/oracle';
import { resolveRegion } from '../../workers/analyses/regions';
import { TRIAL_SLICE } from '../../workers/analyses/feature-blocks';
import type { FaceModel } from '../../workers/faces/model';

const model = loadDefaultFaceModel();
const T = TRIAL_SLICE + 77; // two trial slices, the second partial

/** One vertex's features, computed alone (noise.ts before the blocks): [nDim][T], added into out. */
function reference(m: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture', v: number, out: Float64Array): void {
  const values = kind === 'shape' ? noise.shape : noise.texture;
  if (noise.bubbles) {
    const l = kind === 'shape' ? noise.bubbles.shape : noise.bubbles.texture;
    const nDim = kind === 'shape' ? 1 : 3;
    for (let d = 0; d < nDim; d++) for (let j = l.offsets[v]; j < l.offsets[v + 1]; j++) {
      const w = l.weight[j];
      for (let t = 0; t < T; t++) out[d * T + t] += w * values[(l.source[j] + d) * T + t];
    }
    return;
  }
  if (noise.vertices) {
    const i = noise.vertices.indexOf(v), Vn = noise.vertices.length, D = kind === 'shape' ? 1 : 3;
    for (let d = 0; d < D; d++) for (let t = 0; t < T; t++) out[d * T + t] = values[(t * Vn + i) * D + d];
    return;
  }
  const basis = kind === 'shape' ? m.shapeBasis : m.textureBasis, sd = kind === 'shape' ? m.shapeSd : m.textureSd;
  const ks = Int32Array.from({ length: sd.length }, (_, k) => k);
  const { rank, rotation } = subspaces(basis, sd, ks, m.vertexCount);
  const N = m.vertexCount * 3;
  const raw = new Float64Array(3 * T);
  for (let d = 0; d < 3; d++) for (const k of ks) {
    const w = sd[k] * basis[k * N + v * 3 + d];
    if (w === 0) continue;
    for (let t = 0; t < T; t++) raw[d * T + t] += w * values[k * T + t];
  }
  for (let j = 0; j < rank[v]; j++) {
    const r = rotation.subarray(v * 9 + j * 3, v * 9 + j * 3 + 3);
    for (let t = 0; t < T; t++) out[j * T + t] += r[0] * raw[t] + r[1] * raw[T + t] + r[2] * raw[2 * T + t];
  }
}

const cache = new Map<Float32Array, ReturnType<typeof vertexSubspaces>>();
function subspaces(basis: Float32Array, sd: Float32Array, ks: Int32Array, V: number) {
  if (!cache.has(basis)) cache.set(basis, vertexSubspaces(basis, sd, ks, V));
  return cache.get(basis)!;
}

const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('blocked noise features', () => {
  const region = resolveRegion(model, 'nose');
  it.each([
    ['bubbles', 'shape'], ['bubbles', 'texture'], ['coefficients', 'shape'], ['coefficients', 'texture'], ['vertex', 'shape'], ['vertex', 'texture'],
  ] as const)('%s %s: packed maps and single-vertex fills are bit-identical to each vertex computed alone', (basis, kind) => {
    const local = basis !== 'coefficients';
    const noise = drawNoise(model, { basis, trials: T, seed: 11, vertices: noisyVertices(model, region), shapeSd: local ? 1 : 0.5, textureSd: local ? 0.05 : 0.5 });
    const f = noiseFeatures(model, noise, kind);
    expect(f.fillVars).toBeTypeOf('function');
    let checked = 0;
    for (const [dims, vars] of variablesByDim(f)) {
      const packed = packFeatures(f, vars, dims);
      const ref = new Float64Array(packed.length);
      const one = new Float64Array(f.nDim * T);
      vars.forEach((v, i) => { one.fill(0); reference(model, noise, kind, v, one); ref.set(one.subarray(0, dims * T), i * dims * T); });
      expect(bytes(packed).equals(bytes(ref))).toBe(true);
      // fill of one vertex (hidden layers, pose invariance) and of a range
      const v = vars[vars.length >> 1];
      const single = new Float64Array(f.nDim * T);
      f.fill(v, v + 1, single);
      one.fill(0); reference(model, noise, kind, v, one);
      expect(bytes(single).equals(bytes(one))).toBe(true);
      checked += vars.length;
    }
    expect(checked).toBeGreaterThan(basis === 'coefficients' ? 5000 : 3000);
    // a range with skipped vertices in it (zeroed by the caller): skipped ones stay as they were
    const from = f.skip ? f.skip.findIndex((s, v) => s === 1 && v > 0 && f.skip![v - 1] === 0) - 20 : 0;
    const first = Math.max(0, from);
    const range = new Float64Array(40 * f.nDim * T);
    for (let v = first; v < first + 40; v++) if (f.skip && f.skip[v]) range.fill(7, (v - first) * f.nDim * T, (v - first + 1) * f.nDim * T);
    f.fill(first, first + 40, range);
    for (let v = first; v < first + 40; v++) {
      const got = range.subarray((v - first) * f.nDim * T, (v - first + 1) * f.nDim * T);
      if (f.skip && f.skip[v]) expect(got.every((x) => x === 7)).toBe(true);
      else {
        const want = new Float64Array(f.nDim * T);
        reference(model, noise, kind, v, want);
        expect(bytes(got).equals(bytes(want))).toBe(true);
      }
    }
  });
});
