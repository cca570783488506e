/**
 * The mesh of a stored face model (.dfm, the format written once in workers/contract/face-model-format.ts):
 * the mean shape (Float32 [V][3] mm) and the triangles (Uint32 [T][3]) are read straight out of the
 * file's header and data section, with the named regions as a per-vertex label (meshRegions.ts). Only these arrays are read (no model code runs in the web
 * process); the dashboard stores them as the run's mesh artifacts.
 */
import { dfmArrayRange, labelVertexRegions, parseDfm, type DfmLayout, type MeshRegions } from '../../workers/contract';

export interface FaceMesh {
  positions: Float32Array;
  triangles: Uint32Array;
  /** Per-vertex region labels (most specific named region of the model); empty names when it has none. */
  regions: MeshRegions;
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
  const named: Record<string, Uint32Array> = {};
  for (const [name, ref] of Object.entries(header.regions)) {
    const { start, end } = dfmArrayRange(layout, `regions.${name}`, { dtype: 'u32', ...ref }, source);
    const copy = new Uint8Array(end - start);
    copy.set(bytes.subarray(layout.dataStart + start, layout.dataStart + end));
    named[name] = new Uint32Array(copy.buffer);
  }
  return {
    regions: labelVertexRegions(header.vertexCount, named),
    positions: new Float32Array(read('mean', 'f32', header.vertexCount * 3)),
    triangles: new Uint32Array(read('triangles', 'u32', header.triangleCount * 3)),
  };
}
