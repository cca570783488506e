/**
 * The binned response summary of one vertex as the viewer plots it (ResponsePlot.tsx), and the
 * p-value's text. Arrays: featureMean, responseMean Float32 [V][B], count Int32 [V][B]
 * (workers/analyses/vertex-summary.ts).
 */

export interface VertexBins {
  /** Per bin: mean feature, mean response, trials. Bins without trials are left out. */
  x: number[];
  y: number[];
  n: number[];
}

/** Row v of the [V][B] bin arrays, without the empty bins. */
export function vertexBins(featureMean: Float32Array, responseMean: Float32Array, count: Int32Array, vertex: number, bins: number): VertexBins {
  const out: VertexBins = { x: [], y: [], n: [] };
  for (let b = 0; b < bins; b++) {
    const i = vertex * bins + b;
    if (!(count[i]! > 0) || !Number.isFinite(featureMean[i]!) || !Number.isFinite(responseMean[i]!)) continue;
    out.x.push(featureMean[i]!);
    out.y.push(responseMean[i]!);
    out.n.push(count[i]!);
  }
  return out;
}

/** A p-value with two significant digits (p ≥ 0.001) or in scientific notation. */
export function formatP(p: number): string {
  return p >= 0.001 ? p.toPrecision(2) : p.toExponential(1);
}
