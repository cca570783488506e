import type { DashboardCurve } from '@/workers/contract';

/**
 * Two runs' curves of one kind overlaid: for each curve key either run has (e.g. training/loss,
 * training/accuracy), one curve holding both runs' series, named "<run label>: <series name>"
 * (this run's first). A key only one run has keeps only that run's series.
 */
export function overlayCurves(a: { label: string; curves: DashboardCurve[] }, b: { label: string; curves: DashboardCurve[] }, kind: DashboardCurve['kind']): DashboardCurve[] {
  const keys: string[] = [];
  for (const c of [...a.curves, ...b.curves]) if (c.kind === kind && !keys.includes(c.key)) keys.push(c.key);
  return keys.map((key) => {
    const ca = a.curves.find((c) => c.key === key);
    const cb = b.curves.find((c) => c.key === key);
    const base = (ca ?? cb)!;
    const named = (label: string, c: DashboardCurve | undefined) => (c ? c.series.map((s) => ({ ...s, name: `${label}: ${s.name}` })) : []);
    return { ...base, title: `${base.title}: ${a.label} vs ${b.label}`, series: [...named(a.label, ca), ...named(b.label, cb)], note: undefined };
  });
}
