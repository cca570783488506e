/**
 * Throughputs of this machine (TensorFlow.js wasm backend), the constants of the cost estimate,
 * measured by `npm run bench:workflow -- --write` with the real libraries into throughputs.json.
 * Reference conditions: 64 px images, ResNet-10 width 0.5, batch 64; one core (CPU time, so a
 * busy shared machine does not distort them). The estimate scales them by image area and width.
 */
export interface Throughputs {
  machine: string;
  measuredAt: string;
  /** Renderer, images per second at 64 px (all cores). */
  renderImagesPerS64: number;
  /** Training, images per second at 64 px, width 0.5. */
  trainImagesPerS64: number;
  /** Inference with activations, images per second at 64 px, width 0.5. */
  inferImagesPerS64: number;
  /** GCMI, (sample × variable) pairs per second (copula transform + MI of a 3-D feature). */
  gcmiSamplesPerS: number;
  /** Identity sampling, identities per second. */
  identitiesPerS: number;
  /** Start-up of one step process (node + tsx + library import), seconds. */
  processStartS: number;
  /** Vertices of the default face model (maps are per vertex). */
  modelVertices: number;
  source: string;
}

import measured from './throughputs.json';

/** Figures of `npm run bench:workflow -- --write` (throughputs.json), in CPU seconds of one core. */
export const THROUGHPUTS: Throughputs = measured;
