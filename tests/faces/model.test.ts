import { describe, expect, it } from 'vitest';
import {
  addCoefficientNoise, applyExpression, decodeFaceModel, demographicNorm, encodeFaceModel, identityAlbedo, identityPositions,
  loadDefaultFaceModel, morphIdentity, orthonormalityError, sampleIdentities, scaleIdentity,
} from '../../workers/faces';
import type { Demographics } from '../../workers/faces';

const model = loadDefaultFaceModel();
const N = model.vertexCount * 3;

function rowDot(a: Float32Array, i: number, b: Float32Array, j: number): number {
  let s = 0;
  for (let t = 0; t < N; t++) s += a[i * N + t] * b[j * N + t];
  return s;
}
function meanOver(region: Uint32Array, arr: Float32Array, c: number): number {
  let s = 0;
  for (const v of region) s += arr[v * 3 + c];
  return s / region.length;
}
/** Byte equality of typed arrays (vitest's deep equality is slow on large arrays). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
const neutral: Demographics = { gender: 0, age: 40, ethnicity: [1 / 3, 1 / 3, 1 / 3] };

describe('built-in face model', () => {
  it('has a full face mesh, ≥50 shape and texture components in 3 bands, ≥6 expressions', () => {
    expect(model.vertexCount).toBeGreaterThanOrEqual(5000);
    expect(model.shapeSd.length).toBeGreaterThanOrEqual(50);
    expect(model.textureSd.length).toBeGreaterThanOrEqual(50);
    expect(new Set(model.textureBand).size).toBeGreaterThanOrEqual(3);
    for (const e of ['smile', 'brow_raise', 'frown', 'jaw_open', 'eye_close', 'nose_wrinkle']) expect(model.expressionNames).toContain(e);
    for (const r of ['nose', 'mouth', 'chin', 'forehead', 'left_eye', 'right_eye', 'left_brow', 'right_brow', 'brow', 'left_cheek', 'right_cheek', 'cheek']) {
      expect(model.regions[r]?.length, r).toBeGreaterThan(20);
    }
    // Landmarks sit in their regions.
    expect(Array.from(model.regions.nose)).toContain(model.landmarks.nose_tip);
    expect(Array.from(model.regions.left_eye)).toContain(model.landmarks.left_eye_center);
    expect(Array.from(model.regions.mouth)).toContain(model.landmarks.mouth_left);
    // The subject's left eye is at +x.
    expect(model.mean[model.landmarks.left_eye_center * 3]).toBeGreaterThan(20);
  });

  it('has orthonormal shape and texture bases: |BBᵀ − I| < 1e-5', () => {
    expect(orthonormalityError(model.shapeBasis, model.shapeSd.length, N)).toBeLessThan(1e-5);
    expect(orthonormalityError(model.textureBasis, model.textureSd.length, N)).toBeLessThan(1e-5);
  });

  it('keeps demographics out of the identity spaces', () => {
    const D = model.demographics.names.length;
    for (let j = 0; j < D; j++) {
      const sn = Math.sqrt(rowDot(model.shapeDemo, j, model.shapeDemo, j));
      const tn = Math.sqrt(rowDot(model.textureDemo, j, model.textureDemo, j));
      expect(sn).toBeGreaterThan(1);
      expect(tn).toBeGreaterThan(0.1);
      for (let k = 0; k < model.shapeSd.length; k += 5) expect(Math.abs(rowDot(model.shapeDemo, j, model.shapeBasis, k)) / sn).toBeLessThan(1e-4);
      for (let k = 0; k < model.textureSd.length; k += 5) expect(Math.abs(rowDot(model.textureDemo, j, model.textureBasis, k)) / tn).toBeLessThan(1e-4);
    }
    // The ethnicity rows are a centred norm: they sum to zero.
    let worst = 0;
    for (let t = 0; t < N; t += 7) worst = Math.max(worst, Math.abs(model.textureDemo[2 * N + t] + model.textureDemo[3 * N + t] + model.textureDemo[4 * N + t]));
    expect(worst).toBeLessThan(1e-6);
  });

  it('gender widens the jaw and deepens the brow ridge; group B is darker than A; age leaves identity alone', () => {
    const male = identityPositions(model, demographicNorm(model, { ...neutral, gender: 1 }));
    const female = identityPositions(model, demographicNorm(model, { ...neutral, gender: -1 }));
    const jaw = Uint32Array.from(model.regions.face.filter((v) => model.mean[v * 3 + 1] < -60 && Math.abs(model.mean[v * 3]) > 30));
    const absX = (p: Float32Array) => { let s = 0; for (const v of jaw) s += Math.abs(p[v * 3]); return s / jaw.length; };
    expect(absX(male) - absX(female)).toBeGreaterThan(1); // mm
    expect(meanOver(model.regions.brow, male, 2) - meanOver(model.regions.brow, female, 2)).toBeGreaterThan(1);
    // The forehead barely moves with gender.
    expect(Math.abs(meanOver(model.regions.forehead, male, 1) - meanOver(model.regions.forehead, female, 1))).toBeLessThan(0.5);
    const albA = identityAlbedo(model, demographicNorm(model, { ...neutral, ethnicity: [1, 0, 0] }));
    const albB = identityAlbedo(model, demographicNorm(model, { ...neutral, ethnicity: [0, 1, 0] }));
    expect(meanOver(model.regions.cheek, albA, 1)).toBeGreaterThan(meanOver(model.regions.cheek, albB, 1) * 1.5);
    // An identity aged by 30 years keeps its identity coefficients' projections.
    const [id] = sampleIdentities(model, { count: 1, seed: 5 });
    const young = identityPositions(model, { ...id, demographics: { ...id.demographics, age: 25 } });
    const old = identityPositions(model, { ...id, demographics: { ...id.demographics, age: 55 } });
    const diff = old.map((x, i) => x - young[i]);
    let worst = 0;
    for (let k = 0; k < model.shapeSd.length; k++) {
      let s = 0;
      for (let t = 0; t < N; t++) s += diff[t] * model.shapeBasis[k * N + t];
      worst = Math.max(worst, Math.abs(s));
    }
    expect(worst).toBeLessThan(1e-2); // mm, vs a change of several mm
  });

  it('samples identities reproducibly and balanced over gender × ethnicity × age', () => {
    const a = sampleIdentities(model, { count: 18, seed: 7 });
    const b = sampleIdentities(model, { count: 18, seed: 7 });
    const c = sampleIdentities(model, { count: 18, seed: 8 });
    expect(sameBytes(a[3].shape, b[3].shape) && sameBytes(a[3].texture, b[3].texture)).toBe(true);
    expect(sameBytes(a[3].texture, c[3].texture)).toBe(false);
    const cells = new Set(a.map((i) => `${i.demographics.gender}:${i.demographics.ethnicity.indexOf(1)}:${Math.floor((i.demographics.age - 18) / 19)}`));
    expect(cells.size).toBe(18); // 2 genders × 3 groups × 3 age bins, each once
    let s = 0, s2 = 0, n = 0;
    for (const id of sampleIdentities(model, { count: 200, seed: 1 })) for (const x of id.shape) { s += x; s2 += x * x; n++; }
    expect(Math.abs(s / n)).toBeLessThan(0.05);
    expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeCloseTo(1, 1);
  });

  it('manipulates shape and texture independently', () => {
    const [a, b] = sampleIdentities(model, { count: 2, seed: 11 });
    const pa = identityPositions(model, a), ta = identityAlbedo(model, a);
    // Shape deviation 0: the demographic norm's shape; texture untouched.
    const s0 = scaleIdentity(a, 0, 1);
    expect(sameBytes(identityPositions(model, s0), identityPositions(model, demographicNorm(model, a.demographics)))).toBe(true);
    expect(sameBytes(identityAlbedo(model, s0), ta)).toBe(true);
    // Morph in shape only: b's shape (same demographics), a's texture.
    const m = morphIdentity(a, { ...b, demographics: a.demographics }, { shape: 1 });
    expect(sameBytes(identityAlbedo(model, m), ta)).toBe(true);
    const pm = identityPositions(model, m);
    const pb = identityPositions(model, { ...b, demographics: a.demographics });
    expect(Math.max(...pm.map((x, i) => Math.abs(x - pb[i])))).toBeLessThan(1e-3);
    // Texture noise only in the high band leaves shape and low/mid coefficients alone.
    const noisy = addCoefficientNoise(model, a, { shapeSd: 0, textureSd: 0.5, seed: 3, textureBands: [2] });
    expect(sameBytes(identityPositions(model, noisy), pa)).toBe(true);
    model.textureBand.forEach((band, k) => { if (band !== 2) expect(noisy.texture[k]).toBe(a.texture[k]); });
    expect(noisy.texture.some((x, k) => x !== a.texture[k])).toBe(true);
    // A smile moves the mouth corners up, not the forehead.
    const smile = identityPositions(model, applyExpression(model, a, 'smile', 1));
    const corner = model.landmarks.mouth_left;
    expect(smile[corner * 3 + 1] - pa[corner * 3 + 1]).toBeGreaterThan(2);
    expect(Math.abs(meanOver(model.regions.forehead, smile, 1) - meanOver(model.regions.forehead, pa, 1))).toBeLessThan(0.05);
    expect(() => applyExpression(model, a, 'grin', 1)).toThrow(/grin.*smile/);
  });
});

describe('face model file format', () => {
  const bytes = encodeFaceModel(model);
  it('round-trips and decodes in under 200 ms', () => {
    const times: number[] = [];
    let m2 = decodeFaceModel(bytes);
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      m2 = decodeFaceModel(bytes);
      times.push(performance.now() - t);
    }
    expect(Math.min(...times)).toBeLessThan(200);
    expect(sameBytes(m2.shapeBasis, model.shapeBasis)).toBe(true);
    expect(sameBytes(m2.textureBasis, model.textureBasis)).toBe(true);
    expect(sameBytes(m2.regions.nose, model.regions.nose)).toBe(true);
    expect(m2.landmarks).toEqual(model.landmarks);
  });
  it('names what is wrong in a corrupt file', () => {
    const bad = bytes.slice();
    bad[0] = 88;
    expect(() => decodeFaceModel(bad)).toThrow(/bad magic/);
    expect(() => decodeFaceModel(bytes.slice(0, bytes.length - 1000))).toThrow(/runs past the end/);
    const hlen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen)));
    delete header.arrays.textureBasis;
    const json = new TextEncoder().encode(JSON.stringify(header).padEnd(hlen, ' '));
    const missing = bytes.slice();
    missing.set(json, 16);
    expect(() => decodeFaceModel(missing)).toThrow(/missing array 'textureBasis'/);
    header.arrays.textureBasis = { ...JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen))).arrays.textureBasis };
    header.arrays.textureBasis.length -= 3;
    const short = bytes.slice();
    short.set(new TextEncoder().encode(JSON.stringify(header).padEnd(hlen, ' ')), 16);
    expect(() => decodeFaceModel(short)).toThrow(/textureBasis has length/);
  });
});
