/**
 * `npm run deeper -- faces <sample|grid|render|dataset|import-bfm|import-ict> [options]`:
 * sample identities, write PNG grids, render one stimulus, build a dataset, import face models.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeFaceModel, encodeFaceModel, isBuiltinFaceModel, loadBuiltinFaceModel, sampleIdentities, applyExpression, type FaceModel, type Identity } from '../faces';
import { importBfm } from '../faces/importers';
import { importIctFaceKit, type IctSourceFiles } from '../faces/importers';
import { StimulusRenderer, tileImages, toUint8, writePng, type RenderOptionsInput } from '../render';
import { buildDataset } from '../render';
import { folderFilesSync, writeFileAtomicSync } from '../util';

const USAGE = `usage: npm run deeper -- faces <command> [options]

commands:
  sample   --count N --seed S [--model ict|procedural|file.dfm] [--out identities.json]
  grid     --out grid.png [--count 16] [--seed 1] [--cols 8] [--size 128] [--ssaa 2]
           [--yaw D --pitch D --roll D --light-azimuth D --light-elevation D] [--pose-row] [--model file.dfm]
  render   --out image.png [--seed 1] [--index 0] [--size 128] [--ssaa 2] [--yaw D --pitch D --roll D]
           [--light-azimuth D --light-elevation D --scale X] [--expression smile=0.8] [--model file.dfm]
  dataset  --out DIR (--config config.json | --identities N --images M [--seed 0] [--size 64]
           [--yaw-range -30,30] [--pitch-range -10,10] [--light-azimuth-range -60,60] [--val 0.1] [--shard-size 1000])
           [--threads 2]
  import-bfm FILE.h5 --out model.dfm [--unit-scale 1]
  import-ict DIR --out model.dfm [--full-head] [--max-identities K]
`;

const num = (v: string | undefined, name: string, fallback: number): number => {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new Error(`--${name} must be a number, got '${v}'`);
  return x;
};
const range = (v: string | undefined, name: string): { kind: 'uniform'; min: number; max: number } | undefined => {
  if (v === undefined) return undefined;
  const [a, b] = v.split(',').map(Number);
  if (!Number.isFinite(a) || !Number.isFinite(b) || a > b) throw new Error(`--${name} must be 'min,max' with min ≤ max, got '${v}'`);
  return { kind: 'uniform', min: a, max: b };
};

/** An ICT-FaceKit folder for importIctFaceKit (which reads no files): listed once, each file read when asked. */
export function ictFolderFiles(dir: string): IctSourceFiles {
  if (!existsSync(dir)) throw new Error(`ICT-FaceKit: folder ${dir} does not exist`);
  return {
    folder: dir,
    names: readdirSync(dir),
    text: (name) => {
      const file = path.join(dir, name);
      return existsSync(file) ? readFileSync(file, 'utf8') : null;
    },
  };
}

/** --model: a built-in name (ict, procedural, default = procedural) or a .dfm file; default ict. */
function modelFrom(file: string | undefined): FaceModel {
  if (file === undefined) return loadBuiltinFaceModel('ict');
  return isBuiltinFaceModel(file) ? loadBuiltinFaceModel(file) : decodeFaceModel(readFileSync(file), file);
}

function renderOptions(v: Record<string, string | string[] | boolean | undefined>, size: number): RenderOptionsInput {
  const s = (k: string) => v[k] as string | undefined;
  return {
    size, ssaa: num(s('ssaa'), 'ssaa', 2),
    yaw: num(s('yaw'), 'yaw', 0), pitch: num(s('pitch'), 'pitch', 0), roll: num(s('roll'), 'roll', 0),
    lightAzimuth: num(s('light-azimuth'), 'light-azimuth', 20), lightElevation: num(s('light-elevation'), 'light-elevation', 25),
    scale: num(s('scale'), 'scale', 1),
  };
}

const COMMON = {
  out: { type: 'string' }, model: { type: 'string' }, seed: { type: 'string' }, count: { type: 'string' }, size: { type: 'string' },
  ssaa: { type: 'string' }, yaw: { type: 'string' }, pitch: { type: 'string' }, roll: { type: 'string' }, scale: { type: 'string' },
  'light-azimuth': { type: 'string' }, 'light-elevation': { type: 'string' }, cols: { type: 'string' }, 'pose-row': { type: 'boolean' },
  index: { type: 'string' }, expression: { type: 'string', multiple: true }, config: { type: 'string' }, identities: { type: 'string' },
  images: { type: 'string' }, 'yaw-range': { type: 'string' }, 'pitch-range': { type: 'string' }, 'light-azimuth-range': { type: 'string' },
  val: { type: 'string' }, 'shard-size': { type: 'string' }, threads: { type: 'string' }, 'unit-scale': { type: 'string' },
  'full-head': { type: 'boolean' }, 'max-identities': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

function identityJson(id: Identity) {
  return { index: id.index, demographics: id.demographics, shape: Array.from(id.shape), texture: Array.from(id.texture) };
}

export async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  const { values: v, positionals } = parseArgs({ args: rest, options: COMMON, allowPositionals: true, strict: true });
  const out = v.out;
  switch (cmd) {
    case 'sample': {
      const model = modelFrom(v.model);
      const ids = sampleIdentities(model, { count: num(v.count, 'count', 16), seed: num(v.seed, 'seed', 1) });
      const json = JSON.stringify({ model: model.name, identities: ids.map(identityJson) });
      if (out) writeFileSync(out, json);
      else process.stdout.write(`${json}\n`);
      if (out) process.stdout.write(`wrote ${ids.length} identities of model ${model.name} to ${out}\n`);
      return 0;
    }
    case 'grid': {
      if (!out) throw new Error('grid: --out FILE.png is required');
      const model = modelFrom(v.model);
      const size = num(v.size, 'size', 128);
      const count = num(v.count, 'count', 16);
      const cols = num(v.cols, 'cols', 8);
      const ids = sampleIdentities(model, { count, seed: num(v.seed, 'seed', 1) });
      const r = new StimulusRenderer(model, size, 4);
      const base = renderOptions(v, size);
      const images = ids.map((id) => toUint8(r.render(id, base).rgb));
      if (v['pose-row']) {
        // One extra row: varied pose and lighting on the first identities.
        const poses = [[-60, 0, 0, -60, 20], [-30, 10, 0, 40, 30], [0, -15, 0, 0, 60], [20, 0, 10, -30, 0], [45, 5, 0, 70, 10], [0, 15, -10, 0, -30], [70, 0, 0, 30, 20], [-15, 0, 0, 90, 0]];
        for (let k = 0; k < cols; k++) {
          const [yaw, pitch, roll, az, el] = poses[k % poses.length];
          images.push(toUint8(r.render(ids[k % ids.length], { ...base, yaw, pitch, roll, lightAzimuth: az, lightElevation: el }).rgb));
        }
      }
      const g = tileImages(images, size, cols);
      writePng(out, g.rgb, g.width, g.height);
      process.stdout.write(`wrote ${out} (${g.width}×${g.height}, ${images.length} faces)\n`);
      return 0;
    }
    case 'render': {
      if (!out) throw new Error('render: --out FILE.png is required');
      const model = modelFrom(v.model);
      const index = num(v.index, 'index', 0);
      let id = sampleIdentities(model, { count: index + 1, seed: num(v.seed, 'seed', 1) })[index];
      for (const e of v.expression ?? []) {
        const [name, w] = e.split('=');
        id = applyExpression(model, id, name, num(w ?? '1', 'expression weight', 1));
      }
      const size = num(v.size, 'size', 128);
      const img = new StimulusRenderer(model, size, 4).render(id, renderOptions(v, size));
      writePng(out, toUint8(img.rgb), size, size);
      process.stdout.write(`wrote ${out}\n`);
      return 0;
    }
    case 'dataset': {
      if (!out) throw new Error('dataset: --out DIR is required');
      const config = v.config ? JSON.parse(readFileSync(v.config, 'utf8')) : {
        identities: { count: num(v.identities, 'identities', 10), seed: num(v.seed, 'seed', 0) },
        design: {
          size: num(v.size, 'size', 64), imagesPerIdentity: num(v.images, 'images', 100),
          factors: { yaw: range(v['yaw-range'], 'yaw-range') ?? { kind: 'uniform', min: -30, max: 30 }, pitch: range(v['pitch-range'], 'pitch-range'), lightAzimuth: range(v['light-azimuth-range'], 'light-azimuth-range') },
        },
        seed: num(v.seed, 'seed', 0), valFraction: num(v.val, 'val', 0.1), shardSize: num(v['shard-size'], 'shard-size', 1000),
      };
      let last = 0;
      const res = await buildDataset(config, {
        files: folderFilesSync(out), readModelFile: (f) => readFileSync(f), threads: num(v.threads, 'threads', 2),
        onProgress: (p) => {
          const now = Date.now();
          if (now - last < 500 && p.imagesDone < p.imagesTotal) return;
          last = now;
          const eta = Number.isFinite(p.etaSeconds) ? `${p.etaSeconds.toFixed(0)} s` : '?';
          process.stderr.write(`\r${p.imagesDone}/${p.imagesTotal} images, ${p.imagesPerSecond.toFixed(0)} images/s, ETA ${eta}, shards ${p.shardsDone}/${p.shardsTotal} (${p.shardsKept} kept)   `);
        },
      });
      process.stderr.write('\n');
      process.stdout.write(`dataset in ${out}: ${res.counts.train} train + ${res.counts.val} val images of ${res.counts.identities} identities, ${res.shards.length} shards (${res.shardsKept} kept, ${res.shardsRendered} rendered) in ${res.seconds.toFixed(1)} s\n`);
      return 0;
    }
    case 'import-bfm':
    case 'import-ict': {
      const src = positionals[0];
      if (!src || !out) throw new Error(`${cmd}: a source path and --out model.dfm are required`);
      const model = cmd === 'import-bfm'
        ? await importBfm(src, { unitScale: num(v['unit-scale'], 'unit-scale', 1) })
        : importIctFaceKit(ictFolderFiles(src), { faceOnly: !v['full-head'], maxIdentities: v['max-identities'] ? num(v['max-identities'], 'max-identities', 100) : undefined });
      mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      writeFileAtomicSync(out, encodeFaceModel(model));
      process.stdout.write(`wrote ${out}: ${model.vertexCount} vertices, ${model.shapeSd.length} shape, ${model.textureSd.length} texture, ${model.expressionNames.length} expression components\n`);
      return 0;
    }
    default:
      process.stderr.write(`unknown faces command '${cmd}'\n\n${USAGE}`);
      return 2;
  }
}
