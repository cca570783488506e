/**
 * Training data for the network: a DataSource hands out images by index, so an in-memory array
 * and the renderer's dataset shards look the same to the training loop.
 *
 * Images are channels-last RGB, [n][size][size][3]; Uint8Array holds 0..255, Float32Array holds
 * 0..1. The network sees Float32 0..1.
 */
import { z } from 'zod';
import { mulberry32 } from '../util';

export interface Batch {
  /** [n][size][size][3], 0..1. */
  images: Float32Array;
  labels: Int32Array;
}

export interface DataSource {
  readonly size: number;
  readonly imageSize: number;
  /** Copies the examples at `indices` (any order, repeats allowed). */
  batch(indices: ArrayLike<number>): Batch;
}

/** The shape the renderer's dataset shards have once read. */
export interface LabelledImages {
  images: Uint8Array | Float32Array;
  labels: Int32Array;
  /** Image side in pixels; inferred from the array sizes when absent. */
  imageSize?: number;
}

function inferSize(images: ArrayLike<number>, n: number, given?: number): number {
  const size = given ?? Math.round(Math.sqrt(images.length / n / 3));
  if (n === 0 || size * size * 3 * n !== images.length) {
    throw new Error(`images: expected labels.length (${n}) × size² × 3 values, got ${images.length}`);
  }
  return size;
}

/** A DataSource over one or more arrays (e.g. dataset shards), concatenated in order. */
export function arraySource(parts: LabelledImages | LabelledImages[]): DataSource {
  const list = Array.isArray(parts) ? parts : [parts];
  if (list.length === 0) throw new Error('arraySource: no data');
  const sizes = list.map((p) => inferSize(p.images, p.labels.length, p.imageSize));
  const imageSize = sizes[0];
  if (sizes.some((s) => s !== imageSize)) throw new Error(`arraySource: image sizes differ (${[...new Set(sizes)].join(', ')})`);
  const starts: number[] = [];
  let total = 0;
  for (const p of list) { starts.push(total); total += p.labels.length; }
  const px = imageSize * imageSize * 3;
  return {
    size: total,
    imageSize,
    batch(indices) {
      const images = new Float32Array(indices.length * px);
      const labels = new Int32Array(indices.length);
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        if (!(i >= 0 && i < total)) throw new Error(`index ${i} outside 0..${total - 1}`);
        let part = starts.length - 1;
        while (starts[part] > i) part--;
        const p = list[part], j = i - starts[part];
        labels[k] = p.labels[j];
        const src = p.images, off = j * px, dst = k * px;
        if (src instanceof Uint8Array) for (let e = 0; e < px; e++) images[dst + e] = src[off + e] / 255;
        else images.set(src.subarray(off, off + px), dst);
      }
      return { images, labels };
    },
  };
}

/** Reads shards lazily through the renderer's reader (passed in: workers/nn imports no renderer). */
export async function shardSource(paths: string[], readShard: (path: string) => Promise<LabelledImages> | LabelledImages): Promise<DataSource> {
  const parts = [];
  for (const p of paths) parts.push(await readShard(p));
  return arraySource(parts);
}

/** mulberry32 (workers/util) started from the raw seed: uniform in [0, 1). */
export function rng(seed: number): () => number {
  return mulberry32(seed);
}

/** Seed for a (run seed, epoch, purpose) triple, so an epoch replays identically after a resume. */
export function epochSeed(seed: number, epoch: number, purpose: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 2654435761) + Math.imul(epoch + 1, 40503) + purpose * 7919) >>> 0;
}

export function shuffled(n: number, random: () => number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

export const AugmentSchema = z.object({
  /** Maximum shift in pixels on each axis (uniform). */
  shiftPx: z.number().min(0).max(64).default(4),
  /** Zoom factor drawn uniformly in [1 − zoom, 1 + zoom]. */
  zoom: z.number().min(0).max(0.5).default(0.1),
});
export type Augment = z.infer<typeof AugmentSchema>;

/**
 * Shifts and zooms each image about its centre (bilinear resampling, edge pixels repeated),
 * in place. Parameters are drawn from `random`, so a seeded generator replays the same batch.
 */
export function augmentBatch(images: Float32Array, size: number, a: Augment, random: () => number): void {
  const px = size * size * 3;
  const n = images.length / px;
  const src = new Float32Array(px);
  const c = (size - 1) / 2;
  for (let k = 0; k < n; k++) {
    const zoom = 1 + (2 * random() - 1) * a.zoom;
    const dx = (2 * random() - 1) * a.shiftPx, dy = (2 * random() - 1) * a.shiftPx;
    const img = images.subarray(k * px, (k + 1) * px);
    src.set(img);
    for (let y = 0; y < size; y++) {
      const sy = Math.min(size - 1, Math.max(0, (y - c - dy) / zoom + c));
      const y0 = Math.floor(sy), y1 = Math.min(size - 1, y0 + 1), fy = sy - y0;
      for (let x = 0; x < size; x++) {
        const sx = Math.min(size - 1, Math.max(0, (x - c - dx) / zoom + c));
        const x0 = Math.floor(sx), x1 = Math.min(size - 1, x0 + 1), fx = sx - x0;
        const o = (y * size + x) * 3;
        const a00 = (y0 * size + x0) * 3, a01 = (y0 * size + x1) * 3, a10 = (y1 * size + x0) * 3, a11 = (y1 * size + x1) * 3;
        for (let ch = 0; ch < 3; ch++) {
          const top = src[a00 + ch] + (src[a01 + ch] - src[a00 + ch]) * fx;
          const bot = src[a10 + ch] + (src[a11 + ch] - src[a10 + ch]) * fx;
          img[o + ch] = top + (bot - top) * fy;
        }
      }
    }
  }
}
