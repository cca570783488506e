/**
 * A/B of the inference convolutions (kernels/winograd.ts): XNNPACK's fused conv2d ('direct')
 * against Winograd F(2×2, 3×3) and F(4×4, 3×3) on ResNet-10's stride-1 3×3 layers (bias + ReLU),
 * interleaved in one process (A B C A B C …): median ms (wall and CPU, process.cpuUsage over all
 * threads), GFLOP/s per CPU second in direct-convolution FLOPs (2·N·H·W·9·C·CO), largest relative
 * difference from direct. Then whole inference (Predictor, folded batch norm), images/s, direct
 * against Winograd, interleaved, per batch size.
 *   npx tsx bench/nn-winograd-ab.ts [--threads 1] [--size 64] [--width 0.5] [--batch 64] [--reps 7]
 *     [--infer-batches 32,64,128] [--infer-images 512] [--skip-layers] [--skip-infer]
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { chooseBackend } from '../workers/nn/backend';
import { resNet10Widths } from '../workers/nn/resnet10';
import { buildResNet10, Predictor } from '../workers/nn';
import { setConvInferPath, setWinogradTile, transformFilter, winogradConv } from '../workers/nn/kernels/winograd';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : fallback; };
const list = (name: string, fallback: number[]) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1].split(',').map(Number) : fallback; };
const threads = num('threads', 1), S = num('size', 64), width = num('width', 0.5), batch = num('batch', 64), reps = num('reps', 7);
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
await chooseBackend({ prefer: ['wasm'], threads });
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const c = resNet10Widths(width);

if (!argv.includes('--skip-layers')) {
  // [name, side, cin, cout]: the stride-1 3×3 convolutions.
  const layers: [string, number, number, number][] = [['block1 conv a', S / 4, c[0], c[0]]];
  for (let b = 0; b < 4; b++) layers.push([`block${b + 1} conv b`, S / 2 ** (b + 2), c[b], c[b]]);
  const paths = ['direct', 'F2', 'F4'] as const;
  const tot = { direct: 0, F2: 0, F4: 0 }, totBest = { direct: 0, best: 0 };
  console.log(`layers, batch ${batch}, threads ${threads}; ${uptime()}`);
  for (const [name, side, cin, cout] of layers) {
    const x = tf.randomNormal([batch, side, side, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
    const wArr = tf.randomNormal([3, 3, cin, cout], 0, 1 / Math.sqrt(9 * cin), 'float32', 2).dataSync() as Float32Array;
    const w = tf.tensor4d(wArr, [3, 3, cin, cout]), bias = tf.randomNormal([cout], 0, 0.1, 'float32', 3) as tf.Tensor1D;
    const u2 = tf.tensor1d(transformFilter(wArr, cin, cout, 2)), u4 = tf.tensor1d(transformFilter(wArr, cin, cout, 4));
    const run = (p: (typeof paths)[number]) => p === 'direct'
      ? tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias, activation: 'relu' }) as tf.Tensor
      : winogradConv(x, p === 'F2' ? u2 : u4, bias, p === 'F2' ? 2 : 4, true);
    const wall: Record<string, number[]> = { direct: [], F2: [], F4: [] }, cpu: Record<string, number[]> = { direct: [], F2: [], F4: [] };
    const vals: Record<string, Float32Array> = {};
    for (let r = 0; r < reps + 1; r++) for (const p of paths) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      const y = run(p);
      const v = y.dataSync() as Float32Array;
      const c1 = process.cpuUsage(c0);
      if (r > 0) { wall[p].push(performance.now() - t0); cpu[p].push((c1.user + c1.system) / 1000); } else vals[p] = v.slice();
      y.dispose();
    }
    const rel = (a: Float32Array, b: Float32Array) => {
      let n = 0, d = 0;
      for (let i = 0; i < a.length; i++) { n = Math.max(n, Math.abs(a[i] - b[i])); d = Math.max(d, Math.abs(b[i])); }
      return (n / d).toExponential(1);
    };
    const flops = 2 * batch * side * side * 9 * cin * cout;
    const line = paths.map((p) => {
      const cm = median(cpu[p]);
      tot[p] += cm;
      return `${p} ${median(wall[p]).toFixed(1)}/${cm.toFixed(1)} ms (${(flops / cm / 1e6).toFixed(1)} GFLOP/s)`;
    }).join('; ');
    totBest.direct += median(cpu.direct); totBest.best += Math.min(median(cpu.F2), median(cpu.F4));
    console.log(`${name.padEnd(13)} ${batch}×${side}²×${cin}→${cout} wall/CPU: ${line}; rel diff F2 ${rel(vals.F2, vals.direct)}, F4 ${rel(vals.F4, vals.direct)}`);
    tf.dispose([x, w, bias, u2, u4]);
  }
  console.log(`total CPU ms: direct ${tot.direct.toFixed(1)}, F2 ${tot.F2.toFixed(1)}, F4 ${tot.F4.toFixed(1)}, best per layer ${totBest.best.toFixed(1)} ` +
    `(${(totBest.direct / totBest.best).toFixed(2)}× less than direct); ${uptime()}`);
}

if (!argv.includes('--skip-infer')) {
  const batches = list('infer-batches', [32, 64, 128]), images = num('infer-images', 512);
  const model = buildResNet10({ inputSize: S, widthMultiplier: width, numClasses: S === 224 ? 2000 : 200, seed: 1 });
  const data = new Float32Array(images * S * S * 3);
  for (let i = 0; i < data.length; i++) data[i] = (Math.sin(i * 0.013) + 1) / 2;
  const paths = ['direct', 'winograd'] as const;
  console.log(`inference, ${images} images per pass, threads ${threads}; ${uptime()}`);
  for (const bs of batches) {
    const ips: Record<string, number[]> = { direct: [], winograd: [] }, cps: Record<string, number[]> = { direct: [], winograd: [] };
    const predictors = Object.fromEntries(paths.map((p) => [p, new Predictor(model)])) as Record<(typeof paths)[number], Predictor>;
    for (let r = 0; r < reps + 1; r++) for (const p of paths) {
      setConvInferPath(p);
      const t0 = performance.now(), c0 = process.cpuUsage();
      predictors[p].predict(data, { batchSize: bs });
      const c1 = process.cpuUsage(c0), dt = performance.now() - t0;
      if (r > 0) { ips[p].push(images / (dt / 1000)); cps[p].push(images / ((c1.user + c1.system) / 1e6)); }
    }
    const a = median(ips.direct), b = median(ips.winograd);
    console.log(`batch ${bs}: images/s wall direct ${a.toFixed(0)}, winograd ${b.toFixed(0)} (${(b / a).toFixed(2)}×); ` +
      `per CPU second direct ${median(cps.direct).toFixed(0)}, winograd ${median(cps.winograd).toFixed(0)} (${(median(cps.winograd) / median(cps.direct)).toFixed(2)}×); ${uptime()}`);
    for (const p of paths) predictors[p].dispose();
  }
  setConvInferPath('winograd'); setWinogradTile(0);
  model.dispose();
}
