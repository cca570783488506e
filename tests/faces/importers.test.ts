import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { identityPositions, orthonormalityError, sampleIdentities } from '../../workers/faces';
import { importBfm } from '../../workers/faces/importers/bfm';
import { importIctFaceKit, parseObj } from '../../workers/faces/importers/ict';
import { ictFolderFiles } from '../../workers/cli/faces';
import { gramSchmidt } from '../../workers/faces/basis-linalg';
import { createRng, gaussian } from '../../workers/faces/seeded-rng';
import { renderStimulus } from '../../workers/render';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'deeper-import-'));
const ICT_DIR = path.resolve(__dirname, '../../../shared/facemodels/ict-facekit');

/** A 12×14 grid "face" (mm) with orthonormal random PCA bases in the BFM layout ([3V][K] bases, [3][T] cells). */
function bfmFixture() {
  const NX = 12, NY = 14, V = NX * NY, N = V * 3;
  const mean = new Float32Array(N);
  for (let j = 0; j < NY; j++) for (let i = 0; i < NX; i++) {
    const v = j * NX + i, x = -65 + (130 * i) / (NX - 1), y = -100 + (190 * j) / (NY - 1);
    mean.set([x, y, 80 - 0.004 * x * x - 0.002 * y * y], v * 3);
  }
  const cells: number[][] = [[], [], []];
  for (let j = 0; j < NY - 1; j++) for (let i = 0; i < NX - 1; i++) {
    const a = j * NX + i;
    for (const t of [[a, a + 1, a + NX + 1], [a, a + NX + 1, a + NX]]) t.forEach((v, c) => cells[c].push(v));
  }
  const rng = createRng(1);
  const basis = (K: number) => {
    const rows = gramSchmidt(Array.from({ length: K }, () => Float64Array.from({ length: N }, () => gaussian(rng)))).rows;
    const colMajor = new Float32Array(N * K); // [3V][K] row-major: column k is component k
    for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) colMajor[i * K + k] = rows[k][i];
    return colMajor;
  };
  return {
    V, N, T: cells[0].length,
    shape: { mean, pcaBasis: basis(4), pcaVariance: Float32Array.from([16, 9, 4, 1]) },
    color: { mean: new Float32Array(N).fill(0.6), pcaBasis: basis(6), pcaVariance: Float32Array.from([0.04, 0.03, 0.02, 0.01, 0.01, 0.005]) },
    expression: { mean: new Float32Array(N), pcaBasis: basis(2), pcaVariance: Float32Array.from([25, 4]) },
    cells: Int32Array.from([...cells[0], ...cells[1], ...cells[2]]),
  };
}
type Fixture = ReturnType<typeof bfmFixture>;

function writeBfm(file: string, fx: Fixture, edit: (fx: Fixture) => void = () => {}, skip: string[] = []) {
  const f2 = structuredClone(fx);
  edit(f2);
  const f = new h5wasm.File(file, 'w');
  for (const g of ['shape', 'color', 'expression'] as const) {
    f.create_group(g);
    f.create_group(`${g}/model`);
    const m = f2[g];
    const K = m.pcaVariance.length;
    if (!skip.includes(`${g}/model/mean`)) f.create_dataset({ name: `${g}/model/mean`, data: m.mean });
    f.create_dataset({ name: `${g}/model/pcaBasis`, data: m.pcaBasis, shape: [m.pcaBasis.length / K, K] });
    f.create_dataset({ name: `${g}/model/pcaVariance`, data: m.pcaVariance });
  }
  f.create_group('shape/representer');
  f.create_dataset({ name: 'shape/representer/cells', data: f2.cells, shape: [3, f2.cells.length / 3] });
  f.close();
}

describe('Basel Face Model importer (h5wasm, a BFM-layout file written by the test)', () => {
  const fx = bfmFixture();
  const good = path.join(tmp, 'bfm.h5');
  beforeAll(async () => {
    await h5wasm.ready;
    writeBfm(good, fx);
  });

  it('reads shape, colour, expressions and topology', async () => {
    const m = await importBfm(good);
    expect([m.vertexCount, m.triangleCount, m.shapeSd.length, m.textureSd.length, m.expressionNames.length]).toEqual([fx.V, fx.T, 4, 6, 2]);
    expect(Array.from(m.shapeSd)).toEqual([4, 3, 2, 1]);
    expect(orthonormalityError(m.shapeBasis, 4, fx.N)).toBeLessThan(1e-5);
    expect(orthonormalityError(m.textureBasis, 6, fx.N)).toBeLessThan(1e-5);
    expect(new Set(m.textureBand)).toEqual(new Set([0, 1, 2]));
    expect(Array.from(m.triangles.subarray(0, 3))).toEqual([0, 1, 13]);
    // Coefficient 1 on component 0 adds sd₀ × column 0.
    const [id] = sampleIdentities(m, { count: 1, seed: 1 });
    id.shape.fill(0);
    id.shape[0] = 1;
    const p = identityPositions(m, { ...id, demographics: { gender: 0, age: 40, ethnicity: [1, 0, 0] } });
    for (const i of [0, 7, 300]) expect(p[i]).toBeCloseTo(fx.shape.mean[i] + 4 * fx.shape.pcaBasis[i * 4], 4);
    expect(m.regions.nose.length).toBeGreaterThan(0);
    const img = renderStimulus(m, id, { size: 32 });
    expect(img.uint8.some((x, i) => x !== 128 && i % 3 === 0)).toBe(true);
  });

  it('names the problem in a corrupt or mismatched file', async () => {
    const bad = (name: string) => path.join(tmp, name);
    writeBfm(bad('missing.h5'), fx, () => {}, ['color/model/mean']);
    await expect(importBfm(bad('missing.h5'))).rejects.toThrow(/missing dataset '\/color\/model\/mean'/);
    writeBfm(bad('length.h5'), fx, (f) => { f.color.mean = f.color.mean.subarray(3); });
    await expect(importBfm(bad('length.h5'))).rejects.toThrow(/color\/model\/mean' has length \d+, expected \d+/);
    writeBfm(bad('orth.h5'), fx, (f) => { f.shape.pcaBasis = f.shape.pcaBasis.map((x, i) => (i % 4 === 1 ? 1.1 * x : x)); });
    await expect(importBfm(bad('orth.h5'))).rejects.toThrow(/shape\/model\/pcaBasis': basis is not orthonormal/);
    writeBfm(bad('cells.h5'), fx, (f) => { f.cells[5] = 99999; });
    await expect(importBfm(bad('cells.h5'))).rejects.toThrow(/cells'\[0\]\[5\] = 99999 is not a vertex index/);
    writeFileSync(bad('text.h5'), 'not hdf5 at all');
    await expect(importBfm(bad('text.h5'))).rejects.toThrow(/not a readable HDF5 file/);
    await expect(importBfm(bad('absent.h5'))).rejects.toThrow(/does not exist/);
  });
});

describe.skipIf(!existsSync(ICT_DIR))(`ICT-FaceKit importer (real files in ${ICT_DIR}; skipped when absent)`, () => {
  it('imports identity modes and expressions of the face area', () => {
    const m = importIctFaceKit(ictFolderFiles(ICT_DIR), { maxIdentities: 4, expressions: ['jawOpen', 'mouthSmile_L'] });
    expect(m.vertexCount).toBe(9409);
    expect(m.shapeSd.length).toBe(4);
    expect(orthonormalityError(m.shapeBasis, 4, m.vertexCount * 3)).toBeLessThan(1e-5);
    expect(m.textureSd.length).toBeGreaterThanOrEqual(50);
    // Eye corners about 90 mm apart: the cm → mm conversion.
    const w = Math.abs(m.mean[m.landmarks.left_eye_outer * 3] - m.mean[m.landmarks.right_eye_outer * 3]);
    expect(w).toBeGreaterThan(60);
    expect(w).toBeLessThan(120);
    // jawOpen lowers the chin.
    const chin = m.landmarks.chin;
    const jaw = m.expressionShape[chin * 3 + 1];
    expect(jaw).toBeLessThan(-3);
    for (const r of ['nose', 'mouth', 'chin', 'forehead', 'left_eye', 'right_eye', 'brow', 'cheek']) expect(m.regions[r].length, r).toBeGreaterThan(10);
  });

  it('names a mismatched or malformed file', () => {
    const dir = mkdtempSync(path.join(tmp, 'ict-'));
    expect(() => importIctFaceKit(ictFolderFiles(dir))).toThrow(/missing file .*generic_neutral_mesh\.obj/);
    copyFileSync(path.join(ICT_DIR, 'generic_neutral_mesh.obj'), path.join(dir, 'generic_neutral_mesh.obj'));
    const lines = readFileSync(path.join(ICT_DIR, 'identity000.obj'), 'utf8').split('\n');
    writeFileSync(path.join(dir, 'identity000.obj'), lines.slice(0, 5000).join('\n'));
    expect(() => importIctFaceKit(ictFolderFiles(dir))).toThrow(/identity000\.obj has \d+ vertices, generic_neutral_mesh\.obj has 26719/);
    expect(() => parseObj('v 1 2 x\n', 'bad.obj')).toThrow(/bad\.obj:1: vertex line has non-numeric/);
    expect(() => parseObj('v 1 2 3\nf 1 2\n', 'bad.obj')).toThrow(/bad\.obj:2: face line is malformed/);
  });
});
