/**
 * The face model file format (.dfm): a JSON header followed by little-endian binary arrays.
 *
 *   bytes 0..7    ASCII magic "DFACEMDL"
 *   bytes 8..11   uint32 LE: format version (1)
 *   bytes 12..15  uint32 LE: header length H in bytes
 *   bytes 16..16+H UTF-8 JSON header, padded with spaces to a multiple of 8 bytes:
 *                 { name, description, vertexCount, triangleCount, shapeNames, textureNames,
 *                   textureBandNames, demographics, expressionNames, landmarks, notes,
 *                   arrays: { <field>: { dtype: 'f32'|'u32'|'u8', offset, length } },
 *                   regions: { <name>: { offset, length } } }   (regions are u32 arrays)
 *   then the data section: every array at `offset` bytes from the start of the data section,
 *   each aligned to 8 bytes, little-endian.
 * The array fields and their layouts are those of FaceModel (model.ts).
 */
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type FaceModel, validateFaceModel } from './model';

const MAGIC = 'DFACEMDL';
const VERSION = 1;
const ARRAY_FIELDS = [
  'mean', 'triangles', 'uv', 'shapeBasis', 'shapeSd', 'albedoMean', 'textureBasis', 'textureSd',
  'textureBand', 'shapeDemo', 'textureDemo', 'expressionShape', 'expressionAlbedo',
] as const;
type ArrayField = (typeof ARRAY_FIELDS)[number];
type Dtype = 'f32' | 'u32' | 'u8';

const arrayRef = z.object({ dtype: z.enum(['f32', 'u32', 'u8']), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });
const headerSchema = z.object({
  name: z.string(),
  description: z.string(),
  vertexCount: z.number().int().positive(),
  triangleCount: z.number().int().positive(),
  shapeNames: z.array(z.string()),
  textureNames: z.array(z.string()),
  textureBandNames: z.array(z.string()),
  demographics: z.object({
    names: z.array(z.string()),
    ethnicityGroups: z.array(z.string()),
    ageReference: z.number(),
    agePerUnit: z.number(),
    ageRange: z.tuple([z.number(), z.number()]),
  }),
  expressionNames: z.array(z.string()),
  landmarks: z.record(z.string(), z.number().int().nonnegative()),
  notes: z.array(z.string()),
  arrays: z.record(z.string(), arrayRef),
  regions: z.record(z.string(), z.object({ offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() })),
});

function dtypeOf(a: Float32Array | Uint32Array | Uint8Array): Dtype {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Uint32Array) return 'u32';
  return 'u8';
}
const BYTES: Record<Dtype, number> = { f32: 4, u32: 4, u8: 1 };

/** Encodes a model into the .dfm byte layout. */
export function encodeFaceModel(m: FaceModel): Uint8Array {
  validateFaceModel(m);
  const parts: { bytes: Uint8Array; offset: number }[] = [];
  let cursor = 0;
  const place = (a: Float32Array | Uint32Array | Uint8Array) => {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const offset = cursor;
    parts.push({ bytes, offset });
    cursor = Math.ceil((cursor + bytes.length) / 8) * 8;
    return offset;
  };
  const arrays: Record<string, z.infer<typeof arrayRef>> = {};
  for (const f of ARRAY_FIELDS) {
    const a = m[f];
    if (a === null) continue;
    arrays[f] = { dtype: dtypeOf(a), offset: place(a), length: a.length };
  }
  const regions: Record<string, { offset: number; length: number }> = {};
  for (const [name, idx] of Object.entries(m.regions)) regions[name] = { offset: place(idx), length: idx.length };
  const header = {
    name: m.name, description: m.description, vertexCount: m.vertexCount, triangleCount: m.triangleCount,
    shapeNames: m.shapeNames, textureNames: m.textureNames, textureBandNames: m.textureBandNames,
    demographics: m.demographics, expressionNames: m.expressionNames, landmarks: m.landmarks, notes: m.notes,
    arrays, regions,
  };
  let json = JSON.stringify(header);
  const jsonBytesRaw = new TextEncoder().encode(json);
  const padded = Math.ceil(jsonBytesRaw.length / 8) * 8;
  json += ' '.repeat(padded - jsonBytesRaw.length);
  const jsonBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(16 + jsonBytes.length + cursor);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, VERSION, true);
  dv.setUint32(12, jsonBytes.length, true);
  out.set(jsonBytes, 16);
  const base = 16 + jsonBytes.length;
  for (const p of parts) out.set(p.bytes, base + p.offset);
  return out;
}

/** Decodes .dfm bytes; throws an error naming the bad part (magic, header field, array length). */
export function decodeFaceModel(bytes: Uint8Array, source = 'face model'): FaceModel {
  if (bytes.length < 16) throw new Error(`${source}: file is ${bytes.length} bytes, too short for a .dfm header`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC) throw new Error(`${source}: bad magic '${magic}', expected '${MAGIC}'`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== VERSION) throw new Error(`${source}: format version ${version} is not supported (expected ${VERSION})`);
  const hlen = dv.getUint32(12, true);
  if (16 + hlen > bytes.length) throw new Error(`${source}: header length ${hlen} runs past the end of the file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen)));
  } catch (e) {
    throw new Error(`${source}: header is not valid JSON (${(e as Error).message})`);
  }
  const res = headerSchema.safeParse(parsed);
  if (!res.success) {
    const issue = res.error.issues[0];
    throw new Error(`${source}: header field '${issue.path.join('.')}' is invalid: ${issue.message}`);
  }
  const h = res.data;
  const base = bytes.byteOffset + 16 + hlen;
  const dataLength = bytes.length - 16 - hlen;
  // Views need 4-byte alignment: use the bytes in place when aligned (the usual case: the header is
  // padded to 8), else copy into a fresh buffer.
  let data: Uint8Array;
  if (base % 4 === 0) {
    data = new Uint8Array(bytes.buffer, base, dataLength);
  } else {
    data = new Uint8Array(dataLength);
    data.set(new Uint8Array(bytes.buffer, base, dataLength));
  }
  const view = (field: string, ref: { dtype: Dtype; offset: number; length: number }) => {
    const end = ref.offset + ref.length * BYTES[ref.dtype];
    if (end > dataLength) throw new Error(`${source}: array '${field}' (${ref.length} × ${ref.dtype} at ${ref.offset}) runs past the end of the data (${dataLength} bytes)`);
    const at = data.byteOffset + ref.offset;
    if (ref.dtype === 'f32') return new Float32Array(data.buffer, at, ref.length);
    if (ref.dtype === 'u32') return new Uint32Array(data.buffer, at, ref.length);
    return new Uint8Array(data.buffer, at, ref.length);
  };
  const arr = <T extends Float32Array | Uint32Array | Uint8Array>(field: ArrayField, ctor: new (n: number) => T, optional = false): T => {
    const ref = h.arrays[field];
    if (!ref) {
      if (optional) return null as unknown as T;
      throw new Error(`${source}: missing array '${field}'`);
    }
    const a = view(field, ref);
    if (!(a instanceof ctor)) throw new Error(`${source}: array '${field}' has dtype ${ref.dtype}, expected ${ctor.name}`);
    return a as T;
  };
  const regions: Record<string, Uint32Array> = {};
  for (const [name, ref] of Object.entries(h.regions)) regions[name] = view(`regions.${name}`, { dtype: 'u32', ...ref }) as Uint32Array;
  const m: FaceModel = {
    name: h.name, description: h.description, vertexCount: h.vertexCount, triangleCount: h.triangleCount,
    mean: arr('mean', Float32Array), triangles: arr('triangles', Uint32Array), uv: arr('uv', Float32Array, true),
    shapeBasis: arr('shapeBasis', Float32Array), shapeSd: arr('shapeSd', Float32Array), shapeNames: h.shapeNames,
    albedoMean: arr('albedoMean', Float32Array), textureBasis: arr('textureBasis', Float32Array),
    textureSd: arr('textureSd', Float32Array), textureBand: arr('textureBand', Uint8Array),
    textureBandNames: h.textureBandNames, textureNames: h.textureNames, demographics: h.demographics,
    shapeDemo: arr('shapeDemo', Float32Array), textureDemo: arr('textureDemo', Float32Array),
    expressionNames: h.expressionNames, expressionShape: arr('expressionShape', Float32Array),
    expressionAlbedo: arr('expressionAlbedo', Float32Array, true), regions, landmarks: h.landmarks, notes: h.notes,
  };
  try {
    validateFaceModel(m);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  return m;
}

/** Writes a model atomically (temporary name, then rename). */
export function saveFaceModel(m: FaceModel, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, encodeFaceModel(m));
  renameSync(tmp, file);
}

export function loadFaceModel(file: string): FaceModel {
  return decodeFaceModel(readFileSync(file), file);
}
