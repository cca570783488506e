/**
 * Seeded pseudo-random numbers. Every random choice in faces/ and render/ goes through these so that
 * (seed, index) fully determines a face or an image, on every machine. The generator (mulberry32),
 * hashInts and the Gaussian draws live in workers/util; this is how faces/ seeds them.
 */
import { hashInts, mulberry32, type UniformSource } from '../util';

export { hashInts, gaussian, fillGaussian } from '../util';

/** A generator returning uniform numbers in [0, 1). */
export type Rng = UniformSource;

/** mulberry32 started from hashInts(seed, 0x9e3779b9), so that nearby seeds give unrelated streams. */
export function createRng(seed: number): Rng {
  return mulberry32(hashInts(seed >>> 0, 0x9e3779b9));
}
