/**
 * A/B of the convolutions Winograd does not take (kernels/direct-conv.ts): XNNPACK's fused conv2d
 * ('xnnpack') against our register-tiled direct kernel ('own') on ResNet-10's stem (7×7 stride 2
 * on 3 channels), stride-2 3×3 convolutions and 1×1 projections (bias + ReLU), interleaved in one
 * process (A B A B …): median ms (wall and CPU, process.cpuUsage over all threads), GFLOP/s per CPU
 * second (2·N·OH·OW·kH·kW·C·CO), largest relative difference. Then whole inference (Predictor,
 * folded batch norm, Winograd on), images/s, xnnpack against own, interleaved, per batch size.
 *   npx tsx bench/nn-direct-ab.ts [--threads 1] [--size 64] [--width 0.5] [--batch 64] [--reps 7]
 *     [--infer-batches 64,128] [--infer-images 512] [--skip-layers] [--skip-infer] [--grad]
 * --grad: also the filter gradient of the same layers, the packed kernel (filter-grad.c; the stem in
 * its space-to-depth form, 4×4 on 12 channels, as stem.ts) against the row kernel (direct-grad.c;
 * the stem as it is, 7×7 stride 2 on 3 channels).
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { chooseBackend } from '../workers/nn/backend';
import { resNet10Widths } from '../workers/nn/resnet10';
import { buildResNet10, Predictor } from '../workers/nn';
import { directConv, packFilter, setDirectConvPath, type DirectConvPath } from '../workers/nn/kernels/direct-conv';
import { setRowFilterGrad } from '../workers/nn/kernels/conv2d-backprop-filter';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : fallback; };
const list = (name: string, fallback: number[]) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1].split(',').map(Number) : fallback; };
const threads = num('threads', 1), S = num('size', 64), width = num('width', 0.5), batch = num('batch', 64), reps = num('reps', 7);
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
await chooseBackend({ prefer: ['wasm'], threads });
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const c = resNet10Widths(width);
const paths: DirectConvPath[] = ['xnnpack', 'own'];

if (!argv.includes('--skip-layers')) {
  // [name, input side, cin, cout, k, stride]
  const layers: [string, number, number, number, number, number][] = [['stem', S, 3, c[0], 7, 2], ['block1 proj', S / 4, c[0], c[0], 1, 1]];
  for (let b = 1; b < 4; b++) {
    layers.push([`block${b + 1} conv a`, S / 2 ** (b + 1), c[b - 1], c[b], 3, 2]);
    layers.push([`block${b + 1} proj`, S / 2 ** (b + 1), c[b - 1], c[b], 1, 2]);
  }
  const tot = { xnnpack: 0, own: 0 };
  console.log(`layers, batch ${batch}, threads ${threads}; ${uptime()}`);
  for (const [name, side, cin, cout, k, s] of layers) {
    const x = tf.randomNormal([batch, side, side, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
    const wArr = tf.randomNormal([k, k, cin, cout], 0, 1 / Math.sqrt(k * k * cin), 'float32', 2).dataSync() as Float32Array;
    const w = tf.tensor4d(wArr, [k, k, cin, cout]), bias = tf.randomNormal([cout], 0, 0.1, 'float32', 3) as tf.Tensor1D;
    const p = tf.tensor1d(packFilter(wArr, k * k * cin, cout));
    const run = (path: DirectConvPath) => path === 'xnnpack'
      ? tf.fused.conv2d({ x, filter: w, strides: s, pad: 'same', bias, activation: 'relu' }) as tf.Tensor
      : directConv(x, p, bias, k, k, s, true);
    const wall: Record<string, number[]> = { xnnpack: [], own: [] }, cpu: Record<string, number[]> = { xnnpack: [], own: [] };
    const vals: Record<string, Float32Array> = {};
    for (let r = 0; r < reps + 1; r++) for (const path of paths) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      const y = run(path);
      const v = y.dataSync() as Float32Array;
      const c1 = process.cpuUsage(c0);
      if (r > 0) { wall[path].push(performance.now() - t0); cpu[path].push((c1.user + c1.system) / 1000); } else vals[path] = v.slice();
      y.dispose();
    }
    let n = 0, d = 0;
    for (let i = 0; i < vals.own.length; i++) { n = Math.max(n, Math.abs(vals.own[i] - vals.xnnpack[i])); d = Math.max(d, Math.abs(vals.xnnpack[i])); }
    const os = Math.ceil(side / s), flops = 2 * batch * os * os * k * k * cin * cout;
    const line = paths.map((path) => {
      const cm = median(cpu[path]);
      tot[path] += cm;
      return `${path} ${median(wall[path]).toFixed(1)}/${cm.toFixed(1)} ms (${(flops / cm / 1e6).toFixed(1)} GFLOP/s)`;
    }).join('; ');
    console.log(`${name.padEnd(12)} ${batch}×${side}²×${cin}→${cout} ${k}×${k}/${s} wall/CPU: ${line}; rel diff ${(n / d).toExponential(1)}`);
    tf.dispose([x, w, bias, p]);
  }
  console.log(`total CPU ms: xnnpack ${tot.xnnpack.toFixed(1)}, own ${tot.own.toFixed(1)} (${(tot.xnnpack / tot.own).toFixed(2)}× less); ${uptime()}`);
}

if (argv.includes('--grad')) {
  const layers: [string, number, number, number, number, number][] = [['stem', S, 3, c[0], 7, 2], ['block1 proj', S / 4, c[0], c[0], 1, 1]];
  for (let b = 1; b < 4; b++) {
    layers.push([`block${b + 1} conv a`, S / 2 ** (b + 1), c[b - 1], c[b], 3, 2]);
    layers.push([`block${b + 1} proj`, S / 2 ** (b + 1), c[b - 1], c[b], 1, 2]);
  }
  const tot = { packed: 0, rows: 0 };
  console.log(`filter gradient, batch ${batch}, threads ${threads}; ${uptime()}`);
  for (const [name, side, cin, cout, k, s] of layers) {
    const out = Math.ceil(side / s);
    const x = tf.randomNormal([batch, side, side, cin], 0, 1, 'float32', 1), dy = tf.randomNormal([batch, out, out, cout], 0, 1, 'float32', 2);
    // The packed path's stem: the space-to-depth input (2×2 blocks, 12 channels) and a 4×4 stride-1 filter, as stem.ts.
    const xs = name === 'stem' ? tf.randomNormal([batch, out + 3, out + 3, 4 * cin], 0, 1, 'float32', 1) : x;
    const run = (path: 'packed' | 'rows') => {
      setRowFilterGrad(path === 'rows');
      const stemPacked = name === 'stem' && path === 'packed';
      return tf.engine().runKernel('Conv2DBackpropFilter', { x: stemPacked ? xs : x, dy }, stemPacked
        ? { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: [4, 4, 4 * cin, cout] }
        : { strides: [s, s], pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, cin, cout] }) as tf.Tensor;
    };
    const cpu: Record<string, number[]> = { packed: [], rows: [] };
    for (let r = 0; r < reps + 1; r++) for (const path of ['packed', 'rows'] as const) {
      const c0 = process.cpuUsage();
      const dw = run(path);
      dw.dataSync();
      const c1 = process.cpuUsage(c0);
      if (r > 0) cpu[path].push((c1.user + c1.system) / 1000);
      dw.dispose();
    }
    const flops = 2 * batch * out * out * k * k * cin * cout, a = median(cpu.packed), b = median(cpu.rows);
    tot.packed += a; tot.rows += b;
    console.log(`${name.padEnd(12)} ${batch}×${side}²×${cin}→${cout} ${k}×${k}/${s} CPU: packed ${a.toFixed(1)} ms (${(flops / a / 1e6).toFixed(1)} GFLOP/s), rows ${b.toFixed(1)} ms (${(flops / b / 1e6).toFixed(1)})`);
    tf.dispose(name === 'stem' ? [x, dy, xs] : [x, dy]);
  }
  setRowFilterGrad(true);
  console.log(`total CPU ms: packed ${tot.packed.toFixed(1)}, rows ${tot.rows.toFixed(1)} (${(tot.packed / tot.rows).toFixed(2)}× less); ${uptime()}`);
}

if (!argv.includes('--skip-infer')) {
  const batches = list('infer-batches', [64, 128]), images = num('infer-images', 512);
  const model = buildResNet10({ inputSize: S, widthMultiplier: width, numClasses: S === 224 ? 2000 : 200, seed: 1 });
  const data = new Float32Array(images * S * S * 3);
  for (let i = 0; i < data.length; i++) data[i] = (Math.sin(i * 0.013) + 1) / 2;
  console.log(`inference, ${images} images per pass, threads ${threads}; ${uptime()}`);
  for (const bs of batches) {
    const ips: Record<string, number[]> = { xnnpack: [], own: [] }, cps: Record<string, number[]> = { xnnpack: [], own: [] };
    const predictors = Object.fromEntries(paths.map((p) => [p, new Predictor(model)])) as Record<DirectConvPath, Predictor>;
    for (let r = 0; r < reps + 1; r++) for (const p of paths) {
      setDirectConvPath(p);
      const t0 = performance.now(), c0 = process.cpuUsage();
      predictors[p].predict(data, { batchSize: bs });
      const c1 = process.cpuUsage(c0), dt = performance.now() - t0;
      if (r > 0) { ips[p].push(images / (dt / 1000)); cps[p].push(images / ((c1.user + c1.system) / 1e6)); }
    }
    const a = median(ips.xnnpack), b = median(ips.own), ca = median(cps.xnnpack), cb = median(cps.own);
    console.log(`batch ${bs}: images/s wall xnnpack ${a.toFixed(0)}, own ${b.toFixed(0)} (${(b / a).toFixed(2)}×); ` +
      `per CPU second xnnpack ${ca.toFixed(0)}, own ${cb.toFixed(0)} (${(cb / ca).toFixed(2)}×); ${uptime()}`);
    for (const p of paths) predictors[p].dispose();
  }
  setDirectConvPath('own');
  model.dispose();
}
