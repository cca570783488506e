/**
 * Thin adapter between the analyses and the information engine (workers/info): the one call the
 * map code needs, "the observed map and P permuted maps of one chunk of variables", expressed with
 * the engine's public kernels. Nothing here estimates information itself: copula normalisation,
 * the cc/cd map kernels and the seeded permutations are the engine's.
 *
 * The same (seed, P, nTrial) always yields the same permutations, so chunks of one map share them.
 */
import { copnorm } from '../info/copnorm';
import { miMapCCKernel, miMapCDKernel } from '../info/map';
import { Rng } from '../info/rng';
import type { Response } from './maps';

export interface PermutedMaps {
  /** [nVar] bits (NaN for degenerate variables). */
  observed: Float64Array;
  /** [P][nVar] bits. */
  permuted: Float64Array;
}

const permutationCache = new Map<string, Int32Array[]>();

/** P seeded permutations of 0..n−1 (cached: every chunk of a map asks for the same ones). */
export function permutations(n: number, P: number, seed: number): Int32Array[] {
  const key = `${n}:${P}:${seed}`;
  let perms = permutationCache.get(key);
  if (!perms) {
    const rng = new Rng(seed);
    perms = Array.from({ length: P }, () => rng.permutation(n));
    if (permutationCache.size > 8) permutationCache.clear();
    permutationCache.set(key, perms);
  }
  return perms;
}

export function permutedMaps(x: Float64Array, nVar: number, nDim: number, nTrial: number, response: Response, P: number, seed: number): PermutedMaps {
  const cx = copnorm(x, nVar * nDim, nTrial);
  const perms = permutations(nTrial, P, seed);
  const permuted = new Float64Array(P * nVar);
  if (response.kind === 'continuous') {
    const cy = copnorm(response.y, 1, nTrial);
    const observed = miMapCCKernel(cx, nVar, nDim, nTrial, cy, true, true, 0, nVar);
    const py = new Float64Array(nTrial);
    perms.forEach((perm, p) => {
      for (let t = 0; t < nTrial; t++) py[t] = cy[perm[t]];
      permuted.set(miMapCCKernel(cx, nVar, nDim, nTrial, py, true, true, 0, nVar), p * nVar);
    });
    return { observed, permuted };
  }
  const { y, classes } = response;
  const observed = miMapCDKernel(cx, nVar, nDim, nTrial, y, classes, true, true, 0, nVar);
  const py = new Int32Array(nTrial);
  perms.forEach((perm, p) => {
    for (let t = 0; t < nTrial; t++) py[t] = y[perm[t]];
    permuted.set(miMapCDKernel(cx, nVar, nDim, nTrial, py, classes, true, true, 0, nVar), p * nVar);
  });
  return { observed, permuted };
}
