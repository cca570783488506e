/**
 * npm run deeper -- nn <subcommand>
 *
 *   train --dataset <dir> --out <modelDir> [--width 0.5] [--epochs 10] [--batch 64] [--lr 0.01]
 *         [--optimizer sgd|adam] [--seed 0] [--threads N] [--checkpoints <dir>] [--no-augment]
 *       Trains a ResNet-10 on a rendered dataset (workers/render shards; 'val' shards validate),
 *       resuming from --checkpoints when it holds one; writes the LayersModel to --out.
 *   check --model <dir> [--size S] [--classes K]
 *       Loads a LayersModel (model.json + weights), checks input shape and class count.
 *   info --model <dir>
 *       Prints the architecture, layer names and activation shapes.
 */
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { folderFiles, folderFilesSync } from '../util';
import { num, parseOptions, str, type Opts } from './options';

/** Every option of the nn subcommands: value options, then flags. */
const NN_OPTIONS = {
  values: ['dataset', 'out', 'width', 'epochs', 'batch', 'lr', 'optimizer', 'seed', 'threads', 'checkpoints', 'classes', 'model', 'size'],
  flags: ['no-augment'],
} as const;

async function train(o: Opts): Promise<number> {
  const nn = await import('../nn');
  const { listShards, readShard } = await import('../render');
  const dataset = str(o, 'dataset'), out = str(o, 'out');
  const threads = num(o, 'threads', availableParallelism(), 1, 8);
  await nn.chooseBackend({ threads });
  const files = folderFilesSync(dataset);
  const shards = listShards(files);
  const trainShards = shards.filter((s) => s.split === 'train'), valShards = shards.filter((s) => s.split === 'val');
  if (trainShards.length === 0) throw new Error(`--dataset: no training shards under ${dataset}/shards`);
  const data = nn.arraySource(trainShards.map((s) => readShard(files, s.json)));
  const validation = valShards.length ? nn.arraySource(valShards.map((s) => readShard(files, s.json))) : undefined;
  const labels = new Set<number>();
  for (const s of trainShards) readShard(files, s.json).labels.forEach((l) => labels.add(l));
  const numClasses = num(o, 'classes', Math.max(...labels) + 1, 2, 100_000);
  const model = nn.buildResNet10({ inputSize: data.imageSize, widthMultiplier: num(o, 'width', 0.5, 0.05, 4), numClasses, seed: num(o, 'seed', 0, 0, 2 ** 31) });
  const started = Date.now();
  const result = await nn.train(model, data, {
    epochs: num(o, 'epochs', 10, 1, 10_000),
    batchSize: num(o, 'batch', 64, 1, 4096),
    learningRate: num(o, 'lr', 0.01, 1e-6, 10),
    optimizer: o.get('optimizer') === 'adam' ? 'adam' : 'sgd',
    seed: num(o, 'seed', 0, 0, 2 ** 31),
    augment: o.has('no-augment') ? false : { shiftPx: Math.max(1, Math.round(data.imageSize / 16)), zoom: 0.1 },
  }, {
    checkpoints: typeof o.get('checkpoints') === 'string' ? folderFiles(o.get('checkpoints') as string) : undefined,
    validation,
    onProgress: (p) => {
      if (p.batch % 10 === 0 || p.batch === p.batches - 1) {
        process.stderr.write(`\repoch ${p.epoch + 1}/${p.epochs} batch ${p.batch + 1}/${p.batches} loss ${p.loss.toFixed(3)} ${p.imagesPerSecond.toFixed(0)} img/s ETA ${Math.round(p.etaSeconds)} s   `);
      }
    },
    onEpoch: (r) => process.stderr.write(`\nepoch ${r.epoch + 1}: train loss ${r.trainLoss.toFixed(3)} acc ${(100 * r.trainAccuracy).toFixed(1)}%` +
      (r.valAccuracy !== null ? `, val loss ${r.valLoss!.toFixed(3)} acc ${(100 * r.valAccuracy).toFixed(1)}%` : '') + '\n'),
  });
  await nn.saveModel(model, folderFiles(out));
  console.log(JSON.stringify({ model: path.resolve(out), backend: result.backend, epochs: result.epochsCompleted, seconds: (Date.now() - started) / 1000, history: result.history }));
  return 0;
}

async function check(o: Opts): Promise<number> {
  const nn = await import('../nn');
  await nn.chooseBackend({ log: () => {} });
  const model = await nn.loadModel(folderFiles(str(o, 'model')), {
    inputSize: o.has('size') ? num(o, 'size', 0, 8, 4096) : undefined,
    numClasses: o.has('classes') ? num(o, 'classes', 0, 2, 1e6) : undefined,
  });
  console.log(JSON.stringify({ ok: true, input: model.inputs[0].shape, output: model.outputs[0].shape, resnet10: nn.describeResNet10(model) }));
  return 0;
}

async function info(o: Opts): Promise<number> {
  const nn = await import('../nn');
  await nn.chooseBackend({ log: () => {} });
  const model = await nn.loadModel(folderFiles(str(o, 'model')));
  const d = nn.describeResNet10(model);
  const layers = d
    ? nn.LAYER_NAMES.map((l) => ({ name: l, shape: nn.activationShape(l, d.inputSize, d.widthMultiplier, d.numClasses) }))
    : model.layers.map((l) => ({ name: l.name, shape: (l.outputShape as (number | null)[]).slice(1) }));
  console.log(JSON.stringify({ resnet10: d, parameters: model.countParams(), layers }, null, 1));
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const commands: Record<string, (o: Opts) => Promise<number>> = { train, check, info };
  if (!sub || !commands[sub]) {
    process.stderr.write('usage: npm run deeper -- nn <train|check|info> [options]  (see workers/cli/nn.ts)\n');
    return 2;
  }
  return commands[sub](parseOptions(rest, NN_OPTIONS));
}
