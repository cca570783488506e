/**
 * The seeded pseudo-random generators of workers/ (one implementation each; callers seed them as
 * they always have, so every stream is bit-for-bit what it was before they moved here, pinned by
 * tests/util/pinned.test.ts):
 *  - mulberry32: faces/ and render/ (faces/seeded-rng.ts `createRng`: seed mixed through hashInts first),
 *    nn/ (nn/data.ts `rng`: the raw seed), analyses/ through faces.
 *  - xoshiro128** seeded through splitmix32: info/ permutations (info/permutation-rng.ts `Rng`), analyses/ through info.
 * Neither is for cryptography.
 */

/** A generator returning uniform numbers in [0, 1). */
export type UniformSource = () => number;

/** mulberry32 (Tommy Ettinger): 32-bit state starting at `state` (taken as uint32); uniform in [0, 1), 32 bits each. */
export function mulberry32(state: number): UniformSource {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes integers into one 32-bit hash (murmur3 finaliser per step): derives sub-seeds from (seed, index). */
export function hashInts(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    let k = Math.imul((v | 0) ^ Math.floor(v / 4294967296), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A standard normal draw (Box-Muller; two uniforms per call, u clamped at 1e-12: the faces/ stream). */
export function gaussian(rng: UniformSource): number {
  let u = rng();
  if (u < 1e-12) u = 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Fills `out` with independent standard normal draws. */
export function fillGaussian(rng: UniformSource, out: Float32Array | Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = gaussian(rng);
}

/**
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32, so that a seed reproduces the same
 * permutations on every machine and thread count.
 */
export class Xoshiro128 {
  private s = new Uint32Array(4);

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform integer in [0, bound) without modulo bias (rejection). */
  below(bound: number): number {
    const limit = 0x100000000 - (0x100000000 % bound);
    let v: number;
    do v = this.nextU32();
    while (v >= limit);
    return v % bound;
  }

  /** Uniform double in [0, 1) (53 random bits). */
  uniform(): number {
    return (this.nextU32() * 2 ** 21 + (this.nextU32() >>> 11)) / 2 ** 53;
  }

  /** Fisher-Yates shuffle of 0..n−1 into out (a uniformly random permutation). */
  permutation(n: number, out: Int32Array<ArrayBufferLike> = new Int32Array(n)): Int32Array<ArrayBufferLike> {
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** Standard normal deviate (Box-Muller; u = 0 redrawn: the info/ stream). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
