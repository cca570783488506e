/** Axis arithmetic for the SVG charts: linear scales and "nice" tick values (1, 2, 5 × 10^k steps). */

export interface LinearScale {
  (x: number): number;
  domain: [number, number];
  range: [number, number];
}

export function linearScale(domain: [number, number], range: [number, number]): LinearScale {
  const [d0, d1] = domain, [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = ((x: number) => r0 + (x - d0) * k) as LinearScale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** A step of 1, 2 or 5 × 10^k giving about `count` intervals over [lo, hi]. */
export function niceStep(lo: number, hi: number, count = 5): number {
  const span = Math.abs(hi - lo) || Math.abs(hi) || 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

/** The domain widened to whole steps, and the ticks inside it. */
export function niceDomain(lo: number, hi: number, count = 5): { domain: [number, number]; ticks: number[] } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { domain: [0, 1], ticks: [0, 0.5, 1] };
  if (lo === hi) (lo -= lo === 0 ? 1 : Math.abs(lo) * 0.1), (hi += hi === 0 ? 1 : Math.abs(hi) * 0.1);
  const step = niceStep(lo, hi, count);
  const d0 = Math.floor(lo / step + 1e-9) * step, d1 = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = d0; t <= d1 + step * 1e-6; t += step) ticks.push(Number(t.toPrecision(12)));
  return { domain: [d0, d1], ticks };
}

/** A tick label: few digits, no float noise (0.30000000000000004 → 0.3). */
export function formatTick(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(3)));
}

/** Extent of every finite value in some arrays. */
export function extent(...arrays: number[][]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const a of arrays) for (const x of a) if (Number.isFinite(x)) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
  return lo <= hi ? [lo, hi] : [0, 1];
}
