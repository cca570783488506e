/**
 * Importer of an ICT-FaceKit folder (USC ICT, MIT licence) of OBJ files:
 * - generic_neutral_mesh.obj: the mean (cm in the files, converted to mm) and the topology (quads
 *   split into two triangles, triangles kept);
 * - identityNNN.obj: identity mode k = identity_k − neutral, at 1 sd (weights ~ N(0, 1)). The modes
 *   are not orthogonal (on the face area |cos| reaches ~0.5), so they are re-expressed as the
 *   principal axes of the face distribution they span (eigenvectors of their Gram matrix): N(0, 1)
 *   coefficients on the orthonormal axes give the same distribution of faces as N(0, 1) ICT weights;
 * - other OBJ files named in vertex_indices.json's expression list: expression blendshapes
 *   (expression − neutral at weight 1);
 * - faceOnly (default true) keeps vertices 0..9408 (the full face area) and the triangles inside.
 * ICT has no albedo: the texture space is the default model's, carried over by nearest vertex after
 * aligning the meshes by landmarks (eye corners, nose tip, mouth corners, chin), as are the named
 * regions and landmarks. The demographic norm is empty (zero directions).
 * The importer reads no files: the caller lists the folder and hands over each file's text on
 * request (IctSourceFiles; workers/cli/faces.ts: ictFolderFiles).
 */
import path from 'node:path';
import { type BuiltinFaceModelName, loadBuiltinFaceModel } from '../builtins';
import type { FaceModel } from '../model';
import { validateFaceModel } from '../model';
import { principalAxes, packRows } from '../basis-linalg';
import { emptyDemographics, fitScaleTranslation, nearestVertices, transferRegions, transferTexture } from './transfer';

const FACE_VERTICES = 9409;
const CM_TO_MM = 10;

export interface ObjMesh { positions: Float32Array; faces: number[][] }

/** Parses the vertices and faces (1-based 'f a/b/c ...' indices, any vertex count) of an OBJ text. */
export function parseObj(text: string, file: string): ObjMesh {
  const pos: number[] = [];
  const faces: number[][] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (raw.startsWith('v ')) {
      const p = raw.trim().split(/\s+/);
      const x = Number(p[1]), y = Number(p[2]), z = Number(p[3]);
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) throw new Error(`${file}:${line}: vertex line has non-numeric coordinates: '${raw.slice(0, 60)}'`);
      pos.push(x, y, z);
    } else if (raw.startsWith('f ')) {
      const idx = raw.trim().split(/\s+/).slice(1).map((t) => Number.parseInt(t.split('/')[0], 10) - 1);
      if (idx.length < 3 || idx.some((i) => !(i >= 0))) throw new Error(`${file}:${line}: face line is malformed: '${raw.slice(0, 60)}'`);
      faces.push(idx);
    }
  }
  if (pos.length === 0) throw new Error(`${file}: no vertices ('v x y z' lines) found`);
  return { positions: Float32Array.from(pos), faces };
}

/** An ICT-FaceKit folder as the importer sees it: its file names, and one file's text (null: absent). */
export interface IctSourceFiles {
  /** The folder's name, for messages. */
  folder: string;
  names: string[];
  text(name: string): string | null;
}

function readObj(src: IctSourceFiles, name: string): ObjMesh {
  const file = path.join(src.folder, name);
  const text = src.text(name);
  if (text === null) throw new Error(`ICT-FaceKit: missing file ${file}`);
  return parseObj(text, file);
}

export interface IctImportOptions {
  /** Keep only the face area (vertices 0..9408); default true. */
  faceOnly?: boolean;
  /** At most this many identity modes (default: all identityNNN.obj present). */
  maxIdentities?: number;
  /** Only these expressions (default: every expression file present). */
  expressions?: string[];
  /** The built-in model whose texture space, regions and landmarks are borrowed (default 'procedural'). */
  reference?: BuiltinFaceModelName;
}

export function importIctFaceKit(src: IctSourceFiles, opts: IctImportOptions = {}): FaceModel {
  const dir = src.folder;
  const faceOnly = opts.faceOnly ?? true;
  const neutral = readObj(src, 'generic_neutral_mesh.obj');
  const Vall = neutral.positions.length / 3;
  const V = faceOnly ? Math.min(FACE_VERTICES, Vall) : Vall;
  const N = V * 3;
  const mean = new Float32Array(N);
  for (let i = 0; i < N; i++) mean[i] = neutral.positions[i] * CM_TO_MM;
  const tris: number[] = [];
  for (const f of neutral.faces) {
    if (f.some((i) => i >= Vall)) throw new Error(`ICT-FaceKit: generic_neutral_mesh.obj has a face with vertex index ≥ ${Vall}`);
    if (f.some((i) => i >= V)) continue;
    for (let k = 1; k + 1 < f.length; k++) tris.push(f[0], f[k], f[k + 1]); // fan: quads → 2 triangles
  }
  const triangles = Uint32Array.from(tris);

  const deltaOf = (file: string): Float64Array => {
    const m = readObj(src, file);
    if (m.positions.length !== neutral.positions.length) throw new Error(`ICT-FaceKit: ${file} has ${m.positions.length / 3} vertices, generic_neutral_mesh.obj has ${Vall}`);
    const d = new Float64Array(N);
    for (let i = 0; i < N; i++) d[i] = (m.positions[i] - neutral.positions[i]) * CM_TO_MM;
    return d;
  };
  const files = src.names;
  const identityFiles = files.filter((f) => /^identity\d{3}\.obj$/.test(f)).sort().slice(0, opts.maxIdentities ?? Infinity);
  if (identityFiles.length === 0) throw new Error(`ICT-FaceKit: no identityNNN.obj files in ${dir}`);
  const modes = identityFiles.map(deltaOf);
  for (const [k, m] of modes.entries()) if (!m.some((x) => x !== 0)) throw new Error(`ICT-FaceKit: ${identityFiles[k]} equals the neutral mesh (an empty identity mode)`);
  const axes = principalAxes(modes);
  const shapeBasis = packRows(axes.rows, N);
  const sd = Float32Array.from(axes.sd);

  let exprNames: string[] = [];
  const indicesText = src.text('vertex_indices.json');
  let landmarkVerts: number[] = [];
  if (indicesText !== null) {
    const idx = JSON.parse(indicesText) as { expressions?: string[]; idx_to_landmark_verts?: number[] };
    exprNames = (idx.expressions ?? []).filter((e) => files.includes(`${e}.obj`));
    landmarkVerts = idx.idx_to_landmark_verts ?? [];
  } else {
    exprNames = files.filter((f) => f.endsWith('.obj') && f !== 'generic_neutral_mesh.obj' && !/^identity\d{3}\.obj$/.test(f)).map((f) => f.slice(0, -4));
  }
  if (opts.expressions) {
    for (const e of opts.expressions) if (!exprNames.includes(e)) throw new Error(`ICT-FaceKit: expression '${e}' has no ${e}.obj in ${dir} (present: ${exprNames.join(', ')})`);
    exprNames = opts.expressions;
  }
  const expressionShape = new Float32Array(exprNames.length * N);
  exprNames.forEach((e, k) => expressionShape.set(deltaOf(`${e}.obj`), k * N));

  // Align to the default model by iBUG-68 landmarks when present, else by bounding boxes.
  const refName = opts.reference ?? 'procedural';
  const ref = loadBuiltinFaceModel(refName);
  const pairs: [number, string][] = [[36, 'right_eye_outer'], [39, 'right_eye_inner'], [42, 'left_eye_inner'], [45, 'left_eye_outer'], [30, 'nose_tip'], [48, 'mouth_right'], [54, 'mouth_left'], [8, 'chin']];
  const from: number[][] = [], to: number[][] = [];
  if (landmarkVerts.length >= 68) {
    for (const [i, name] of pairs) {
      const v = landmarkVerts[i];
      from.push([mean[v * 3], mean[v * 3 + 1], mean[v * 3 + 2]]);
      const r = ref.landmarks[name];
      to.push([ref.mean[r * 3], ref.mean[r * 3 + 1], ref.mean[r * 3 + 2]]);
    }
  }
  const { s, t } = from.length ? fitScaleTranslation(from, to) : { s: 1, t: [0, 0, 0] };
  const nearest = nearestVertices(mean, s, t, ref.mean);
  const { regions, landmarks } = transferRegions(ref, nearest, mean, s, t);
  const tex = transferTexture(ref, nearest);
  const demo = emptyDemographics(N);
  const model: FaceModel = {
    name: `ict-facekit-${identityFiles.length}id`,
    description: `ICT-FaceKit import (${faceOnly ? 'face area, vertices 0..9408' : 'full head'}): ${identityFiles.length} identity modes, ${exprNames.length} expressions.`,
    vertexCount: V, triangleCount: triangles.length / 3, mean, triangles, uv: null,
    shapeBasis, shapeSd: sd, shapeNames: Array.from(sd, (_, k) => `ict_axis_${k}`),
    albedoMean: tex.albedoMean, textureBasis: tex.basis, textureSd: tex.sd, textureBand: tex.band, textureBandNames: [...ref.textureBandNames], textureNames: tex.names,
    demographics: demo.spec, shapeDemo: demo.shape, textureDemo: demo.texture,
    expressionNames: exprNames, expressionShape, expressionAlbedo: null,
    regions, landmarks,
    notes: [
      'Shape from ICT-FaceKit (Copyright (c) 2020 USC Institute for Creative Technologies, MIT licence); units converted from cm to mm.',
      `Texture space, regions and landmarks: borrowed from the built-in model '${refName}' (${ref.name}), carried over by nearest vertex after a landmark scale+translation alignment (scale ${s.toFixed(3)}).`,
      'No demographic norm: demographic directions are zero.',
    ],
  };
  validateFaceModel(model);
  return model;
}
