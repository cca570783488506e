/**
 * Seeded random numbers for permutation tests: xoshiro128** (Blackman & Vigna) seeded through
 * splitmix32, so that a seed reproduces the same permutations on every machine and thread count.
 * The implementation is workers/util's Xoshiro128; info/ calls it Rng.
 */
export { Xoshiro128 as Rng } from '../util';
