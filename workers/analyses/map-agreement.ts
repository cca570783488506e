/**
 * Agreement between two per-vertex maps (e.g. an attribution map and an information map, or a
 * human map and the network's), over the vertices where both are finite:
 * - Pearson r of the values, Spearman ρ (Pearson r of the ranks, ties given their mean rank);
 * - Dice overlap 2|A ∩ B| / (|A| + |B|) of the top-q vertices of each map (q = topFraction of the
 *   compared vertices, at least 1), and of the significant sets when both masks are given.
 * Signed attributions are compared by magnitude when `absolute` is set (what a map of bits can
 * agree with). Layouts: maps ArrayLike<number> [V]; masks Uint8Array [V] (1 = in the set).
 */
import { dice } from './pose-invariance';

export interface AgreementOptions {
  /** Share of the compared vertices taken as each map's top set, in (0, 1]. Default 0.05. */
  topFraction?: number;
  /** Compare |a| and |b| instead of a and b. Default false. */
  absolute?: boolean;
  /** Restrict to these vertices (1 = compare). */
  mask?: Uint8Array;
  significantA?: Uint8Array;
  significantB?: Uint8Array;
}

export interface MapAgreement {
  /** Vertices compared (finite in both maps, inside the mask). */
  vertices: number;
  pearson: number;
  spearman: number;
  topFraction: number;
  /** Dice of the two top sets. */
  diceTop: number;
  /** Dice of the two significant sets (null when the masks were not given). */
  diceSignificant: number | null;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) throw new Error(`pearson: x has ${n} values, y ${y.length}`);
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** Ranks 1..n, ties sharing their mean rank. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = mean;
    i = j + 1;
  }
  return r;
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(averageRanks(x), averageRanks(y));
}

/** 1 for the k largest values (ties broken by index). */
export function topSet(x: ArrayLike<number>, k: number): Uint8Array {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[b] - x[a] || a - b);
  const out = new Uint8Array(x.length);
  for (let i = 0; i < Math.min(k, order.length); i++) out[order[i]] = 1;
  return out;
}

export function mapAgreement(a: ArrayLike<number>, b: ArrayLike<number>, opts: AgreementOptions = {}): MapAgreement {
  if (a.length !== b.length) throw new Error(`mapAgreement: map a has ${a.length} vertices, map b ${b.length}`);
  const q = opts.topFraction ?? 0.05;
  if (!(q > 0 && q <= 1)) throw new Error(`topFraction must be in (0, 1], got ${q}`);
  for (const [name, m] of [['mask', opts.mask], ['significantA', opts.significantA], ['significantB', opts.significantB]] as const) {
    if (m && m.length !== a.length) throw new Error(`${name} has ${m.length} entries, the maps ${a.length}`);
  }
  const idx: number[] = [];
  for (let v = 0; v < a.length; v++) if (Number.isFinite(a[v]) && Number.isFinite(b[v]) && (!opts.mask || opts.mask[v])) idx.push(v);
  if (idx.length < 3) throw new Error(`mapAgreement: only ${idx.length} vertices are finite in both maps (need ≥ 3)`);
  const f = (x: number) => (opts.absolute ? Math.abs(x) : x);
  const xa = Float64Array.from(idx, (v) => f(a[v]));
  const xb = Float64Array.from(idx, (v) => f(b[v]));
  const k = Math.max(1, Math.round(q * idx.length));
  const both = opts.significantA && opts.significantB;
  return {
    vertices: idx.length,
    pearson: pearson(xa, xb),
    spearman: spearman(xa, xb),
    topFraction: q,
    diceTop: dice(topSet(xa, k), topSet(xb, k)),
    diceSignificant: both ? dice(Uint8Array.from(idx, (v) => opts.significantA![v]), Uint8Array.from(idx, (v) => opts.significantB![v])) : null,
  };
}
