/**
 * Reads and writes whole face models (FaceModel) in the .dfm format. The format itself (magic,
 * version, header schema, array layout) is written once in workers/contract/face-model-format.ts,
 * which the server's mesh reader shares; this file maps it to and from FaceModel bytes. Files are the
 * callers' part (cli, functions, the model caches: `decodeFaceModel(readFileSync(file), file)` and
 * `writeFileAtomicSync(file, encodeFaceModel(m))`), so the errors still name the file and the field.
 */
import {
  DFM_ARRAY_FIELDS as ARRAY_FIELDS, dfmArrayRange, encodeDfmHeader, parseDfm,
  type DfmArrayField as ArrayField, type DfmArrayRef, type DfmDtype as Dtype, type DfmHeader,
} from '../contract';
import { type FaceModel, validateFaceModel } from './model';

function dtypeOf(a: Float32Array | Uint32Array | Uint8Array): Dtype {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Uint32Array) return 'u32';
  return 'u8';
}

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
  const arrays: Record<string, DfmArrayRef> = {};
  for (const f of ARRAY_FIELDS) {
    const a = m[f];
    if (a === null) continue;
    arrays[f] = { dtype: dtypeOf(a), offset: place(a), length: a.length };
  }
  const regions: Record<string, { offset: number; length: number }> = {};
  for (const [name, idx] of Object.entries(m.regions)) regions[name] = { offset: place(idx), length: idx.length };
  const header: DfmHeader = {
    name: m.name, description: m.description, vertexCount: m.vertexCount, triangleCount: m.triangleCount,
    shapeNames: m.shapeNames, textureNames: m.textureNames, textureBandNames: m.textureBandNames,
    demographics: m.demographics, expressionNames: m.expressionNames, landmarks: m.landmarks, notes: m.notes,
    arrays, regions,
  };
  const head = encodeDfmHeader(header);
  const out = new Uint8Array(head.length + cursor);
  out.set(head, 0);
  for (const p of parts) out.set(p.bytes, head.length + p.offset);
  return out;
}

/** Decodes .dfm bytes; throws an error naming the bad part (magic, header field, array length). */
export function decodeFaceModel(bytes: Uint8Array, source = 'face model'): FaceModel {
  const layout = parseDfm(bytes, source);
  const h = layout.header;
  const base = bytes.byteOffset + layout.dataStart;
  const dataLength = layout.dataLength;
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
    dfmArrayRange(layout, field, ref, source);
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
