/**
 * A/B of the filter-gradient paths (kernels/conv2d-backprop-filter.ts: 'packed' SIMD kernel of our
 * own against XNNPACK over shifted views / im2col) on the layers of ResNet-10, interleaved in one
 * process (A B A B …), median ms per layer and their largest relative difference; and 'winograd': the packed
 * path with the stride-1 3×3 layers by Winograd (wasm/winograd-grad.c).
 *   npx tsx bench/nn-filter-grad-ab.ts [--tile 0|2|4] [--threads 1] [--size 64] [--width 0.5] [--batch 64] [--reps 7]
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { chooseBackend } from '../workers/nn/backend';
import { resNet10Widths } from '../workers/nn/resnet10';
import { setFilterGradPath, setFilterGradParts, type FilterGradPath } from '../workers/nn/kernels/conv2d-backprop-filter';
import { setWinogradFilterGrad } from '../workers/nn/kernels/winograd-train';
import { setWinogradTile } from '../workers/nn/kernels/winograd';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : fallback; };
const threads = num('threads', 1), S = num('size', 64), width = num('width', 0.5), batch = num('batch', 64), reps = num('reps', 7);
await chooseBackend({ prefer: ['wasm'], threads });
setFilterGradParts(num('packed-parts', 2));
// --tile 2|4 forces the Winograd tile size (0: the per-shape rule, kernels/winograd.ts winogradTile).
setWinogradTile(num('tile', 0) as 0 | 2 | 4);
const c = resNet10Widths(width);
// [name, input side, cin, cout, kernel, stride]; the stem's filter gradient is its space-to-depth form (stem.ts).
const layers: [string, number, number, number, number, number][] = [['stem s2d 4x4', S / 2, 12, c[0], 4, 1]];
for (let b = 0; b < 4; b++) {
  const side = S / 2 ** (b + 2), cin = b === 0 ? c[0] : c[b - 1];
  layers.push([`block${b + 1} conv a`, b === 0 ? side : side * 2, cin, c[b], 3, b === 0 ? 1 : 2]);
  layers.push([`block${b + 1} conv b`, side, c[b], c[b], 3, 1]);
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
// 'winograd': the packed path with stride-1 3×3 layers by Winograd (kernels/winograd-train.ts).
type Path = FilterGradPath | 'winograd';
const paths: Path[] = ['xnnpack', 'packed', 'winograd'];
const totals = { xnnpack: 0, packed: 0, winograd: 0 } as Record<Path, number>;
const cpuTotals = { xnnpack: 0, packed: 0, winograd: 0 } as Record<Path, number>;
for (const [name, side, cin, cout, k, s] of layers) {
  const x = tf.randomNormal([batch, side, side, cin], 0, 1, 'float32', 1);
  const out = Math.ceil(side / s);
  const dy = tf.randomNormal([batch, out, out, cout], 0, 1, 'float32', 2);
  const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [s, s], pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, cin, cout] }) as tf.Tensor;
  const times: Record<string, number[]> = { xnnpack: [], packed: [], winograd: [] };
  const cpu: Record<string, number[]> = { xnnpack: [], packed: [], winograd: [] };
  const vals: Record<string, Float32Array> = {};
  for (let r = 0; r < reps + 1; r++) for (const p of paths) {
    setFilterGradPath(p === 'xnnpack' ? 'xnnpack' : 'packed');
    setWinogradFilterGrad(p === 'winograd');
    const t0 = performance.now(), c0 = process.cpuUsage();
    const dw = run();
    const v = dw.dataSync() as Float32Array;
    const c1 = process.cpuUsage(c0);
    if (r > 0) { times[p].push(performance.now() - t0); cpu[p].push((c1.user + c1.system) / 1000); } else vals[p] = v.slice();
    dw.dispose();
  }
  const rel = (q: Float32Array) => {
    let num = 0, den = 0;
    for (let i = 0; i < q.length; i++) { num = Math.max(num, Math.abs(q[i] - vals.xnnpack[i])); den = Math.max(den, Math.abs(vals.xnnpack[i])); }
    return num / den;
  };
  const flops = 2 * batch * out * out * k * k * cin * cout;
  const a = median(times.xnnpack), b = median(times.packed), w = median(times.winograd);
  const ca = median(cpu.xnnpack), cb = median(cpu.packed), cw = median(cpu.winograd);
  totals.xnnpack += a; totals.packed += b; totals.winograd += w; cpuTotals.xnnpack += ca; cpuTotals.packed += cb; cpuTotals.winograd += cw;
  console.log(`${name.padEnd(14)} ${batch}×${side}²×${cin}→${cout} ${k}×${k}/${s}: wall xnnpack ${a.toFixed(1)}, packed ${b.toFixed(1)}, winograd ${w.toFixed(1)} ms; ` +
    `CPU xnnpack ${ca.toFixed(1)}, packed ${cb.toFixed(1)} (${(flops / cb / 1e6).toFixed(1)} GFLOP/s), winograd ${cw.toFixed(1)} ms (${(flops / cw / 1e6).toFixed(1)}); ` +
    `max rel diff packed ${rel(vals.packed).toExponential(1)}, winograd ${rel(vals.winograd).toExponential(1)}`);
  tf.dispose([x, dy]);
}
console.log(`total wall: xnnpack ${totals.xnnpack.toFixed(1)}, packed ${totals.packed.toFixed(1)}, winograd ${totals.winograd.toFixed(1)} ms; ` +
  `CPU: xnnpack ${cpuTotals.xnnpack.toFixed(1)}, packed ${cpuTotals.packed.toFixed(1)}, winograd ${cpuTotals.winograd.toFixed(1)} ms (packed/winograd ${(cpuTotals.packed / cpuTotals.winograd).toFixed(2)}×); threads ${threads}; ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}`);
setWinogradFilterGrad(true);
