/**
 * Carrying image-space values back to the mesh: each covered pixel's value is split over its
 * triangle's three vertices by the pixel's barycentric weights (b0, b1, b2), then divided by the
 * accumulated weight, giving a per-vertex average (NaN where no pixel saw the vertex). Use the
 * triangleId and barycentric buffers of a render made with options.ids.
 */
export interface VertexMap {
  /** Float32Array [V] mean of the pixel values landing on each vertex (NaN = not visible). */
  values: Float32Array;
  /** Float32Array [V] total barycentric weight per vertex (0 = not visible). */
  weight: Float32Array;
}

/** pixelValues: Float32Array [H][W] (one value per pixel, e.g. an attribution map at the render's size). */
export function pixelsToVertices(triangles: Uint32Array, vertexCount: number, triangleId: Int32Array, barycentric: Float32Array, pixelValues: ArrayLike<number>): VertexMap {
  if (pixelValues.length !== triangleId.length) throw new Error(`pixelsToVertices: pixelValues has ${pixelValues.length} entries, the triangle buffer ${triangleId.length} (one per pixel)`);
  if (barycentric.length !== triangleId.length * 2) throw new Error(`pixelsToVertices: barycentric has ${barycentric.length} entries, expected ${triangleId.length * 2}`);
  const sum = new Float64Array(vertexCount);
  const weight = new Float32Array(vertexCount);
  const w = new Float64Array(vertexCount);
  for (let p = 0; p < triangleId.length; p++) {
    const t = triangleId[p];
    if (t < 0) continue;
    const b1 = barycentric[p * 2], b2 = barycentric[p * 2 + 1];
    const bs = [1 - b1 - b2, b1, b2];
    for (let k = 0; k < 3; k++) {
      const v = triangles[t * 3 + k];
      sum[v] += bs[k] * pixelValues[p];
      w[v] += bs[k];
    }
  }
  const values = new Float32Array(vertexCount);
  for (let v = 0; v < vertexCount; v++) {
    weight[v] = w[v];
    values[v] = w[v] > 1e-9 ? sum[v] / w[v] : Number.NaN;
  }
  return { values, weight };
}
