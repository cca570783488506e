/**
 * Per-vertex noise features computed a block of vertices at a time (the fill of noise.ts's
 * MapFeatures).
 *
 * Computed one at a time, every vertex reads all the noise rows it depends on from main memory:
 * all K coefficient rows for the coefficients basis (K × trials floats per vertex and dimension),
 * one strided float per trial for the vertex basis ([trial][vertex] layout). Computed for a block
 * of vertices (coefficients: in slices of trials), those rows are read once per block and stay in
 * cache while every vertex of the block uses them; bubbles sum each bump's three channel rows in
 * one pass. Each value is the same sum, in the same order, as computing its vertex alone, so the
 * features (and every map made of them) are bit-identical (tests/analyses/feature-blocks.test.ts).
 *
 * Measured on ict (a loaded 2-core machine, so ±20 %): the features are the dominant cost of an
 * oracle run: bubbles texture on the nose (10,815 vertices × 3 × 6,000 trials, ~140 bumps per
 * vertex): features 121 s, copnorm 7 s, observed map + 200-permutation null 20 s. The blocks gain
 * ~15 % on coefficients and vertex features and nothing measurable on bubbles: the products are
 * bound by arithmetic, not by memory, at this size.
 * maps.ts packFeatures asks for its vertices through fillVars when the features have it; fill
 * (one vertex or a range, as hidden-layers.ts and pose-invariance.ts ask) computes just those.
 * Layouts: a block's values Float64Array [block vertex][nDim][nTrial].
 */

/** Doubles a block may hold (8 bytes each: 32 MB). */
export const FEATURE_BLOCK_VALUES = 4_000_000;
/** Trials per slice: the noise rows of a block's slice stay in the L2 cache. */
export const TRIAL_SLICE = 256;

export interface BlockedFillSpec {
  nVar: number;
  nDim: number;
  nTrial: number;
  /** true: u is not a variable (skipped, out left as it is). */
  skip(u: number): boolean;
  /** Writes the features of `vars` into out [vars.length][nDim][nTrial] (zeroed). */
  compute(vars: Uint32Array, out: Float64Array): void;
  /** true: out = value (the features are copies); false: out += value (out is zeroed by the caller). */
  assign: boolean;
}

export interface BlockedFill {
  /** MapFeatures.fill: the variables of [from, to) into out [to − from][nDim][nTrial] (one block, no cache). */
  fill(from: number, to: number, out: Float64Array): void;
  /** MapFeatures.fillVars: the first `dims` rows of `vars` into out [vars.length][dims][nTrial] (zeroed), in blocks. */
  fillVars(vars: Uint32Array, dims: number, out: Float64Array): void;
}

/** The fills of a MapFeatures over `spec.compute`, a block of variables at a time. */
export function blockedFill(spec: BlockedFillSpec): BlockedFill {
  const { nDim, nTrial: T } = spec;
  const size = Math.max(1, Math.floor(FEATURE_BLOCK_VALUES / (nDim * T)));
  const put = (data: Float64Array, i: number, out: Float64Array, at: number, rows: number) => {
    const src = i * nDim * T;
    if (spec.assign) out.set(data.subarray(src, src + rows * T), at);
    else for (let k = 0; k < rows * T; k++) out[at + k] += data[src + k];
  };
  const computed = (vars: Uint32Array) => {
    const data = new Float64Array(vars.length * nDim * T);
    spec.compute(vars, data);
    return data;
  };
  return {
    fill(from, to, out) {
      const vars: number[] = [];
      for (let v = from; v < to; v++) if (!spec.skip(v)) vars.push(v);
      const data = computed(Uint32Array.from(vars));
      vars.forEach((v, i) => put(data, i, out, (v - from) * nDim * T, nDim));
    },
    fillVars(varsIn, dims, out) {
      if (!(dims >= 1 && dims <= nDim)) throw new Error(`fillVars: dims must be in [1, ${nDim}], got ${dims}`);
      const vars = varsIn.filter((v) => !spec.skip(v));
      const slot = new Map<number, number>();
      varsIn.forEach((v, i) => slot.set(v, i));
      for (let b0 = 0; b0 < vars.length; b0 += size) {
        const block = vars.subarray(b0, Math.min(vars.length, b0 + size));
        const data = computed(block);
        block.forEach((v, i) => put(data, i, out, slot.get(v)! * dims * T, dims));
      }
    },
  };
}
