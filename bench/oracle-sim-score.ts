/**
 * Scoring shared by the oracle simulators (oracle-trials-curve.ts, oracle-coefficients-curve.ts):
 * one simulated map against the analytic truth at a χ² threshold, and one summary line per trial count.
 */

/** Precision and recall of `stat > thr` against `truthChi > thr` over the vertices `carries` accepts. */
export function scoreSimulatedMap(stat: Float64Array, truthChi: Float64Array, thr: number, carries: (v: number) => boolean): { precision: number; recall: number } {
  let tp = 0, fp = 0, fn = 0;
  for (let v = 0; v < stat.length; v++) {
    if (!carries(v)) continue;
    const sig = stat[v] > thr, tru = truthChi[v] > thr;
    if (sig && tru) tp++; else if (sig) fp++; else if (tru) fn++;
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
}

/** "T=… truth=… P mean … min … | R mean … min … | fail n/samples" (fail: precision or recall < 0.9). */
export function curveLine(T: number, truthN: number, Ps: number[], Rs: number[]): string {
  const mean = (x: number[]) => x.reduce((p, q) => p + q, 0) / x.length;
  const fails = Ps.filter((p, i) => p < 0.9 || Rs[i] < 0.9).length;
  return `T=${T} truth=${truthN} P mean ${mean(Ps).toFixed(3)} min ${Math.min(...Ps).toFixed(3)} | R mean ${mean(Rs).toFixed(3)} min ${Math.min(...Rs).toFixed(3)} | fail ${fails}/${Ps.length}`;
}
