/**
 * The mesh of a stored face model (.dfm, the format of workers/faces/format.ts): the mean shape
 * (Float32 [V][3] mm) and the triangles (Uint32 [T][3]) are read straight out of the file's
 * header and data section. Only these two arrays are read (no model code runs in the web
 * process); the dashboard stores them as the run's mesh artifacts.
 *
 *   bytes 0..7 "DFACEMDL" · 8..11 uint32 version (1) · 12..15 uint32 header length H ·
 *   16..16+H JSON header { vertexCount, triangleCount, arrays: { mean: {dtype, offset, length}, ... } } ·
 *   then the data section, arrays at `offset` bytes from its start, little-endian.
 */

interface ArrayRef {
  dtype: string;
  offset: number;
  length: number;
}

export interface FaceMesh {
  positions: Float32Array;
  triangles: Uint32Array;
}

export function meshFromFaceModel(bytes: Uint8Array, source = 'face-model.bin'): FaceMesh {
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== 'DFACEMDL') throw new Error(`${source}: not a .dfm face model (bad magic)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== 1) throw new Error(`${source}: .dfm version ${version} is not supported (expected 1)`);
  const hlen = dv.getUint32(12, true);
  if (16 + hlen > bytes.length) throw new Error(`${source}: header length ${hlen} runs past the end`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen))) as { vertexCount: number; triangleCount: number; arrays: Record<string, ArrayRef> };
  const dataStart = 16 + hlen;
  const read = (field: 'mean' | 'triangles', dtype: 'f32' | 'u32', expected: number) => {
    const ref = header.arrays?.[field];
    if (!ref || ref.dtype !== dtype) throw new Error(`${source}: array '${field}' missing or not ${dtype}`);
    if (ref.length !== expected) throw new Error(`${source}: array '${field}' has ${ref.length} values, expected ${expected}`);
    const start = dataStart + ref.offset, end = start + ref.length * 4;
    if (end > bytes.length) throw new Error(`${source}: array '${field}' runs past the end of the file`);
    // Copy: the source may not be 4-byte aligned.
    const copy = new Uint8Array(ref.length * 4);
    copy.set(bytes.subarray(start, end));
    return copy.buffer;
  };
  return {
    positions: new Float32Array(read('mean', 'f32', header.vertexCount * 3)),
    triangles: new Uint32Array(read('triangles', 'u32', header.triangleCount * 3)),
  };
}
