/**
 * Throughputs of this kind of machine (2 CPU cores, TensorFlow.js wasm backend), the constants of
 * the cost estimate. Reference conditions: 64 px images, ResNet-10 width 0.5, batch 64.
 * `npm run bench:workflow` re-measures them with the real libraries (each figure's `source` says
 * where it came from); the estimate scales them by image area and network width.
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

export const THROUGHPUTS: Throughputs = {
  machine: '2-core x86-64 CPU, Node 20, tfjs-backend-wasm 4.22',
  measuredAt: '2026-11-27',
  renderImagesPerS64: 1500,
  trainImagesPerS64: 300,
  inferImagesPerS64: 1200,
  gcmiSamplesPerS: 20_000_000,
  identitiesPerS: 2000,
  processStartS: 1.2,
  modelVertices: 5000,
  source:
    'process start measured here (workers/main.ts exec, tsx, 2 busy cores); render/train/infer: the worker ' +
    "libraries' stated CPU targets (issues 3 and 5) until `npm run bench:workflow` re-measures them",
};
