/**
 * FaceModel: a morphable face (mesh + linear shape, texture and expression spaces + demographic norm).
 *
 * Array layouts (V vertices, T triangles, Ks/Kt/Ke components):
 * - mean:            Float32Array [V][3] vertex positions in mm (x right in the image of a frontal
 *                    face = the subject's left, y up, z towards the camera; the head centre near 0).
 * - triangles:       Uint32Array [T][3] vertex indices, counter-clockwise seen from outside.
 * - uv:              Float32Array [V][2] or null.
 * - shapeBasis:      Float32Array [Ks][V*3], rows orthonormal (B Bᵀ = I); a unit coefficient moves
 *                    the face by shapeSd[k] mm along row k (shapeSd: Float32Array [Ks], mm).
 * - albedoMean:      Float32Array [V][3] linear RGB in [0, 1].
 * - textureBasis:    Float32Array [Kt][V*3], rows orthonormal; textureSd [Kt] in albedo units;
 *                    textureBand: Uint8Array [Kt] the spatial-frequency band index of each row
 *                    (names in textureBandNames, e.g. low, mid, high).
 * - demographics:    the linear norm: a face with demographic values d has
 *                    mean + Σ_j d_j · shapeDemo[j] (and the same for albedo). Directions are rows of
 *                    shapeDemo [D][V*3] (mm per unit) and textureDemo [D][V*3]; they are orthogonal
 *                    to every identity basis row, so demographics and identity never mix.
 * - expressions:     expressionShape [Ke][V*3] mm at weight 1 (blendshapes, action-unit-like);
 *                    expressionAlbedo [Ke][V*3] or null (e.g. a closed lid covers the eye's albedo).
 * - regions:         named vertex sets (nose, mouth, chin, forehead, left_eye, right_eye, brow,
 *                    left_brow, right_brow, cheek, left_cheek, right_cheek, ...).
 * - landmarks:       named single vertices (nose_tip, left_eye_outer, ...).
 */
export interface DemographicSpec {
  /** Names of the demographic directions, e.g. ['gender', 'age', 'ethnicity:A', ...]. */
  names: string[];
  /** Ethnicity groups; their rows in shapeDemo are named 'ethnicity:<group>' and sum to zero. */
  ethnicityGroups: string[];
  /** Age (years) at which the age direction contributes nothing, and years per unit of the direction. */
  ageReference: number;
  agePerUnit: number;
  /** Allowed age range in years for sampling. */
  ageRange: [number, number];
}

export interface FaceModel {
  name: string;
  description: string;
  vertexCount: number;
  triangleCount: number;
  mean: Float32Array;
  triangles: Uint32Array;
  uv: Float32Array | null;
  shapeBasis: Float32Array;
  shapeSd: Float32Array;
  shapeNames: string[];
  albedoMean: Float32Array;
  textureBasis: Float32Array;
  textureSd: Float32Array;
  textureBand: Uint8Array;
  textureBandNames: string[];
  textureNames: string[];
  demographics: DemographicSpec;
  shapeDemo: Float32Array;
  textureDemo: Float32Array;
  expressionNames: string[];
  expressionShape: Float32Array;
  expressionAlbedo: Float32Array | null;
  regions: Record<string, Uint32Array>;
  landmarks: Record<string, number>;
  /** Free-form provenance and licence notes (e.g. for imported models). */
  notes: string[];
}

export function shapeComponentCount(m: FaceModel): number {
  return m.shapeSd.length;
}
export function textureComponentCount(m: FaceModel): number {
  return m.textureSd.length;
}

/** Row k of a [K][N] row-major basis as a view (no copy). */
export function basisRow(basis: Float32Array, k: number, n: number): Float32Array {
  return basis.subarray(k * n, (k + 1) * n);
}

/** max |BBᵀ − I| over a row basis [K][N]; the orthonormality check of every basis. */
export function orthonormalityError(basis: Float32Array, k: number, n: number): number {
  let worst = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      const oi = i * n;
      const oj = j * n;
      for (let t = 0; t < n; t++) s += basis[oi + t] * basis[oj + t];
      const e = Math.abs(s - (i === j ? 1 : 0));
      if (e > worst) worst = e;
    }
  }
  return worst;
}

/** Checks the sizes of every array against V, T and the component counts; throws naming the bad field. */
export function validateFaceModel(m: FaceModel): void {
  const V = m.vertexCount;
  const N = V * 3;
  const expect = (field: string, actual: number, wanted: number) => {
    if (actual !== wanted) throw new Error(`FaceModel '${m.name}': ${field} has length ${actual}, expected ${wanted}`);
  };
  if (!(V > 0)) throw new Error(`FaceModel '${m.name}': vertexCount must be > 0`);
  expect('mean', m.mean.length, N);
  expect('triangles', m.triangles.length, m.triangleCount * 3);
  if (m.uv) expect('uv', m.uv.length, V * 2);
  expect('shapeBasis', m.shapeBasis.length, m.shapeSd.length * N);
  expect('shapeNames', m.shapeNames.length, m.shapeSd.length);
  expect('albedoMean', m.albedoMean.length, N);
  expect('textureBasis', m.textureBasis.length, m.textureSd.length * N);
  expect('textureBand', m.textureBand.length, m.textureSd.length);
  expect('textureNames', m.textureNames.length, m.textureSd.length);
  expect('shapeDemo', m.shapeDemo.length, m.demographics.names.length * N);
  expect('textureDemo', m.textureDemo.length, m.demographics.names.length * N);
  expect('expressionShape', m.expressionShape.length, m.expressionNames.length * N);
  if (m.expressionAlbedo) expect('expressionAlbedo', m.expressionAlbedo.length, m.expressionNames.length * N);
  for (let i = 0; i < m.triangles.length; i++) {
    if (m.triangles[i] >= V) throw new Error(`FaceModel '${m.name}': triangles[${i}] = ${m.triangles[i]} is not a vertex index (< ${V})`);
  }
  for (const [name, idx] of Object.entries(m.regions)) {
    for (const v of idx) if (v >= V) throw new Error(`FaceModel '${m.name}': region '${name}' holds vertex ${v} >= ${V}`);
  }
  for (const [name, v] of Object.entries(m.landmarks)) {
    if (!(v >= 0 && v < V)) throw new Error(`FaceModel '${m.name}': landmark '${name}' = ${v} is not a vertex index`);
  }
}
