/**
 * The shipped ICT shape file (workers/faces/ict/ict-facekit.bin), derived from ICT-FaceKit (MIT) by
 * scripts/build-ict-builtin.ts. Layout (all little-endian):
 *   bytes 0..7   magic "DPRICT01"
 *   bytes 8..11  u32 H: length of the JSON header
 *   H bytes      JSON header (IctHeader below): counts, names, landmarks, section table, and the
 *                sha256 and length of the uncompressed payload
 *   rest         zlib-deflated payload; sections at header.sections[name].offset (bytes, 8-aligned):
 *     mean           f32 [V][3]  neutral positions, mm
 *     triangles      u32 [T][3]
 *     part           u8  [V]     index into header.parts (face, head, mouth_socket, ...)
 *     identityScale  f32 [K][P]  mm per int8 step of identity mode k on part p (one scale per mode and part)
 *     identity       i8  [K][V][3] mode k at 1 sd = identity[k][v] * identityScale[k][part[v]] (mm)
 *     exprScale      f32 [E]     mm per int8 step of expression e
 *     exprOffsets    u32 [E+1]   expression e moves vertices exprIndices[exprOffsets[e] .. exprOffsets[e+1])
 *     exprIndices    u32 [M]
 *     exprDeltas     i16 [M][3]  displacement at full activation = exprDeltas * exprScale[e] (mm)
 * Quantisation: identities int8 with one scale per (mode, part) = max |delta| / 127; expressions
 * int16 (max |delta| / 32767). The build script reports the largest rounding errors
 * (workers/faces/README.md states them).
 */
import { sha256Hex } from '../../util';
import { deflateSync, inflateSync } from 'node:zlib';
import { z } from 'zod';

export const ICT_MAGIC = 'DPRICT01';

/** The ICT expression shapes the AU table (expressions.ts) uses; only these are shipped. */
export const ICT_EXPRESSIONS_USED = [
  'browInnerUp_L', 'browInnerUp_R', 'browOuterUp_L', 'browOuterUp_R', 'browDown_L', 'browDown_R',
  'eyeWide_L', 'eyeWide_R', 'cheekSquint_L', 'cheekSquint_R', 'eyeSquint_L', 'eyeSquint_R',
  'noseSneer_L', 'noseSneer_R', 'mouthShrugUpper', 'mouthUpperUp_L', 'mouthUpperUp_R',
  'mouthSmile_L', 'mouthSmile_R', 'mouthDimple_L', 'mouthDimple_R', 'mouthFrown_L', 'mouthFrown_R',
  'mouthLowerDown_L', 'mouthLowerDown_R', 'mouthShrugLower', 'mouthPucker', 'mouthStretch_L', 'mouthStretch_R',
  'mouthFunnel', 'mouthPress_L', 'mouthPress_R', 'jawOpen', 'mouthRollLower', 'mouthRollUpper',
  'eyeBlink_L', 'eyeBlink_R',
] as const;

/** Expression displacements below this (mm) are not stored (sparse rows). */
export const EXPRESSION_MIN_MM = 0.01;

export type IctPart = 'face' | 'head' | 'mouth_socket' | 'eye_socket' |  'left_eyeball' | 'right_eyeball';

const Dtype = z.enum(['f32', 'u32', 'u8', 'i8', 'i16']);
const Section = z.object({ dtype: Dtype, offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });
const SECTION_NAMES = ['mean', 'triangles', 'part', 'identityScale', 'identity', 'exprScale', 'exprOffsets', 'exprIndices', 'exprDeltas'] as const;
type SectionName = (typeof SECTION_NAMES)[number];
const SECTION_DTYPE: Record<SectionName, z.infer<typeof Dtype>> = {
  mean: 'f32', triangles: 'u32', part: 'u8', identityScale: 'f32', identity: 'i8', exprScale: 'f32', exprOffsets: 'u32', exprIndices: 'u32', exprDeltas: 'i16',
};

export const IctHeader = z.object({
  version: z.literal(1),
  provenance: z.string(),
  vertexCount: z.number().int().positive(),
  triangleCount: z.number().int().positive(),
  parts: z.array(z.string()).min(1),
  identityCount: z.number().int().positive(),
  expressionNames: z.array(z.string()),
  landmarks68: z.array(z.number().int().nonnegative()).length(68),
  payloadBytes: z.number().int().positive(),
  payloadSha256: z.string().regex(/^[0-9a-f]{64}$/),
  sections: z.object(Object.fromEntries(SECTION_NAMES.map((n) => [n, Section])) as Record<SectionName, typeof Section>),
});
export type IctHeader = z.infer<typeof IctHeader>;

/** What the build script hands to encodeIctFile (float arrays in mm). */
export interface IctSource {
  mean: Float32Array;
  triangles: Uint32Array;
  part: Uint8Array;
  parts: string[];
  identities: Float32Array[];
  expressions: Record<string, Float32Array>;
  landmarks68: number[];
  provenance: string;
}

/** The decoded file, deltas back in mm (Float32). */
export interface IctData {
  header: IctHeader;
  mean: Float32Array;
  triangles: Uint32Array;
  part: Uint8Array;
  /** [K][V*3] mm at 1 sd. */
  identities: Float32Array[];
  /** name -> [V*3] mm at full activation (dense). */
  expressions: Record<string, Float32Array>;
}

function quantise(a: Float32Array, levels: number, mask?: (i: number) => boolean): { scale: number; q: (x: number) => number } {
  let peak = 0;
  for (let i = 0; i < a.length; i++) if (!mask || mask(i)) peak = Math.max(peak, Math.abs(a[i]));
  const scale = peak > 0 ? peak / levels : 1;
  return { scale, q: (x: number) => Math.round(x / scale) };
}

export function encodeIctFile(src: IctSource): { bytes: Uint8Array; report: Record<string, number> } {
  const V = src.mean.length / 3;
  const K = src.identities.length;
  const exprNames = Object.keys(src.expressions);
  const P = src.parts.length;
  const idScale = new Float32Array(K * P);
  const idQ = new Int8Array(K * V * 3);
  let idErr = 0;
  let idErrFace = 0;
  src.identities.forEach((m, k) => {
    for (let p = 0; p < P; p++) {
      const r = quantise(m, 127, (i) => src.part[Math.floor(i / 3)] === p);
      idScale[k * P + p] = r.scale;
      for (let i = 0; i < m.length; i++) {
        if (src.part[Math.floor(i / 3)] !== p) continue;
        idQ[k * V * 3 + i] = r.q(m[i]);
        const err = Math.abs(idQ[k * V * 3 + i] * r.scale - m[i]);
        idErr = Math.max(idErr, err);
        if (p === 0) idErrFace = Math.max(idErrFace, err);
      }
    }
  });
  const exprScale = new Float32Array(exprNames.length);
  const offsets = new Uint32Array(exprNames.length + 1);
  const idx: number[] = [];
  const deltas: number[] = [];
  let exErr = 0;
  exprNames.forEach((name, e) => {
    const a = src.expressions[name];
    const r = quantise(a, 32767);
    exprScale[e] = r.scale;
    for (let v = 0; v < V; v++) {
      const q = [r.q(a[v * 3]), r.q(a[v * 3 + 1]), r.q(a[v * 3 + 2])];
      if (Math.hypot(a[v * 3], a[v * 3 + 1], a[v * 3 + 2]) < EXPRESSION_MIN_MM) { exErr = Math.max(exErr, Math.hypot(a[v * 3], a[v * 3 + 1], a[v * 3 + 2])); continue; }
      idx.push(v);
      deltas.push(...q);
      for (let c = 0; c < 3; c++) exErr = Math.max(exErr, Math.abs(q[c] * r.scale - a[v * 3 + c]));
    }
    offsets[e + 1] = idx.length;
  });
  const arrays: Record<SectionName, Float32Array | Uint32Array | Uint8Array | Int8Array | Int16Array> = {
    mean: src.mean, triangles: src.triangles, part: src.part, identityScale: idScale, identity: idQ,
    exprScale, exprOffsets: offsets, exprIndices: Uint32Array.from(idx), exprDeltas: Int16Array.from(deltas),
  };
  const sections = {} as IctHeader['sections'];
  let cursor = 0;
  for (const n of SECTION_NAMES) {
    sections[n] = { dtype: SECTION_DTYPE[n], offset: cursor, length: arrays[n].length };
    cursor = Math.ceil((cursor + arrays[n].byteLength) / 8) * 8;
  }
  const payload = new Uint8Array(cursor);
  for (const n of SECTION_NAMES) { const a = arrays[n]; payload.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), sections[n].offset); }
  const header: IctHeader = {
    version: 1, provenance: src.provenance, vertexCount: V, triangleCount: src.triangles.length / 3, parts: src.parts,
    identityCount: K, expressionNames: exprNames, landmarks68: src.landmarks68, payloadBytes: payload.length,
    payloadSha256: sha256Hex(payload), sections,
  };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const packed = deflateSync(payload, { level: 9 });
  const out = new Uint8Array(12 + head.length + packed.length);
  out.set(new TextEncoder().encode(ICT_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, head.length, true);
  out.set(head, 12);
  out.set(packed, 12 + head.length);
  return { bytes: out, report: { identityMaxErrorMm: idErr, identityMaxErrorFaceMm: idErrFace, expressionMaxErrorMm: exErr, expressionVertexEntries: idx.length } };
}

/** Parses and checks the file; every error names the file and the field. */
export function decodeIctFile(bytes: Uint8Array, file: string): IctData {
  const fail = (field: string, why: string): never => { throw new Error(`${file}: ${field}: ${why}`); };
  if (bytes.length < 12) fail('magic', `file is ${bytes.length} bytes, too short to hold the header (truncated?)`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== ICT_MAGIC) fail('magic', `expected '${ICT_MAGIC}' (not an ICT built-in file)`);
  const H = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + H > bytes.length) fail('header', `header length ${H} runs past the end of the file (${bytes.length} bytes; truncated?)`);
  let json: unknown;
  try { json = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + H))); } catch (e) { fail('header', `not valid JSON (${(e as Error).message})`); }
  const parsed = IctHeader.safeParse(json);
  if (!parsed.success) {
    const iss = parsed.error.issues[0];
    fail(`header.${iss.path.join('.')}`, iss.message);
  }
  const h = (parsed as { data: IctHeader }).data;
  let payload: Uint8Array = new Uint8Array(0);
  try { payload = inflateSync(bytes.subarray(12 + H)); } catch (e) { fail('payload', `cannot be inflated (${(e as Error).message}; truncated or corrupt)`); }
  if (payload.length !== h.payloadBytes) fail('payload', `inflates to ${payload.length} bytes, header.payloadBytes says ${h.payloadBytes}`);
  if (sha256Hex(payload) !== h.payloadSha256) fail('payload', 'sha256 does not match header.payloadSha256 (corrupt)');
  const buf = new Uint8Array(payload).buffer;
  const V = h.vertexCount, K = h.identityCount, E = h.expressionNames.length;
  const want: Record<SectionName, number> = { mean: V * 3, triangles: h.triangleCount * 3, part: V, identityScale: K * h.parts.length, identity: K * V * 3, exprScale: E, exprOffsets: E + 1, exprIndices: -1, exprDeltas: -1 };
  const section = <T>(n: SectionName, ctor: new (b: ArrayBuffer, o: number, l: number) => T, bytesPer: number): T => {
    const s = h.sections[n];
    if (s.dtype !== SECTION_DTYPE[n]) fail(`sections.${n}.dtype`, `is ${s.dtype}, expected ${SECTION_DTYPE[n]}`);
    if (want[n] >= 0 && s.length !== want[n]) fail(`sections.${n}.length`, `is ${s.length}, expected ${want[n]}`);
    if (s.offset % 8 !== 0 || s.offset + s.length * bytesPer > buf.byteLength) fail(`sections.${n}`, `offset ${s.offset} + ${s.length} items lies outside the ${buf.byteLength}-byte payload`);
    return new ctor(buf, s.offset, s.length);
  };
  const mean = section('mean', Float32Array, 4);
  const triangles = section('triangles', Uint32Array, 4);
  const part = section('part', Uint8Array, 1);
  const idScale = section('identityScale', Float32Array, 4);
  const idQ = section('identity', Int8Array, 1);
  const exScale = section('exprScale', Float32Array, 4);
  const offsets = section('exprOffsets', Uint32Array, 4);
  const exIdx = section('exprIndices', Uint32Array, 4);
  const exQ = section('exprDeltas', Int16Array, 2);
  if (exQ.length !== exIdx.length * 3) fail('sections.exprDeltas.length', `is ${exQ.length}, expected 3 × exprIndices (${exIdx.length * 3})`);
  for (let i = 0; i < triangles.length; i++) if (triangles[i] >= V) fail(`triangles[${i}]`, `${triangles[i]} is not a vertex index (< ${V})`);
  for (let i = 0; i < V; i++) if (part[i] >= h.parts.length) fail(`part[${i}]`, `${part[i]} is not a part index (< ${h.parts.length})`);
  for (const [i, v] of h.landmarks68.entries()) if (v >= V) fail(`header.landmarks68[${i}]`, `${v} is not a vertex index`);
  if (offsets[0] !== 0 || offsets[E] !== exIdx.length) fail('exprOffsets', `must run from 0 to ${exIdx.length}`);
  for (let i = 0; i < exIdx.length; i++) if (exIdx[i] >= V) fail(`exprIndices[${i}]`, `${exIdx[i]} is not a vertex index`);
  const identities: Float32Array[] = [];
  for (let k = 0; k < K; k++) {
    const a = new Float32Array(V * 3);
    const P = h.parts.length;
    for (let p = 0; p < P; p++) {
      const s = idScale[k * P + p];
      if (!(s > 0 && Number.isFinite(s))) fail(`identityScale[${k}][${p}]`, `${s} is not a positive finite scale`);
    }
    for (let i = 0; i < a.length; i++) a[i] = idQ[k * V * 3 + i] * idScale[k * P + part[Math.floor(i / 3)]];
    identities.push(a);
  }
  const expressions: Record<string, Float32Array> = {};
  h.expressionNames.forEach((name, e) => {
    if (offsets[e + 1] < offsets[e]) fail(`exprOffsets[${e + 1}]`, 'offsets must not decrease');
    const a = new Float32Array(V * 3);
    for (let j = offsets[e]; j < offsets[e + 1]; j++) for (let c = 0; c < 3; c++) a[exIdx[j] * 3 + c] = exQ[j * 3 + c] * exScale[e];
    expressions[name] = a;
  });
  return { header: h, mean, triangles, part, identities, expressions };
}
