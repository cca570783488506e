/**
 * `npm run bench:workflow [-- --write]`: measures the throughputs behind the cost estimate on this
 * machine (server/workflows/throughputs.ts): step process start, identity sampling, rendering at
 * 64 px, ResNet-10 training and inference at 64 px width 0.5, GCMI map throughput. With --write it
 * stores them in server/workflows/throughputs.json, which the estimate reads. Last line: one JSON object.
 *
 * Times are CPU seconds of this process (process.cpuUsage), not wall time: on a shared machine
 * the wall clock measures the neighbours' load; CPU time gives what one free core does.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from '../workers/util';

const root = path.resolve(import.meta.dirname, '..');
/** CPU seconds (user + system) of this process since `t0` (a process.cpuUsage() reading). */
const cpuNow = () => process.cpuUsage();
const seconds = (t0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1e6;
};

function processStart(): number {
  const input = JSON.stringify({ runId: '00000000-0000-4000-8000-000000000001', workspaceId: '00000000-0000-4000-8000-000000000002', stepId: 'x', config: { name: 'x' }, params: { durationMs: 0, chunks: 1 } });
  // bash's `times` prints the children's user and system CPU time (second line: "0m0.750s 0m0.280s").
  const inputFile = path.join(os.tmpdir(), `deeper-bench-input-${process.pid}.json`);
  writeFileSync(inputFile, input);
  const script = `for i in 1 2 3; do "${process.execPath}" --import tsx workers/main.ts exec diagnostic-compute < "${inputFile}" > /dev/null 2>&1 || exit 1; done; times`;
  const r = spawnSync('bash', ['-c', script], { cwd: root, encoding: 'utf8', env: { ...process.env, ARTIFACTS_DIR: path.join(os.tmpdir(), 'deeper-bench-art') } });
  if (r.status !== 0) throw new Error(`step process failed: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return (secs[0]! + secs[1]!) / 3;
}

async function main(): Promise<void> {
  const out: Record<string, number | string> = {};
  out.processStartS = processStart();
  process.stderr.write(`step process start: ${out.processStartS.toFixed(2)} CPU s\n`);

  const faces = await import('../workers/faces');
  const model = faces.loadDefaultFaceModel();
  let t0 = cpuNow();
  const ids = faces.sampleIdentities(model, { count: 500, seed: 1 });
  out.identitiesPerS = 500 / seconds(t0);
  out.modelVertices = model.vertexCount;

  const { StimulusRenderer, prepareRenderOptions } = await import('../workers/render');
  const renderer = new StimulusRenderer(model, 64);
  const opts = prepareRenderOptions({ size: 64 });
  renderer.render(ids[0]!, opts);
  t0 = cpuNow();
  const N = 300;
  for (let i = 0; i < N; i++) renderer.render(ids[i % 50]!, { ...opts, yaw: (i % 61) - 30 });
  out.renderImagesPerS64 = N / seconds(t0);
  process.stderr.write(`render: ${out.renderImagesPerS64.toFixed(0)} images/s at 64 px (1 thread)\n`);

  const nn = await import('../workers/nn');
  await (await import('../workers/functions/runtime-env')).applyRuntimeEnv(process.env);
  await nn.chooseBackend({ log: () => {} });
  const n = 128;
  const images = new Uint8Array(n * 64 * 64 * 3).map((_, i) => (i * 2654435761) >>> 24);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 50);
  const net = nn.buildResNet10({ inputSize: 64, widthMultiplier: 0.5, numClasses: 50, seed: 1 });
  await nn.train(net, nn.arraySource({ images: images.subarray(0, 64 * 64 * 64 * 3), labels: labels.subarray(0, 64), imageSize: 64 }), { epochs: 1, batchSize: 64, augment: false });
  t0 = cpuNow();
  const r = await nn.train(net, nn.arraySource({ images, labels, imageSize: 64 }), { epochs: 1, batchSize: 64, augment: false, seed: 2 });
  out.trainImagesPerS64 = n / seconds(t0);
  process.stderr.write(`train: ${out.trainImagesPerS64.toFixed(0)} images/s (64 px, width 0.5, batch 64; loop's wall-clock figure ${r.imagesPerSecond.toFixed(0)})\n`);
  const predictor = new nn.Predictor(net);
  const floats = Float32Array.from(images, (v) => v / 255);
  predictor.predict(floats.subarray(0, 64 * 64 * 64 * 3), { batchSize: 64 });
  t0 = cpuNow();
  predictor.predict(floats, { batchSize: 64, layers: ['block2', 'block4'] });
  out.inferImagesPerS64 = n / seconds(t0);
  process.stderr.write(`infer: ${out.inferImagesPerS64.toFixed(0)} images/s\n`);

  const info = await import('../workers/info');
  const nVar = 2000, nDim = 3, T = 500;
  const x = Float64Array.from({ length: nVar * nDim * T }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
  const y = Float64Array.from({ length: T }, (_, i) => Math.cos(i * 4.1414));
  t0 = cpuNow();
  info.gcmiMapCC(x, nVar, nDim, T, y);
  out.gcmiSamplesPerS = (nVar * T) / seconds(t0);
  process.stderr.write(`GCMI map: ${(out.gcmiSamplesPerS / 1e6).toFixed(1)} M (vertex × trial)/s\n`);

  out.machine = `${os.cpus().length}-core ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`;
  out.measuredAt = new Date().toISOString().slice(0, 10);
  out.source = 'npm run bench:workflow on this machine (CPU seconds of one core; wasm backend single-threaded)';
  if (process.argv.includes('--write')) {
    const file = path.join(root, 'server/workflows/throughputs.json');
    writeFileAtomicSync(file, `${JSON.stringify(out, null, 2)}\n`);
    process.stderr.write(`wrote ${file}\n`);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
