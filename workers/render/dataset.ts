/**
 * Datasets: N identities × M images rendered into shards (dataset-format.ts), split into train and
 * validation, in parallel over worker_threads, with progress and resumption (finished shards whose
 * checksum matches are kept). Every image is determined by (model, config, index), so any image
 * can be re-rendered alone (renderDatasetImage).
 */
import { z } from 'zod';
import { EMOTIONS, emotionWeights, loadBuiltinFaceModel } from '../faces';
import { decodeFaceModel } from '../faces';
import { type Identity, sampleIdentities } from '../faces';
import type { FaceModel } from '../faces/model';
import { createRng, hashInts } from '../faces';
import { DATASET_FORMAT, type DatasetFiles, type ImageRecord, type ShardRef, sha256, shardManifestSchema, shardNames } from './dataset-format';
import { factorsToRenderOptions, parseStimulusDesign, stimulusDesignSchema, stimulusFactors, type StimulusDesign } from './design';
import type { RenderOptions } from './options';
import { toUint8 } from './rasterizer';
import { StimulusRenderer, prepareRenderOptions } from './stimulus';

export const datasetConfigSchema = z.object({
  /** A built-in model ('ict', 'procedural'; 'default' = legacy alias of 'procedural'), or a .dfm file. */
  model: z.union([z.enum(['default', 'ict', 'procedural']), z.object({ file: z.string() })]).default('default'),
  identities: z.object({ count: z.number().int().min(1).max(100_000), seed: z.number().int(), coefficientScale: z.number().positive().max(5).optional() }),
  design: stimulusDesignSchema,
  /** Seed of the per-image factor draws. */
  seed: z.number().int().default(0),
  /** Fraction of each identity's images held out for validation. */
  valFraction: z.number().min(0).max(0.9).default(0.1),
  shardSize: z.number().int().min(1).max(1_000_000).default(1000),
});
export type DatasetConfig = z.infer<typeof datasetConfigSchema>;
export type DatasetConfigInput = z.input<typeof datasetConfigSchema>;

export function parseDatasetConfig(input: DatasetConfigInput, model?: FaceModel): DatasetConfig {
  const r = datasetConfigSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`dataset config field '${i.path.join('.')}': ${i.message}`);
  }
  r.data.design = parseStimulusDesign(r.data.design, model);
  return r.data;
}

/** Stable hash of a config: resumed shards must come from the same config. */
export function configHash(config: DatasetConfig): string {
  const canon = (v: unknown): unknown => Array.isArray(v) ? v.map(canon) : v && typeof v === 'object'
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v;
  return sha256(new TextEncoder().encode(JSON.stringify(canon(config)))).slice(0, 16);
}

/** The config's face model: a built-in one, or `modelFile` (the bytes of config.model.file, read by the caller). */
export function loadDatasetModel(config: DatasetConfig, modelFile?: Uint8Array): FaceModel {
  if (typeof config.model === 'string') return loadBuiltinFaceModel(config.model);
  if (!modelFile) throw new Error(`dataset config field 'model.file': ${config.model.file} needs its bytes (BuildDatasetOptions.readModelFile)`);
  return decodeFaceModel(modelFile, config.model.file);
}

/** One image's place: identity i, its image m, and the global index i·M + m. */
export interface PlannedImage { index: number; identity: number; image: number }

/** Which images of each identity are validation images: a seeded choice of round(M·valFraction). */
export function planDataset(config: DatasetConfig): { train: PlannedImage[]; val: PlannedImage[] } {
  const N = config.identities.count, M = config.design.imagesPerIdentity;
  const valCount = Math.round(M * config.valFraction);
  const train: PlannedImage[] = [], val: PlannedImage[] = [];
  const isVal = new Uint8Array(M);
  for (let i = 0; i < N; i++) {
    isVal.fill(0);
    const order = Array.from({ length: M }, (_, m) => m);
    const rng = createRng(hashInts(config.seed, i, 0x5a11));
    for (let k = 0; k < valCount; k++) {
      const j = k + Math.floor(rng() * (M - k));
      [order[k], order[j]] = [order[j], order[k]];
      isVal[order[k]] = 1;
    }
    for (let m = 0; m < M; m++) (isVal[m] ? val : train).push({ index: i * M + m, identity: i, image: m });
  }
  return { train, val };
}

export function shardsOf(list: PlannedImage[], shardSize: number): PlannedImage[][] {
  const out: PlannedImage[][] = [];
  for (let s = 0; s < list.length; s += shardSize) out.push(list.slice(s, s + shardSize));
  return out;
}

/** Renders a list of planned images into one Uint8 buffer [n][H][W][3] plus their records. */
export class ImageProducer {
  readonly model: FaceModel;
  readonly config: DatasetConfig;
  readonly identities: Identity[];
  private renderer: StimulusRenderer;
  private expression: Float32Array;
  private baseOptions: RenderOptions;

  constructor(model: FaceModel, config: DatasetConfig) {
    this.model = model;
    this.config = config;
    this.identities = sampleIdentities(model, { count: config.identities.count, seed: config.identities.seed, coefficientScale: config.identities.coefficientScale });
    this.renderer = new StimulusRenderer(model, config.design.size, config.design.ssaa);
    this.expression = new Float32Array(model.expressionNames.length);
    this.baseOptions = prepareRenderOptions({ size: config.design.size, ssaa: config.design.ssaa });
  }

  /** Renders image `p` into `out` (Uint8 [H][W][3]) and returns its record. */
  renderInto(p: PlannedImage, out: Uint8Array): ImageRecord {
    const design: StimulusDesign = this.config.design;
    const f = stimulusFactors(design, this.config.seed, p.identity, p.image);
    const id = this.identities[p.identity];
    this.expression.set(f.emotion ? emotionWeights(this.model.expressionNames, f.emotion.name, f.emotion.intensity) : id.expression);
    for (const [name, w] of Object.entries(f.expressions)) this.expression[this.model.expressionNames.indexOf(name)] = w;
    // Factors were range-checked with the design, so they are spread onto prepared options.
    const o = { ...this.baseOptions, ...factorsToRenderOptions(design, f) } as RenderOptions;
    const r = this.renderer.renderExpression(id, this.expression, o);
    toUint8(r.rgb, out);
    const { expressions, emotion, ...numeric } = f;
    // The emotion is recorded as its index in EMOTIONS and its intensity (only when the design has one).
    const emo: Record<string, number> = emotion ? { emotionIndex: EMOTIONS.indexOf(emotion.name), emotionIntensity: emotion.intensity } : {};
    return { index: p.index, identity: p.identity, image: p.image, label: p.identity, factors: { ...numeric, ...emo, expressions } };
  }

  renderList(list: PlannedImage[], onImage?: (done: number) => void): { images: Uint8Array; records: ImageRecord[] } {
    const px = this.config.design.size ** 2 * 3;
    const images = new Uint8Array(list.length * px);
    const records = list.map((p, k) => {
      const rec = this.renderInto(p, images.subarray(k * px, (k + 1) * px));
      onImage?.(k + 1);
      return rec;
    });
    return { images, records };
  }
}

/** Re-renders any single image of a dataset from its global index (Uint8 RGB [H][W][3]). */
export function renderDatasetImage(model: FaceModel, config: DatasetConfig, index: number): { rgb: Uint8Array; record: ImageRecord } {
  const M = config.design.imagesPerIdentity;
  if (!(Number.isInteger(index) && index >= 0 && index < config.identities.count * M)) throw new Error(`index must be an integer in [0, ${config.identities.count * M}), got ${index}`);
  const producer = new ImageProducer(model, config);
  const rgb = new Uint8Array(config.design.size ** 2 * 3);
  const record = producer.renderInto({ index, identity: Math.floor(index / M), image: index % M }, rgb);
  return { rgb, record };
}

/** Writes one shard (.bin, then .json), each atomically, into `files`. */
export function writeShard(files: DatasetFiles, config: DatasetConfig, split: 'train' | 'val', shard: number, images: Uint8Array, records: ImageRecord[]): void {
  const { bin, json } = shardNames(split, shard);
  files.write(bin, images);
  const manifest = { format: DATASET_FORMAT, configHash: configHash(config), split, shard, size: config.design.size, count: records.length, sha256: sha256(images), images: records };
  files.write(json, JSON.stringify(manifest));
}

/** True when the shard's manifest belongs to this config and its .bin matches the checksum. */
export function shardIsComplete(files: DatasetFiles, config: DatasetConfig, split: 'train' | 'val', shard: number, expectedCount: number): boolean {
  const { bin, json } = shardNames(split, shard);
  const jsonBytes = files.read(json);
  if (!jsonBytes) return false;
  try {
    const m = shardManifestSchema.parse(JSON.parse(new TextDecoder().decode(jsonBytes)));
    if (m.configHash !== configHash(config) || m.count !== expectedCount) return false;
    const binBytes = files.read(bin);
    return binBytes !== null && sha256(binBytes) === m.sha256;
  } catch {
    return false;
  }
}

export interface DatasetProgress {
  imagesDone: number;
  imagesTotal: number;
  imagesPerSecond: number;
  etaSeconds: number;
  shardsDone: number;
  shardsTotal: number;
  /** Shards found complete and kept from an earlier run. */
  shardsKept: number;
}

export interface BuildDatasetOptions {
  /** The dataset folder's files (the edge's workers/util folderFilesSync(dir)). */
  files: DatasetFiles;
  /** The bytes of config.model.file, when the config names a face-model file (the caller reads it). */
  readModelFile?: (file: string) => Uint8Array;
  /** worker_threads to use; 0 renders in the calling thread. */
  threads?: number;
  onProgress?: (p: DatasetProgress) => void;
  /** Stops handing out shards when aborted; finished shards stay in `files` for a later resume. */
  signal?: AbortSignal;
}

export interface DatasetManifest {
  format: typeof DATASET_FORMAT;
  configHash: string;
  config: DatasetConfig;
  model: { name: string; vertexCount: number };
  counts: { train: number; val: number; identities: number };
  shards: ShardRef[];
}
