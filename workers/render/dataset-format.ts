/**
 * The dataset format, read by the network trainer (workers/nn):
 *
 *   <dir>/dataset.json            DatasetManifest: config, counts, the list of shards (written last)
 *   <dir>/shards/<split>-NNNNN.bin  Uint8 RGB images, [n][H][W][3] back to back (H = W = size)
 *   <dir>/shards/<split>-NNNNN.json ShardManifest: split, size, count, sha256 of the .bin, and per
 *                                   image its global index, identity, label and every factor value
 *
 * A shard is complete when its .json exists and the sha256 of its .bin matches; both are written
 * under temporary names and renamed, the .json last. Labels are identity indices (0..N−1).
 * Files are read and written through DatasetFiles, given by the caller (no file I/O here).
 */
import { sha256Hex } from '../util';
import path from 'node:path';
import { z } from 'zod';

export const DATASET_FORMAT = 'deeper-dataset-v1';

export const imageRecordSchema = z.object({
  index: z.number().int().nonnegative(),
  identity: z.number().int().nonnegative(),
  image: z.number().int().nonnegative(),
  label: z.number().int().nonnegative(),
  factors: z.record(z.string(), z.union([z.number(), z.record(z.string(), z.number())])),
});
export type ImageRecord = z.infer<typeof imageRecordSchema>;

export const shardManifestSchema = z.object({
  format: z.literal(DATASET_FORMAT),
  configHash: z.string(),
  split: z.enum(['train', 'val']),
  shard: z.number().int().nonnegative(),
  size: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  sha256: z.string().length(64),
  images: z.array(imageRecordSchema),
});
export type ShardManifest = z.infer<typeof shardManifestSchema>;

export interface ShardRef {
  split: 'train' | 'val';
  shard: number;
  bin: string;
  json: string;
  count: number;
}

/** A shard's file names relative to the dataset folder ('shards/train-00000.bin', …). */
export function shardNames(split: 'train' | 'val', shard: number): { bin: string; json: string } {
  const base = `shards/${split}-${String(shard).padStart(5, '0')}`;
  return { bin: `${base}.bin`, json: `${base}.json` };
}

export function shardPaths(dir: string, split: 'train' | 'val', shard: number): { bin: string; json: string } {
  const n = shardNames(split, shard);
  return { bin: path.join(dir, n.bin), json: path.join(dir, n.json) };
}

/**
 * A dataset folder's files by name relative to it ('dataset.json', shardNames(…)): the builder reads
 * and writes through it and does no file I/O itself. The edges pass workers/util folderFilesSync(dir).
 */
export interface DatasetFiles {
  readonly where: string;
  /** The bytes, or null when absent. */
  read(name: string): Uint8Array | null;
  /** Writes the whole file atomically (a reader sees the old one or the new one). */
  write(name: string, data: Uint8Array | string): void;
  /** The names in a sub-folder ('shards'), or null when it does not exist. */
  list(folder: string): string[] | null;
}

/** sha256 of the bytes as 64 hex digits (workers/util). */
export const sha256 = (bytes: Uint8Array): string => sha256Hex(bytes);

/**
 * Reads and checks one shard (`name`: its .json or .bin, relative to the dataset folder, as in
 * ShardRef): images [n][H][W][3], labels [n], per-image records.
 */
export function readShard(files: DatasetFiles, name: string): { split: 'train' | 'val'; size: number; count: number; images: Uint8Array; labels: Int32Array; factors: ImageRecord['factors'][]; records: ImageRecord[] } {
  const jsonName = name.endsWith('.bin') ? name.slice(0, -4) + '.json' : name;
  const binName = jsonName.slice(0, -5) + '.bin';
  const json = path.join(files.where, jsonName), bin = path.join(files.where, binName);
  const jsonBytes = files.read(jsonName);
  if (!jsonBytes) throw new Error(`readShard: manifest ${json} does not exist`);
  const binBytes = files.read(binName);
  if (!binBytes) throw new Error(`readShard: image file ${bin} does not exist`);
  const parsed = shardManifestSchema.safeParse(JSON.parse(new TextDecoder().decode(jsonBytes)));
  if (!parsed.success) throw new Error(`readShard: ${json} field '${parsed.error.issues[0].path.join('.')}': ${parsed.error.issues[0].message}`);
  const m = parsed.data;
  const images = binBytes;
  const expected = m.count * m.size * m.size * 3;
  if (images.length !== expected) throw new Error(`readShard: ${bin} has ${images.length} bytes, expected ${m.count} × ${m.size}² × 3 = ${expected}`);
  if (sha256(images) !== m.sha256) throw new Error(`readShard: ${bin} fails its sha256 checksum (corrupt or partly written)`);
  if (m.images.length !== m.count) throw new Error(`readShard: ${json} lists ${m.images.length} images, count says ${m.count}`);
  return {
    split: m.split, size: m.size, count: m.count, images,
    labels: Int32Array.from(m.images.map((r) => r.label)),
    factors: m.images.map((r) => r.factors),
    records: m.images,
  };
}

/**
 * The shards of a dataset folder, train first, in shard order (from dataset.json, else by scanning);
 * bin and json are relative to the folder (readShard(files, ref.json)).
 */
export function listShards(files: DatasetFiles): ShardRef[] {
  const manifest = files.read('dataset.json');
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (manifest) return (JSON.parse(text(manifest)) as { shards: ShardRef[] }).shards;
  const names = files.list('shards');
  if (!names) throw new Error(`listShards: ${files.where} has neither dataset.json nor a shards/ folder`);
  const out: ShardRef[] = [];
  for (const f of names.sort()) {
    const mt = /^(train|val)-(\d{5})\.json$/.exec(f);
    if (!mt) continue;
    const json = `shards/${f}`;
    const m = JSON.parse(text(files.read(json)!)) as ShardManifest;
    out.push({ split: mt[1] as 'train' | 'val', shard: Number(mt[2]), json, bin: json.slice(0, -5) + '.bin', count: m.count });
  }
  return out.sort((a, b) => (a.split === b.split ? a.shard - b.shard : a.split === 'train' ? -1 : 1));
}
