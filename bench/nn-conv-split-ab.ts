/**
 * A/B of how training's convolutions split over the SIMD pool (issue 16): per layer of ResNet-10 at
 * 64 px, the wasm Conv2D (Winograd or direct) and Conv2DBackpropInput, old split ('tiles': the filter
 * transform on the calling thread, then the tiles split, old chunks) against the new one ('balanced': the filter
 * transform split too, larger chunks of tiles where U is large; the direct input gradients' phase
 * filters packed in the SIMD module and split, setPhasePackSplit), interleaved in one process (A B A B …): median and quartiles of wall and CPU ms
 * (process.cpuUsage, all threads), largest |B − A| (0 expected: same bits). Also the filter transform
 * alone (winograd_filter, calling thread), the serial part of the old split.
 * Main: the calling thread's CPU (/proc/self/task/<pid>/schedstat); with --no-takeback (the caller
 * always waits for the helper) it approximates the critical path of a quiet machine.
 *   npx tsx bench/nn-conv-split-ab.ts [--threads 2] [--size 64] [--width 0.5] [--batch 64] [--reps 15] [--no-takeback] [--only <layer name part>]
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setSimdPoolTakeBack } from '../workers/nn/kernels/simd-pool';
import { chooseBackend } from '../workers/nn/backend';
import { resNet10Widths } from '../workers/nn/resnet10';
import { simdKernels } from '../workers/nn/kernels/simd';
import { byteOffset, type WasmBackendLike } from '../workers/nn/kernels/wasm-heap';
import { setPhasePackSplit } from '../workers/nn/kernels/conv2d-backprop-input';
import { setWinogradSplit, winogradTile, type WinogradSplit } from '../workers/nn/kernels/winograd';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : fallback; };
const threads = num('threads', 2), S = num('size', 64), width = num('width', 0.5), batch = num('batch', 64), reps = num('reps', 15);
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
await chooseBackend({ prefer: ['wasm'], threads });
const q = (a: number[], f: number) => [...a].sort((p, r) => p - r)[Math.floor((a.length - 1) * f)];
const fmt = (a: number[]) => `${q(a, 0.5).toFixed(2)} [${q(a, 0.25).toFixed(2)}–${q(a, 0.75).toFixed(2)}]`;
const c = resNet10Widths(width);
const modes: WinogradSplit[] = ['tiles', 'balanced'];
if (argv.includes('--no-takeback')) setSimdPoolTakeBack(false);
const mainCpu = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const b = tf.backend() as unknown as WasmBackendLike, simd = simdKernels(b)!;

// [name, input side, cin, cout, k, stride]
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : '';
let layers: [string, number, number, number, number, number][] = [['stem', S, 3, c[0], 7, 2], ['block1 conv a', S / 4, c[0], c[0], 3, 1]];
for (let i = 0; i < 4; i++) {
  if (i > 0) layers.push([`block${i + 1} conv a`, S / 2 ** (i + 1), c[i - 1], c[i], 3, 2], [`block${i + 1} proj`, S / 2 ** (i + 1), c[i - 1], c[i], 1, 2]);
  layers.push([`block${i + 1} conv b`, S / 2 ** (i + 2), c[i], c[i], 3, 1]);
}
if (only) layers = layers.filter(([name]) => name.includes(only));
console.log(`batch ${batch}, threads ${threads}, ${reps} reps; ${uptime()}`);
const tot: Record<string, Record<WinogradSplit, number>> = { fwd: { tiles: 0, balanced: 0 }, dx: { tiles: 0, balanced: 0 }, 'fwd main': { tiles: 0, balanced: 0 }, 'dx main': { tiles: 0, balanced: 0 } };
for (const [name, side, cin, cout, k, s] of layers) {
  const x = tf.randomNormal([batch, side, side, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, cin, cout], 0, 1 / Math.sqrt(k * k * cin), 'float32', 2) as tf.Tensor4D;
  const os = Math.ceil(side / s);
  const dy = tf.randomNormal([batch, os, os, cout], 0, 1, 'float32', 3) as tf.Tensor4D;
  const ops = { fwd: () => tf.conv2d(x, w, s, 'same'), dx: () => tf.conv2dTranspose(dy, w, [batch, side, side, cin], s, 'same') };
  for (const [op, run] of Object.entries(ops)) {
    const wall: Record<string, number[]> = { tiles: [], balanced: [] }, cpu: Record<string, number[]> = { tiles: [], balanced: [] }, main: Record<string, number[]> = { tiles: [], balanced: [] };
    const vals: Record<string, Float32Array> = {};
    for (let r = 0; r < reps + 1; r++) for (const mode of modes) {
      setWinogradSplit(mode);
      setPhasePackSplit(mode === 'balanced');
      const t0 = performance.now(), c0 = process.cpuUsage(), m0 = mainCpu();
      const y = run();
      const c1 = process.cpuUsage(c0), m1 = mainCpu();
      if (r > 0) { wall[mode].push(performance.now() - t0); cpu[mode].push((c1.user + c1.system) / 1000); main[mode].push(m1 - m0); } else vals[mode] = (y.dataSync() as Float32Array).slice();
      y.dispose();
    }
    let d = 0;
    for (let i = 0; i < vals.tiles.length; i++) d = Math.max(d, Math.abs(vals.tiles[i] - vals.balanced[i]));
    for (const mode of modes) { tot[op][mode] += q(wall[mode], 0.5); tot[`${op} main`][mode] += q(main[mode], 0.5); }
    console.log(`${name.padEnd(14)} ${op.padEnd(3)} wall tiles ${fmt(wall.tiles)} balanced ${fmt(wall.balanced)} (${(q(wall.balanced, 0.5) / q(wall.tiles, 0.5)).toFixed(2)}); cpu ${fmt(cpu.tiles)} → ${fmt(cpu.balanced)}; main ${fmt(main.tiles)} → ${fmt(main.balanced)} (${(q(main.balanced, 0.5) / q(main.tiles, 0.5)).toFixed(2)}); max |Δ| ${d}`);
  }
  if (k === 3 && s === 1) {
    const m = winogradTile(side, side), a = m + 2, u = tf.zeros([a * a * ((cout + 7) & ~7) * cin]);
    const t: Record<number, number[]> = { 0: [], 1: [] };
    for (let r = 0; r < reps; r++) for (const flip of [0, 1]) {
      const t0 = performance.now();
      simd.winograd_filter(byteOffset(b, w), flip ? cout : cin, flip ? cin : cout, m, flip, byteOffset(b, u));
      t[flip].push(performance.now() - t0);
    }
    console.log(`${name.padEnd(14)} filter transform (1 thread) fwd ${fmt(t[0])} ms, dx (flip) ${fmt(t[1])} ms`);
    u.dispose();
  }
  tf.dispose([x, w, dy]);
}
for (const op of Object.keys(tot)) console.log(`sum of medians ${op}: tiles ${tot[op].tiles.toFixed(1)} ms, balanced ${tot[op].balanced.toFixed(1)} ms`);
console.log(uptime());
