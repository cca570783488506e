/**
 * npm run bench:analyses [-- --identities 50 --images 60 --epochs 6 --trials 1000 --permutations 200
 *                            --pose-trials 300 --vertex-stride 2 --threads 2 --dir /tmp/deeper-bench-analyses]
 *
 * The demo-size measurement of issue 6: a ResNet-10 (64 px, width 0.5) trained on N identities of
 * the default face model, then the whole battery (generalisation, reverse correlation, hidden
 * layers, pose invariance) on it. Prints each stage's seconds, the shape-versus-texture
 * generalisation table, and ends with one JSON line holding every figure. Reuses the dataset and the
 * trained network found in --dir (delete it to start over).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadDefaultFaceModel } from '../workers/faces/default-model';
import { sampleIdentities } from '../workers/faces/identity';
import { buildDataset } from '../workers/render/dataset-build';
import { listShards, readShard } from '../workers/render/dataset-format';
import * as nn from '../workers/nn';
import { networkFromModel } from '../workers/analyses/nn-adapter';
import { runBattery, type BatteryConfig } from '../workers/analyses/battery';
import { folderFiles, folderFilesSync, stagedFolderSync } from '../workers/util';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const dirArg = args.indexOf('--dir');
const dir = dirArg >= 0 ? args[dirArg + 1] : '/tmp/deeper-bench-analyses';
const N = arg('identities', 50), M = arg('images', 60), epochs = arg('epochs', 6), threads = arg('threads', 2);
const seed = 1;

const times: Record<string, number> = {};
async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await f();
  times[name] = (performance.now() - t0) / 1000;
  process.stderr.write(`\n[bench] ${name}: ${times[name].toFixed(1)} s\n`);
  return r;
}

const backend = await nn.chooseBackend({ threads });
const dsDir = path.join(dir, 'dataset'), netDir = path.join(dir, 'network');
if (!existsSync(path.join(dsDir, 'dataset.json'))) {
  await timed('dataset', () => buildDataset({
    identities: { count: N, seed },
    design: { size: 64, imagesPerIdentity: M, factors: { yaw: { kind: 'uniform', min: -35, max: 35 } } },
    seed, valFraction: 0.1, shardSize: 1000,
  }, { files: folderFilesSync(dsDir), threads }));
}
let trainInfo: Record<string, unknown> = { reused: true };
if (!existsSync(path.join(netDir, 'model.json'))) {
  const dsFiles = folderFilesSync(dsDir);
  const shards = listShards(dsFiles);
  const train = nn.arraySource(shards.filter((s) => s.split === 'train').map((s) => readShard(dsFiles, s.json)));
  const val = nn.arraySource(shards.filter((s) => s.split === 'val').map((s) => readShard(dsFiles, s.json)));
  const model = nn.buildResNet10({ inputSize: 64, widthMultiplier: 0.5, numClasses: N, seed });
  const result = await timed('train', () => nn.train(model, train, {
    epochs, batchSize: 64, learningRate: 0.05, optimizer: 'sgd', seed, augment: { shiftPx: 3, zoom: 0.08 },
  }, {
    validation: val,
    onProgress: (p) => { if (p.batch % 10 === 0) process.stderr.write(`\rtrain epoch ${p.epoch + 1}/${p.epochs} batch ${p.batch + 1}/${p.batches} loss ${p.loss.toFixed(3)} ${p.imagesPerSecond.toFixed(0)} img/s ETA ${Math.round(p.etaSeconds)} s   `); },
    onEpoch: (r) => process.stderr.write(`\nepoch ${r.epoch + 1}: train acc ${(100 * r.trainAccuracy).toFixed(1)}%, val acc ${r.valAccuracy === null ? '-' : (100 * r.valAccuracy).toFixed(1)}%\n`),
  }));
  await nn.saveModel(model, folderFiles(netDir));
  const last = result.history[result.history.length - 1];
  trainInfo = { epochs, images: train.size, trainAccuracy: last?.trainAccuracy, valAccuracy: last?.valAccuracy };
}
const faceModel = loadDefaultFaceModel();
const identities = sampleIdentities(faceModel, { count: N, seed });
const net = networkFromModel(await nn.loadModel(folderFiles(netDir), { numClasses: N }), { modelDir: netDir });
const cfg: BatteryConfig = {
  generalisation: { enabled: true, identityCount: 8, posesYawDeg: [-30, 0, 30] },
  reverseCorrelation: {
    enabled: true, identities: [0], trials: arg('trials', 1000), shapeNoiseSd: 0.5, textureNoiseSd: 0.5, basis: 'components',
    permutations: arg('permutations', 200), alpha: 0.05, tfce: false, bands: true, seed, threads: 1,
  },
  hiddenLayers: { enabled: true, pcaComponents: 8, vertexStride: arg('vertex-stride', 2) },
  poseInvariance: { enabled: true, posesYawDeg: [-30, 0, 30], trials: arg('pose-trials', 300), vertexStride: arg('vertex-stride', 2) },
  batchSize: 64,
};
const t0 = performance.now();
let lastPct = -1;
const summary = await runBattery(faceModel, identities, net, cfg, stagedFolderSync(path.join(dir, 'bundle')), (p) => {
  const pct = Math.floor(100 * p.fraction);
  if (pct !== lastPct) { lastPct = pct; process.stderr.write(`\rbattery ${pct}% ${p.stage} ETA ${p.etaSeconds === null ? '?' : Math.round(p.etaSeconds)} s   `); }
});
times.battery = (performance.now() - t0) / 1000;
process.stderr.write('\n');
for (const s of summary.stages) console.log(`${s.stage.padEnd(28)} ${s.seconds.toFixed(1)} s`);
console.log(`${'battery total'.padEnd(28)} ${times.battery.toFixed(1)} s\n`);
console.log('generalisation: mean P(original identity) per level (8 identities × 3 poses)');
for (const c of summary.generalisation!.curves) {
  console.log(`${c.manipulation.padEnd(14)} ${c.levels.map((l, i) => `${l.toFixed(2)}:${c.probability[i].toFixed(2)}/${c.accuracy[i].toFixed(2)}`).join('  ')}  AUC ${c.auc.toFixed(3)}  below½ ${c.levelBelowHalf === null ? '-' : c.levelBelowHalf.toFixed(2)}`);
}
const rc = summary.reverseCorrelation[0];
console.log(JSON.stringify({
  backend: backend.name, threads, identities: N, imagesPerIdentity: M, train: trainInfo, seconds: times,
  stages: summary.stages,
  generalisation: summary.generalisation!.curves.map((c) => ({ manipulation: c.manipulation, levels: c.levels, probability: c.probability, accuracy: c.accuracy, auc: c.auc, levelBelowHalf: c.levelBelowHalf })),
  reverseCorrelation: { accuracy: rc.accuracy, maps: rc.maps.map((m) => ({ name: m.name, significant: m.significant, maxBits: m.maxBits, thresholdBits: m.test.threshold })) },
  hiddenLayers: summary.hiddenLayers[0].layers.map((l) => ({ layer: l.layer, logitBits: l.logitBits, decisionBits: l.decisionBits, shapeMeanBits: l.shape.meanBits, textureMeanBits: l.texture.meanBits })),
  poseInvariance: summary.poseInvariance[0].features.map((f) => ({ feature: f.feature, layers: f.layers.map((l) => ({ layer: l.layer, invarianceIndex: l.invarianceIndex, dice: l.dice })) })),
}));
