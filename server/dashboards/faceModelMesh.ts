/**
 * The mesh of a stored face model (.dfm, the format written once in workers/contract/faceModelFormat.ts):
 * the mean shape (Float32 [V][3] mm) and the triangles (Uint32 [T][3]) are read straight out of the
 * file's header and data section. Only these two arrays are read (no model code runs in the web
 * process); the dashboard stores them as the run's mesh artifacts.
 */
import { dfmArrayRange, parseDfm, type DfmLayout } from '../../workers/contract';

export interface FaceMesh {
  positions: Float32Array;
  triangles: Uint32Array;
}

export function meshFromFaceModel(bytes: Uint8Array, source = 'face-model.bin'): FaceMesh {
  const layout: DfmLayout = parseDfm(bytes, source);
  const { header } = layout;
  const read = (field: 'mean' | 'triangles', dtype: 'f32' | 'u32', expected: number) => {
    const ref = header.arrays[field];
    if (!ref || ref.dtype !== dtype) throw new Error(`${source}: array '${field}' missing or not ${dtype}`);
    if (ref.length !== expected) throw new Error(`${source}: array '${field}' has ${ref.length} values, expected ${expected}`);
    const { start, end } = dfmArrayRange(layout, field, ref, source);
    // Copy: the source may not be 4-byte aligned.
    const copy = new Uint8Array(end - start);
    copy.set(bytes.subarray(layout.dataStart + start, layout.dataStart + end));
    return copy.buffer;
  };
  return {
    positions: new Float32Array(read('mean', 'f32', header.vertexCount * 3)),
    triangles: new Uint32Array(read('triangles', 'u32', header.triangleCount * 3)),
  };
}
