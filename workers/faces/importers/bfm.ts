/**
 * Importer of the Basel Face Model 2017/2019 HDF5 layout (read with h5wasm):
 *   /shape/model/{mean [3V], pcaBasis [3V][K] (orthonormal columns), pcaVariance [K]}
 *   /shape/representer/cells [3][T] (triangle vertex indices)
 *   /color/model/{mean, pcaBasis, pcaVariance}       (per-vertex RGB in [0, 1], xyz-interleaved like shape)
 *   /expression/model/{mean, pcaBasis, pcaVariance}  (optional)
 * Coordinates are interleaved x, y, z per vertex. Shape sd = sqrt(pcaVariance) (in the file's unit
 * times `unitScale`, default 1: BFM 2017/2019 are in mm). Colour components are assigned to three
 * bands by their roughness on the mesh (Laplacian Rayleigh quotient). Regions and landmarks are
 * carried over from the built-in model after a bounding-box alignment. No demographic norm.
 */
import { existsSync } from 'node:fs';
import h5wasm from 'h5wasm/node';
import { type BuiltinFaceModelName, loadBuiltinFaceModel } from '../builtins';
import type { FaceModel } from '../model';
import { validateFaceModel } from '../model';
import { bandsByRoughness, emptyDemographics, fitScaleTranslation, nearestVertices, orthonormaliseChecked, transferRegions } from './transfer';

export interface BfmImportOptions {
  /** Multiplies coordinates (e.g. 0.001 for a file in µm); default 1 (mm). */
  unitScale?: number;
  /** Tolerance of the orthonormality check of each pcaBasis (default 1e-3). */
  tolerance?: number;
  name?: string;
  /** The built-in model whose regions and landmarks are borrowed (default 'procedural'). */
  reference?: BuiltinFaceModelName;
}

type H5File = InstanceType<typeof h5wasm.File>;

function readDataset(f: H5File, file: string, name: string, optional = false): { data: Float64Array; shape: number[] } | null {
  const ds = f.get(name) as { value?: unknown; shape?: number[] | null } | null;
  if (!ds || !('shape' in ds)) {
    if (optional) return null;
    throw new Error(`BFM ${file}: missing dataset '${name}'`);
  }
  const v = ds.value as ArrayLike<number | bigint> | null;
  if (!v || typeof v !== 'object' || !('length' in v)) throw new Error(`BFM ${file}: dataset '${name}' is not a numeric array`);
  const data = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) data[i] = Number(v[i]);
  return { data, shape: ds.shape ?? [v.length] };
}

/** Reads one PCA model group: mean [3V], rows [K][3V] of the orthonormal basis, sd [K]. */
function readPca(f: H5File, file: string, group: string, N: number | null, tolerance: number, optional = false) {
  const mean = readDataset(f, file, `/${group}/model/mean`, optional);
  if (!mean) return null;
  const basis = readDataset(f, file, `/${group}/model/pcaBasis`)!;
  const variance = readDataset(f, file, `/${group}/model/pcaVariance`)!;
  const n = mean.data.length;
  if (n % 3 !== 0) throw new Error(`BFM ${file}: '/${group}/model/mean' has length ${n}, not a multiple of 3`);
  if (N !== null && n !== N) throw new Error(`BFM ${file}: '/${group}/model/mean' has length ${n}, expected ${N} (3 × vertices of the shape model)`);
  const K = variance.data.length;
  if (basis.data.length !== n * K) throw new Error(`BFM ${file}: '/${group}/model/pcaBasis' has length ${basis.data.length}, expected ${n} × ${K} (mean length × pcaVariance length)`);
  if (basis.shape.length === 2 && !(basis.shape[0] === n && basis.shape[1] === K)) throw new Error(`BFM ${file}: '/${group}/model/pcaBasis' has shape [${basis.shape}], expected [${n}, ${K}]`);
  for (let k = 0; k < K; k++) if (!(variance.data[k] >= 0)) throw new Error(`BFM ${file}: '/${group}/model/pcaVariance'[${k}] = ${variance.data[k]} is negative`);
  // Columns of the row-major [n][K] matrix → rows.
  const rows = Array.from({ length: K }, (_, k) => {
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = basis.data[i * K + k];
    return r;
  });
  const orth = orthonormaliseChecked(rows, tolerance, `BFM ${file}: '/${group}/model/pcaBasis'`);
  return { mean: mean.data, basis: orth, sd: Float32Array.from(variance.data, (x) => Math.sqrt(x)), K };
}

export async function importBfm(file: string, opts: BfmImportOptions = {}): Promise<FaceModel> {
  if (!existsSync(file)) throw new Error(`BFM: file ${file} does not exist`);
  await h5wasm.ready;
  let f: H5File;
  try {
    f = new h5wasm.File(file, 'r');
  } catch (e) {
    throw new Error(`BFM ${file}: not a readable HDF5 file (${(e as Error).message})`);
  }
  if (!f || (f as unknown as { file_id?: bigint }).file_id === undefined || (f as unknown as { file_id: bigint }).file_id < 0n) throw new Error(`BFM ${file}: not a readable HDF5 file`);
  try {
    const tol = opts.tolerance ?? 1e-3;
    const unit = opts.unitScale ?? 1;
    const shape = readPca(f, file, 'shape', null, tol)!;
    const N = shape.mean.length, V = N / 3;
    const color = readPca(f, file, 'color', N, tol)!;
    const expr = readPca(f, file, 'expression', N, tol, true);
    const cells = readDataset(f, file, '/shape/representer/cells')!;
    if (cells.data.length % 3 !== 0) throw new Error(`BFM ${file}: '/shape/representer/cells' has length ${cells.data.length}, not 3 × T`);
    const T = cells.data.length / 3;
    if (cells.shape.length === 2 && cells.shape[0] !== 3) throw new Error(`BFM ${file}: '/shape/representer/cells' has shape [${cells.shape}], expected [3, T]`);
    const triangles = new Uint32Array(T * 3);
    for (let t = 0; t < T; t++) for (let c = 0; c < 3; c++) {
      const v = cells.data[c * T + t];
      if (!(Number.isInteger(v) && v >= 0 && v < V)) throw new Error(`BFM ${file}: '/shape/representer/cells'[${c}][${t}] = ${v} is not a vertex index (< ${V})`);
      triangles[t * 3 + c] = v;
    }
    const mean = Float32Array.from(shape.mean, (x) => x * unit);
    const shapeSd = shape.sd.map((x) => x * unit);
    const albedoMean = Float32Array.from(color.mean, (x) => Math.min(1, Math.max(0, x)));
    const band = bandsByRoughness(color.basis, color.K, V, triangles);
    const expressionShape = new Float32Array((expr?.K ?? 0) * N);
    if (expr) for (let k = 0; k < expr.K; k++) for (let i = 0; i < N; i++) expressionShape[k * N + i] = expr.basis[k * N + i] * expr.sd[k] * unit;
    // Regions and landmarks from the built-in model, after matching bounding boxes (centre, height).
    const refName = opts.reference ?? 'procedural';
    const ref = loadBuiltinFaceModel(refName);
    const bbox = (p: Float32Array, sel: (v: number) => boolean) => {
      const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
      for (let v = 0; v < p.length / 3; v++) if (sel(v)) for (let c = 0; c < 3; c++) { lo[c] = Math.min(lo[c], p[v * 3 + c]); hi[c] = Math.max(hi[c], p[v * 3 + c]); }
      return [lo, hi];
    };
    const faceSet = new Set(ref.regions.face);
    const [rlo, rhi] = bbox(ref.mean, (v) => faceSet.has(v));
    const [tlo, thi] = bbox(mean, () => true);
    const { s, t } = fitScaleTranslation([tlo, thi], [rlo, rhi]);
    const nearest = nearestVertices(mean, s, t, ref.mean);
    const { regions, landmarks } = transferRegions(ref, nearest, mean, s, t);
    const demo = emptyDemographics(N);
    const model: FaceModel = {
      name: opts.name ?? 'bfm',
      description: `Basel Face Model import: ${V} vertices, ${shape.K} shape, ${color.K} colour, ${expr?.K ?? 0} expression components.`,
      vertexCount: V, triangleCount: T, mean, triangles, uv: null,
      shapeBasis: shape.basis, shapeSd, shapeNames: Array.from({ length: shape.K }, (_, k) => `shape_${k}`),
      albedoMean, textureBasis: color.basis, textureSd: color.sd, textureBand: band, textureBandNames: ['low', 'mid', 'high'],
      textureNames: Array.from({ length: color.K }, (_, k) => `color_${k}`),
      demographics: demo.spec, shapeDemo: demo.shape, textureDemo: demo.texture,
      expressionNames: Array.from({ length: expr?.K ?? 0 }, (_, k) => `expression_${k}`), expressionShape, expressionAlbedo: null,
      regions, landmarks,
      notes: [
        `Imported from ${file}. The Basel Face Model has its own licence (University of Basel): check it before redistributing.`,
        `Colour bands assigned by Laplacian roughness (tertiles). Regions and landmarks borrowed from the built-in model '${refName}' (${ref.name}) by nearest vertex after a bounding-box alignment.`,
        'No demographic norm: demographic directions are zero.',
      ],
    };
    validateFaceModel(model);
    return model;
  } finally {
    f.close();
  }
}
