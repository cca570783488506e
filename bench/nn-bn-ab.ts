/**
 * Batch norm + ReLU forward and backward per layer shape of the 64 px, width 0.5 network (batch 64):
 * the channel path in 1 part (A, the calling thread) against the split over positions
 * (kernels/batch-norm-positions.ts) in --parts parts (B), interleaved A B A B … in one process;
 * median wall and CPU µs (process.cpuUsage, all threads) per forward + backward.
 *   npx tsx bench/nn-bn-ab.ts [--threads 2] [--parts 2] [--min-part 131072] [--reps 30]
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { chooseBackend } from '../workers/nn/backend';
import type { NamedAttrMap } from '@tensorflow/tfjs';
import { batchNormTrain, setBatchNormParts, setBatchNormPositionParts, BN_GRAD } from '../workers/nn/kernels/batch-norm';
import { BATCH_NORM_DEFAULT_MIN_PART_ELEMENTS } from '../workers/nn/kernels/batch-norm-positions';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : fallback; };
const threads = num('threads', 2), parts = num('parts', 2), minPart = num('min-part', BATCH_NORM_DEFAULT_MIN_PART_ELEMENTS), reps = num('reps', 30);
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
await chooseBackend({ prefer: ['wasm'], threads });
console.log(`start: ${uptime()}`);
const shapes = [[64, 32, 32, 32], [64, 16, 16, 32], [64, 8, 8, 64], [64, 4, 4, 128], [64, 2, 2, 256]];
const med = (a: number[]) => [...a].sort((u, v) => u - v)[Math.floor(a.length / 2)];
let totA = 0, totB = 0;
for (const shape of shapes) {
  const C = shape[3];
  const x = tf.randomUniform(shape, -1, 1, 'float32', 1), dy = tf.randomUniform(shape, -1, 1, 'float32', 2);
  const g = tf.ones([C]), b = tf.zeros([C]);
  // The two kernels only (no glue): the training forward, then its gradient kernel on the outputs.
  const run = () => tf.tidy(() => {
    const { y, mean, variance } = batchNormTrain(x, g, b, 1e-3, true);
    tf.engine().runKernel(BN_GRAD, { dy, y, x, mean, variance, gamma: g }, { epsilon: 1e-3, relu: true } as unknown as NamedAttrMap);
  });
  const wall: Record<string, number[]> = { A: [], B: [] }, cpu: Record<string, number[]> = { A: [], B: [] };
  for (let r = -3; r < reps; r++) for (const p of ['A', 'B']) {
    setBatchNormParts(1);
    setBatchNormPositionParts(p === 'A' ? 0 : parts, minPart);
    const t0 = performance.now(), c0 = process.cpuUsage();
    run();
    const c = process.cpuUsage(c0);
    if (r >= 0) { wall[p].push(1000 * (performance.now() - t0)); cpu[p].push(c.user + c.system); }
  }
  totA += med(wall.A); totB += med(wall.B);
  console.log(`${shape.join('×').padEnd(14)} A wall ${med(wall.A).toFixed(0)} µs (min ${Math.min(...wall.A).toFixed(0)}) CPU ${med(cpu.A).toFixed(0)}; ` +
    `B wall ${med(wall.B).toFixed(0)} µs (min ${Math.min(...wall.B).toFixed(0)}) CPU ${med(cpu.B).toFixed(0)}; B/A wall ${(med(wall.B) / med(wall.A)).toFixed(2)}`);
  tf.dispose([x, dy, g, b]);
}
console.log(`sum of medians: A ${(totA / 1000).toFixed(2)} ms, B ${(totB / 1000).toFixed(2)} ms (the network has 1 stem, 2 block1, 3 each of block2-4 layers incl. projections); ` +
  `${threads} thread(s), ${parts} parts, min part ${minPart}; end: ${uptime()}`);
