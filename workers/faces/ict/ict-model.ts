/**
 * The built-in `ict` FaceModel ("deeper-ict-v1"): ICT-FaceKit's mesh and 100 identity modes (MIT,
 * shipped as ict-facekit.bin beside this file), synthetic demographic norm (demographics.ts),
 * synthetic 5-band albedo (texture.ts), 25 FACS action units (expressions.ts), landmark-anchored
 * regions (anatomy.ts). Building takes tens of seconds; the result is cached (model-cache.ts).
 *
 * Shape: each ICT mode m_k (mm at 1 sd) is multiplied per vertex by (1 − scalp[v]) so that the scalp
 * and the back of the skull carry no identity variance (smooth 15–20 mm ramp), then re-expressed
 * as the principal axes of the distribution the masked modes span (linalg.principalAxes: N(0, 1)
 * coefficients on the orthonormal axes give the same faces as N(0, 1) ICT weights).
 * Frame: ICT's positions are translated by RECENTRE_MM so the pose pivot (origin) sits inside the
 * head between the ears, at the height between the eyes and the mouth.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { principalAxes } from '../basis-linalg';
import { sha256Hex, sourceDigest } from '../../util';
import { buildAdjacency, smoothField } from '../meshops';
import type { FaceModel } from '../model';
import { validateFaceModel } from '../model';
import { buildAnatomy } from './anatomy';
import {
  AGE_PER_UNIT, AGE_RANGE, AGE_REFERENCE, DEMOGRAPHIC_NAMES, ETHNICITY_GROUPS, NORM_FIT_SEED, NORM_FIT_SIZE, NORM_TRUTH_SEED,
  demographicFields, directionsInCoefficientSpace, fitDemographicModel, simulatePopulation,
} from './demographics';
import { actionUnitShapes } from './expressions';
import { type IctData, decodeIctFile } from './ict-file';
import { cachedFaceModel, type CacheOptions } from './model-cache';
import { GROUP_SKIN, MEAN_SKIN, REF_TONE, TEXTURE_BANDS_MM, type TextureMasks, meanAlbedo, skinColourAt, textureSpace } from './texture';

export const ICT_MODEL_NAME = 'deeper-ict-v1';
const RECENTRE_MM = [0, 22, 20];
const here = path.dirname(fileURLToPath(import.meta.url));
export const ICT_FILE = path.join(here, 'ict-facekit.bin');

export function readIctFile(file = ICT_FILE): IctData {
  let bytes: Uint8Array;
  try { bytes = readFileSync(file); } catch (e) { throw new Error(`${file}: cannot be read (${(e as Error).message})`); }
  return decodeIctFile(bytes, file);
}

const bump = (d2: number, s: number) => Math.exp(-d2 / (2 * s * s));
const smoothstep = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

/**
 * Hair density [0, 1] of a skin vertex (the head's mesh is coarse, so a narrow ramp looks jagged): 1 wherever the scalp mask is 1 (so the scalp carries no
 * identity texture), and in front of it a soft hairline: a smoothstep ramp HAIRLINE_RAMP_MM tall
 * whose lower edge starts 30 mm below the scalp ramp's top and is broken up by a fixed irregular
 * field (± 2 mm, wavelengths ~15–30 mm; the same for every identity, so hair is no identity feature).
 */
const HAIRLINE_RAMP_MM = 34;
function hairDensity(p: number[], scalp: number, hairlineY: number): number {
  const [x, y, z] = p;
  const wobble = 0.6 * Math.cos(0.21 * x + 0.13 * z + 1.3) + 0.4 * Math.cos(0.37 * x - 0.23 * z + 0.4);
  const soft = smoothstep((y - (hairlineY - 30 + 2 * wobble)) / HAIRLINE_RAMP_MM);
  return Math.max(scalp, soft);
}

/** Squared distance from p to the segment ab (2D x, y and z). */
function segDist2(p: number[], a: number[], b: number[]): number {
  const ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1] + (p[2] - a[2]) * ab[2]) / (ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2 || 1)));
  return (p[0] - a[0] - t * ab[0]) ** 2 + (p[1] - a[1] - t * ab[1]) ** 2 + (p[2] - a[2] - t * ab[2]) ** 2;
}

export function buildIctFaceModel(data: IctData = readIctFile()): FaceModel {
  const h = data.header;
  const V = h.vertexCount;
  const N = V * 3;
  const mean = Float32Array.from(data.mean, (x, i) => x - RECENTRE_MM[i % 3]);
  const anatomy = buildAnatomy({ mean, part: data.part, parts: h.parts, landmarks68: h.landmarks68 });
  const P = (v: number) => [mean[v * 3], mean[v * 3 + 1], mean[v * 3 + 2]];
  const L = (i: number) => P(h.landmarks68[i]);
  const skinPart = (v: number) => h.parts[data.part[v]] === 'face' || h.parts[data.part[v]] === 'head';

  // Masks for the albedo.
  const lipSet = new Set(anatomy.regions.lips);
  const masks: TextureMasks = { skin: new Float32Array(V), lips: new Float32Array(V), brows: new Float32Array(V), lidMargin: new Float32Array(V), hair: new Float32Array(V) };
  const browLines = [[17, 18, 19, 20, 21], [22, 23, 24, 25, 26]];
  const eyeLoops = [[36, 37, 38, 39, 40, 41, 36], [42, 43, 44, 45, 46, 47, 42]];
  for (let v = 0; v < V; v++) {
    if (!skinPart(v)) continue;
    const p = P(v);
    let db = Infinity, de = Infinity;
    for (const line of browLines) for (let i = 0; i + 1 < line.length; i++) db = Math.min(db, segDist2([p[0], p[1] + 2.5, p[2]], L(line[i]), L(line[i + 1])));
    for (const loop of eyeLoops) for (let i = 0; i + 1 < loop.length; i++) de = Math.min(de, segDist2(p, L(loop[i]), L(loop[i + 1])));
    masks.brows[v] = db < 36 ? bump(db, 3) : 0;
    masks.lidMargin[v] = bump(de, 0.9);
    masks.lips[v] = lipSet.has(v) ? 1 : 0;
    masks.hair[v] = hairDensity(p, anatomy.scalp[v], anatomy.hairlineY);
    masks.skin[v] = (1 - masks.hair[v]) * (1 - 0.5 * masks.lips[v]) * (1 - 0.6 * masks.brows[v]);
  }

  // Soft lip edge: the per-vertex lip indicator smoothed over the mesh (a binary mask looks jagged).
  const lipSoft = smoothField(buildAdjacency(V, data.triangles), Float64Array.from(masks.lips), 1, 4);
  for (let v = 0; v < V; v++) {
    if (!skinPart(v)) continue;
    masks.lips[v] = Math.min(1, Math.max(0, (lipSoft[v] - 0.2) / 0.6));
    masks.skin[v] = (1 - masks.hair[v]) * (1 - 0.5 * masks.lips[v]) * (1 - 0.6 * masks.brows[v]);
  }

  // Shape: masked ICT modes → principal axes.
  const modes = data.identities.map((m) => Float64Array.from(m, (x, i) => x * (1 - anatomy.scalp[Math.floor(i / 3)])));
  const axes = principalAxes(modes);
  const K = axes.rows.length;
  const shapeBasis = new Float32Array(K * N);
  axes.rows.forEach((r, k) => shapeBasis.set(r, k * N));
  const shapeSd = Float32Array.from(axes.sd);

  // Demographic norm (synthetic, coefficient space).
  const skinForShape = Float32Array.from({ length: V }, (_, v) => (skinPart(v) ? 1 - anatomy.scalp[v] : 0));
  const fields = demographicFields(mean, skinForShape, {
    noseTip: L(30), chin: L(8), browCentre: [0, L(19)[1], L(27)[2]], mouthCentre: [0, (L(51)[1] + L(57)[1]) / 2, L(51)[2]],
    eyeCentre: [0, L(39)[1], L(39)[2]], noseHalfWidth: Math.abs(L(35)[0]),
  });
  const betaTrue = directionsInCoefficientSpace(shapeBasis, shapeSd, fields);
  const betaHat = fitDemographicModel(simulatePopulation(betaTrue, NORM_FIT_SEED, NORM_FIT_SIZE));
  const toVertex = (beta: ArrayLike<number>) => {
    const out = new Float64Array(N);
    for (let k = 0; k < K; k++) { const w = beta[k] * shapeSd[k]; if (w !== 0) for (let i = 0; i < N; i++) out[i] += w * shapeBasis[k * N + i]; }
    return out;
  };
  const ethMean = new Float64Array(K);
  for (const g of [2, 3, 4]) for (let k = 0; k < K; k++) ethMean[k] += betaHat[g][k] / 3;
  const shapeDemo = new Float32Array(5 * N);
  shapeDemo.set(toVertex(betaHat[0]), 0);
  shapeDemo.set(toVertex(betaHat[1]), N);
  for (const g of [2, 3, 4]) shapeDemo.set(toVertex(betaHat[g].map((b, k) => b - ethMean[k])), g * N);
  const ethShift = toVertex(ethMean);
  for (let i = 0; i < N; i++) mean[i] += ethShift[i];

  // Texture. Beard shadow and texture amplitudes are set on the darkest tone (REF_TONE, texture.ts).
  const albedoMean = meanAlbedo(mean, data.part, h.parts, masks);
  const tex = textureSpace(mean, masks);
  const textureDemo = new Float32Array(5 * N);
  const beard = new Float32Array(V);
  const mouthY = (L(51)[1] + L(57)[1]) / 2;
  for (let v = 0; v < V; v++) {
    if (!skinPart(v)) continue;
    const [x, y, z] = P(v);
    const skinW = (1 - masks.hair[v]) * (1 - 0.8 * masks.brows[v]);
    // Beard shadow: below the nose, in front of the ears, off the lips.
    beard[v] = (y < L(33)[1] + 2 ? 1 : 0) * (z > L(0)[2] - 10 ? 1 : 0) * (1 - masks.lips[v]) * Math.min(1, Math.abs(L(33)[1] + 2 - y) / 8) * (Math.abs(x) < 80 ? 1 : 0) * (y > L(8)[1] - 25 ? 1 : 0);
    // Each group's skin colour at this vertex (lips, brows, hair blended as in the mean albedo). The
    // mean albedo of skin is their average and the ethnicity rows their centred values, so the rows
    // sum to zero and a one-hot face gets exactly its group's colour (the hair blend is not linear).
    const own = ETHNICITY_GROUPS.map((g) => skinColourAt(GROUP_SKIN[g], masks, v));
    const meanOwn = [0, 1, 2].map((c) => own.reduce((s, o) => s + o[c], 0) / own.length);
    for (let c = 0; c < 3; c++) {
      // Male (+1) beard shadow: a grey-blue darkening of 14 % (R) on the darkest tone, less on lighter
      // ones; half of it sits in the mean and half in the gender row, so female (−1) faces get none
      // (a symmetric ± row would lighten women's jaws).
      const halfBeard = 0.5 * 0.14 * beard[v] * [1, 0.75, 0.5][c] * REF_TONE[c] * skinW;
      albedoMean[v * 3 + c] = meanOwn[c] - halfBeard;
      textureDemo[v * 3 + c] = -0.05 * REF_TONE[c] * skinW - halfBeard; // gender (+1 male): slightly darker skin, beard shadow
      textureDemo[N + v * 3 + c] = MEAN_SKIN[c] * skinW * (c === 2 ? -0.06 : -0.03); // age: darker, yellower
      ETHNICITY_GROUPS.forEach((_, j) => { textureDemo[(2 + j) * N + v * 3 + c] = own[j][c] - meanOwn[c]; });
    }
  }
  // Brows and hair follow the group a little (darker groups: darker brows already near black).
  const au = actionUnitShapes(data.expressions, N);

  const model: FaceModel = {
    name: ICT_MODEL_NAME,
    description: `Built-in ICT face model: ICT-FaceKit mesh (${V} vertices: face, head, neck, eyes, mouth interior) with its ${K} scan-derived identity modes; SYNTHETIC demographic norm (gender, age, groups A/B/C) in coefficient space; SYNTHETIC albedo (${tex.sd.length} components in ${TEXTURE_BANDS_MM.length} bands); ${au.names.length} FACS action units.`,
    vertexCount: V, triangleCount: h.triangleCount, mean, triangles: data.triangles, uv: null,
    shapeBasis, shapeSd, shapeNames: Array.from({ length: K }, (_, k) => `ict_axis_${k}`),
    albedoMean, textureBasis: tex.basis, textureSd: tex.sd, textureBand: tex.band,
    textureBandNames: TEXTURE_BANDS_MM.map((w) => `${w}mm`), textureNames: tex.names,
    demographics: { names: DEMOGRAPHIC_NAMES, ethnicityGroups: ETHNICITY_GROUPS, ageReference: AGE_REFERENCE, agePerUnit: AGE_PER_UNIT, ageRange: AGE_RANGE },
    shapeDemo, textureDemo,
    expressionNames: au.names, expressionShape: au.rows, expressionAlbedo: null,
    regions: anatomy.regions, landmarks: anatomy.landmarks,
    notes: [
      `Shape: ICT-FaceKit (Copyright (c) 2020 USC Institute for Creative Technologies, MIT licence; ${h.provenance}), cm converted to mm, identity modes int8-quantised (see workers/faces/README.md).`,
      'SYNTHETIC demographics: ICT has no demographic labels. Gender, age and groups A/B/C are hand-defined displacement fields projected onto the identity axes, with a linear model fitted on a simulated population (workers/faces/ict/demographics.ts). They are not fitted to real people.',
      'SYNTHETIC texture: ICT has no albedo. Skin tones, lips, brows, irises and the 5-band identity texture fields are generated (workers/faces/ict/texture.ts).',
      'No identity-specific hair: the scalp carries zero identity shape and texture variance and the same close-cropped hair colour for everyone.',
      'Expressions: FACS action units built from ICT expression shapes; AU23 ≈ mouthPress, AU26 ≈ 0.4·jawOpen, AU25 and AU41 approximated (workers/faces/ict/expressions.ts).',
      `Demographic norm fitted on seed ${NORM_FIT_SEED} (${NORM_FIT_SIZE} simulated faces; truth seed ${NORM_TRUTH_SEED}).`,
    ],
  };
  validateFaceModel(model);
  return model;
}

function cacheKey(data: IctData): string {
  // the data and every .ts file of faces/ict, faces/ and workers/util, by content (renames keep the key)
  const sources = sourceDigest([here, path.join(here, '..'), path.join(here, '..', '..', 'util')]);
  return `${ICT_MODEL_NAME}-${sha256Hex(data.header.payloadSha256, sources).slice(0, 12)}`;
}

let memo: FaceModel | null = null;

/** The `ict` model: memory, else the checksummed disk cache, else built (and cached). */
export function loadIctFaceModel(opts: CacheOptions & { fresh?: boolean } = {}): FaceModel {
  if (memo && !opts.fresh && !opts.dir) return memo;
  const data = readIctFile();
  const m = cachedFaceModel(cacheKey(data), `${ICT_MODEL_NAME}-`, () => buildIctFaceModel(data), opts);
  if (!opts.dir) memo = m;
  return m;
}
