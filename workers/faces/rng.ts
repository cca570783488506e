/**
 * Seeded pseudo-random numbers. Every random choice in faces/ and render/ goes through these so that
 * (seed, index) fully determines a face or an image, on every machine.
 */

/** A generator returning uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small, fast 32-bit generator, good enough for sampling (not for cryptography). */
export function createRng(seed: number): Rng {
  let a = hashInts(seed >>> 0, 0x9e3779b9) >>> 0;
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

/** A standard normal draw (Box-Muller; uses two uniforms per call for simplicity and determinism). */
export function gaussian(rng: Rng): number {
  let u = rng();
  if (u < 1e-12) u = 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Fills `out` with independent standard normal draws. */
export function fillGaussian(rng: Rng, out: Float32Array | Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = gaussian(rng);
}
