/**
 * The built-in `ict` model: a well-posed identity space (demographics decorrelated in coefficient
 * space, tested on a population it was not fitted on), anatomy, and no identity in the scalp.
 * Needs only the shipped workers/faces/ict/ict-facekit.bin (not ../shared).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importIctFaceKit } from '../../workers/faces/importers/ict';
import { ictFolderFiles } from '../../workers/cli/faces';
import { encodeFaceModel, loadBuiltinFaceModel } from '../../workers/faces';
import { meshFromFaceModel } from '../../server/dashboards/face-model-mesh';
import { NORM_FIT_SIZE, fitDemographicModel, identityResiduals, simulatePopulation } from '../../workers/faces/ict/demographics';

const model = loadBuiltinFaceModel('ict');
const V = model.vertexCount;
const N = V * 3;
const K = model.shapeSd.length;

/** The model's demographic directions in coefficient space: β_j[k] = (shapeDemo_j · axis_k) / sd_k. */
function directionsOfModel(): Float64Array[] {
  return model.demographics.names.map((_, j) => {
    const b = new Float64Array(K);
    for (let k = 0; k < K; k++) { let s = 0; for (let i = 0; i < N; i++) s += model.shapeDemo[j * N + i] * model.shapeBasis[k * N + i]; b[k] = s / model.shapeSd[k]; }
    return b;
  });
}

const pearson = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
};
/** Area under the ROC curve of scores for binary labels (Mann-Whitney). */
const auc = (score: number[], label: boolean[]) => {
  const pos = score.filter((_, i) => label[i]), neg = score.filter((_, i) => !label[i]);
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return wins / (pos.length * neg.length);
};
/** Upper normal quantile by bisection on the complementary error function (Abramowitz-Stegun 7.1.26). */
const normalUpper = (p: number) => {
  const tail = (z: number) => { const t = 1 / (1 + 0.3275911 * z / Math.SQRT2); return 0.5 * t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z / 2); };
  let lo = 0, hi = 10;
  for (let i = 0; i < 100; i++) { const m = (lo + hi) / 2; if (tail(m) > p) lo = m; else hi = m; }
  return lo;
};

describe('ICT built-in model', () => {
  it('has the ICT mesh, 100 identity axes and 5 texture bands of ≥ 50 components', () => {
    expect(V).toBe(15602);
    expect(model.triangleCount).toBe(31140);
    expect(K).toBe(100);
    for (let b = 0; b < 5; b++) expect(Array.from(model.textureBand).filter((x) => x === b).length).toBeGreaterThanOrEqual(50);
    expect(model.notes.join(' ')).toMatch(/SYNTHETIC demographics/);
  });

  it('decorrelates identity coefficients from demographics on a population it was not fitted on', () => {
    const truth = directionsOfModel();
    const fit = fitDemographicModel(simulatePopulation(truth, 101, NORM_FIT_SIZE)); // seed A (the size the shipped norm is fitted on)
    const test = simulatePopulation(truth, 202, 2000); // seed B
    const resid = identityResiduals(test, fit);
    const pairs = K * 5;
    const bound = normalUpper(0.05 / 2 / pairs) / Math.sqrt(2000);
    let worst = 0;
    for (let j = 0; j < 5; j++) {
      const d = test.x.map((x) => x[j]);
      for (let k = 0; k < K; k++) worst = Math.max(worst, Math.abs(pearson(resid.map((r) => r[k]), d)));
    }
    expect(resid[0].length).toBe(K); // no component removed
    expect(worst).toBeLessThan(bound);
    // Each direction predicts its own label on seed B (linear classifier: projection on the fitted direction).
    const score = (j: number) => test.c.map((c) => c.reduce((s, x, k) => s + x * fit[j][k], 0));
    const median = [...test.ageYears].sort((a, b) => a - b)[1000];
    const centred = (g: number) => fit[g].map((b, k) => b - (fit[2][k] + fit[3][k] + fit[4][k]) / 3);
    const groupScore = (g: number) => test.c.map((c) => c.reduce((s, x, k) => s + x * centred(g)[k], 0));
    expect(auc(score(0), test.x.map((x) => x[0] > 0))).toBeGreaterThanOrEqual(0.95);
    expect(auc(score(1), Array.from(test.ageYears, (a) => a > median))).toBeGreaterThanOrEqual(0.95);
    for (const g of [2, 3, 4]) expect(auc(groupScore(g), test.x.map((x) => x[g] === 1))).toBeGreaterThanOrEqual(0.95);
  });

  it('names every region, each containing its own landmarks, in anatomical order and mirrored', () => {
    const anchors: Record<string, number[]> = {
      nose: [27, 28, 29, 30, 31, 32, 33, 34, 35], mouth: [48, 54, 51, 57, 62, 66], lips: [48, 51, 54, 57], chin: [7, 8, 9], jaw: [3, 8, 13],
      right_eye: [36, 37, 38, 39, 40, 41], left_eye: [42, 43, 44, 45, 46, 47], right_brow: [17, 18, 19, 20, 21], left_brow: [22, 23, 24, 25, 26],
    };
    const named: Record<string, string> = { forehead: 'forehead_center', left_cheek: 'left_cheek', right_cheek: 'right_cheek', left_temple: 'left_temple', right_temple: 'right_temple' };
    for (const [region, idx] of Object.entries(anchors)) {
      const set = new Set(model.regions[region]);
      expect(set.size, region).toBeGreaterThan(0);
      for (const i of idx) expect(set.has(model.landmarks[`ibug_${String(i).padStart(2, '0')}`]), `${region} ∋ ibug ${i}`).toBe(true);
    }
    for (const [region, lm] of Object.entries(named)) expect(new Set(model.regions[region]).has(model.landmarks[lm]), region).toBe(true);
    const centroid = (r: string) => {
      const c = [0, 0, 0];
      for (const v of model.regions[r]) for (let a = 0; a < 3; a++) c[a] += model.mean[v * 3 + a] / model.regions[r].length;
      return c;
    };
    expect(centroid('eyes')[1]).toBeGreaterThan(centroid('nose')[1]);
    expect(centroid('nose')[1]).toBeGreaterThan(centroid('mouth')[1]);
    expect(centroid('mouth')[1]).toBeGreaterThan(centroid('chin')[1]);
    for (const part of ['eye', 'brow', 'cheek', 'temple']) {
      const l = centroid(`left_${part}`), r = centroid(`right_${part}`);
      expect(l[0], part).toBeGreaterThan(0); // x = the subject's left
      expect(Math.hypot(l[0] + r[0], l[1] - r[1], l[2] - r[2]), part).toBeLessThan(2);
    }
  });

  it('gives the dashboards a mesh with the face and its eyes', () => {
    const mesh = meshFromFaceModel(encodeFaceModel(model));
    expect(mesh.positions.length).toBe(N);
    expect(mesh.triangles.length).toBe(model.triangleCount * 3);
    const used = new Set(mesh.triangles);
    for (const eye of ['left_eye_center', 'right_eye_center']) {
      const v = model.landmarks[eye];
      expect(used.has(v), eye).toBe(true);
      expect(mesh.positions[v * 3 + 2]).toBeGreaterThan(mesh.positions[model.landmarks.left_eye_outer * 3 + 2] - 5); // the eyeball sits in the lids, in front
    }
  });

  it("'face' holds the features and eyes but no scalp, ear or neck vertex", () => {
    const face = new Set(model.regions.face);
    for (const r of ['nose', 'mouth', 'lips', 'chin', 'left_eye', 'right_eye', 'left_brow', 'right_brow', 'left_cheek', 'right_cheek']) {
      const inside = Array.from(model.regions[r]!).filter((v) => face.has(v)).length;
      expect(inside / model.regions[r]!.length, r).toBeGreaterThan(0.95);
    }
    for (const v of model.regions.scalp!) expect(face.has(v)).toBe(false);
    // nothing below the chin (neck) or behind the jaw contour's ends (ears)
    const y = (v: number) => model.mean[v * 3 + 1]!, z = (v: number) => model.mean[v * 3 + 2]!;
    const chin = model.landmarks.ibug_08!, earR = model.landmarks.ibug_00!, earL = model.landmarks.ibug_16!;
    for (const v of face) {
      expect(y(v)).toBeGreaterThanOrEqual(y(chin) - 10.01);
      expect(z(v)).toBeGreaterThan(Math.min(z(earR), z(earL)) - 1); // (the model mean differs from the build mesh by < 1 mm)
    }
  });

  it('puts no identity variance on the scalp', () => {
    expect(model.regions.scalp.length).toBeGreaterThan(100);
    let shapeVar = 0, textureVar = 0;
    for (const v of model.regions.scalp) for (let c = 0; c < 3; c++) {
      for (let k = 0; k < K; k++) shapeVar += (model.shapeSd[k] * model.shapeBasis[k * N + v * 3 + c]) ** 2;
      for (let k = 0; k < model.textureSd.length; k++) textureVar += (model.textureSd[k] * model.textureBasis[k * N + v * 3 + c]) ** 2;
    }
    expect(shapeVar).toBe(0);
    expect(textureVar).toBe(0);
    // ... while the face varies: the nose tip moves by millimetres across identities.
    const tip = model.landmarks.nose_tip;
    let tipVar = 0;
    for (let k = 0; k < K; k++) for (let c = 0; c < 3; c++) tipVar += (model.shapeSd[k] * model.shapeBasis[k * N + tip * 3 + c]) ** 2;
    expect(Math.sqrt(tipVar)).toBeGreaterThan(2);
  });
});

// Needs ../shared/facemodels/ict-facekit (the upstream OBJ subset); skipped when absent.
const ictDir = path.resolve('../shared/facemodels/ict-facekit');
describe.skipIf(!existsSync(ictDir))('ICT importer with the ict model as reference (needs ../shared)', () => {
  it('borrows texture, regions and landmarks from the named built-in model', () => {
    const m = importIctFaceKit(ictFolderFiles(ictDir), { maxIdentities: 2, expressions: ['jawOpen'], reference: 'ict' });
    expect(m.notes.join(' ')).toMatch(/borrowed from the built-in model 'ict' \(deeper-ict-v1\)/);
    expect(m.textureSd.length).toBe(model.textureSd.length);
    expect(m.regions.nose.length).toBeGreaterThan(50);
  }, 120_000);
});
