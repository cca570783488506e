import { z } from 'zod';

/**
 * The face model file format (.dfm), written once for both sides: workers/faces/format.ts encodes
 * and decodes whole models (FaceModel), server/dashboards/face-model-mesh.ts reads only the mean mesh
 * for the dashboard. Pure byte parsing here; file I/O stays at the edges.
 *
 *   bytes 0..7     ASCII magic "DFACEMDL"
 *   bytes 8..11    uint32 LE: format version (1)
 *   bytes 12..15   uint32 LE: header length H in bytes
 *   bytes 16..16+H UTF-8 JSON header (DfmHeader), padded with spaces to a multiple of 8 bytes
 *   then the data section: every array at `offset` bytes from the start of the data section,
 *   each aligned to 8 bytes, little-endian. Regions are u32 arrays.
 * The array fields and their layouts are those of FaceModel (workers/faces/model.ts).
 */
export const DFM_MAGIC = 'DFACEMDL';
export const DFM_VERSION = 1;
/** Bytes before the JSON header: magic, version, header length. */
export const DFM_PREAMBLE_BYTES = 16;

export const DFM_ARRAY_FIELDS = [
  'mean', 'triangles', 'uv', 'shapeBasis', 'shapeSd', 'albedoMean', 'textureBasis', 'textureSd',
  'textureBand', 'shapeDemo', 'textureDemo', 'expressionShape', 'expressionAlbedo',
] as const;
export type DfmArrayField = (typeof DFM_ARRAY_FIELDS)[number];
export type DfmDtype = 'f32' | 'u32' | 'u8';
/** Bytes per element of each dtype. */
export const DFM_DTYPE_BYTES: Record<DfmDtype, number> = { f32: 4, u32: 4, u8: 1 };

export const DfmArrayRef = z.object({ dtype: z.enum(['f32', 'u32', 'u8']), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });
export type DfmArrayRef = z.infer<typeof DfmArrayRef>;

export const DfmHeader = z.object({
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
  arrays: z.record(z.string(), DfmArrayRef),
  regions: z.record(z.string(), z.object({ offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() })),
});
export type DfmHeader = z.infer<typeof DfmHeader>;

/** A parsed .dfm: its header and where the data section lies in the bytes. */
export interface DfmLayout {
  header: DfmHeader;
  /** Byte index of the data section within the bytes given to parseDfm. */
  dataStart: number;
  /** Length of the data section in bytes. */
  dataLength: number;
}

/** Parses the preamble and header of .dfm bytes; throws an error naming the bad part. */
export function parseDfm(bytes: Uint8Array, source = 'face model'): DfmLayout {
  if (bytes.length < DFM_PREAMBLE_BYTES) throw new Error(`${source}: file is ${bytes.length} bytes, too short for a .dfm header`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== DFM_MAGIC) throw new Error(`${source}: bad magic '${magic}', expected '${DFM_MAGIC}'`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== DFM_VERSION) throw new Error(`${source}: format version ${version} is not supported (expected ${DFM_VERSION})`);
  const hlen = dv.getUint32(12, true);
  if (DFM_PREAMBLE_BYTES + hlen > bytes.length) throw new Error(`${source}: header length ${hlen} runs past the end of the file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(DFM_PREAMBLE_BYTES, DFM_PREAMBLE_BYTES + hlen)));
  } catch (e) {
    throw new Error(`${source}: header is not valid JSON (${(e as Error).message})`);
  }
  const res = DfmHeader.safeParse(parsed);
  if (!res.success) {
    const issue = res.error.issues[0];
    throw new Error(`${source}: header field '${issue.path.join('.')}' is invalid: ${issue.message}`);
  }
  const dataStart = DFM_PREAMBLE_BYTES + hlen;
  return { header: res.data, dataStart, dataLength: bytes.length - dataStart };
}

/** Checks that an array lies inside the data section; returns its byte range [start, end) within it. */
export function dfmArrayRange(layout: DfmLayout, field: string, ref: DfmArrayRef, source = 'face model'): { start: number; end: number } {
  const end = ref.offset + ref.length * DFM_DTYPE_BYTES[ref.dtype];
  if (end > layout.dataLength) {
    throw new Error(`${source}: array '${field}' (${ref.length} × ${ref.dtype} at ${ref.offset}) runs past the end of the data (${layout.dataLength} bytes)`);
  }
  return { start: ref.offset, end };
}

/** The preamble and the JSON header padded to 8 bytes; the data section follows it. */
export function encodeDfmHeader(header: DfmHeader): Uint8Array {
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  json += ' '.repeat(Math.ceil(raw.length / 8) * 8 - raw.length);
  const jsonBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(DFM_PREAMBLE_BYTES + jsonBytes.length);
  out.set(new TextEncoder().encode(DFM_MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, DFM_VERSION, true);
  dv.setUint32(12, jsonBytes.length, true);
  out.set(jsonBytes, DFM_PREAMBLE_BYTES);
  return out;
}
