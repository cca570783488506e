/**
 * Momentum SGD's update of the 64 px, width 0.5 ResNet-10's 41 variables: tfjs's (4 kernels per
 * variable) against the fused kernel (kernels/momentum.ts), interleaved, median and min wall ms of
 * applyGradients (then a dataSync) over 60 repetitions each.
 *   npx tsx bench/nn-momentum-ab.ts [threads]
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { chooseBackend } from '../workers/nn/backend';
import { buildResNet10 } from '../workers/nn/resnet10';
import { resNetParams, trainableVariables } from '../workers/nn/forward';
import { momentumOptimizer, setFusedMomentum } from '../workers/nn/kernels/momentum';
await chooseBackend({ prefer: ['wasm'], threads: Number(process.argv[2] ?? 2) });
const model = buildResNet10({ inputSize: 64, widthMultiplier: 0.5, numClasses: 200, seed: 1 });
const vars = trainableVariables(resNetParams(model));
const grads = Object.fromEntries(vars.map((v) => [v.name, tf.randomUniform(v.shape, -1e-3, 1e-3)])) as Parameters<tf.MomentumOptimizer['applyGradients']>[0];
const opt = momentumOptimizer(0.01, 0.9);
const T: Record<string, number[]> = { tfjs: [], fused: [] };
for (let r = 0; r < 60; r++) for (const p of ['tfjs', 'fused']) {
  setFusedMomentum(p === 'fused');
  const t0 = performance.now(); opt.applyGradients(grads); vars[0].dataSync(); T[p].push(performance.now() - t0);
}
const med = (a: number[]) => [...a].sort((u, v) => u - v)[a.length >> 1];
console.log(`${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}\n${vars.length} variables, ${process.argv[2] ?? 2} thread(s): tfjs ${med(T.tfjs).toFixed(2)} ms (min ${Math.min(...T.tfjs).toFixed(2)}), fused ${med(T.fused).toFixed(2)} ms (min ${Math.min(...T.fused).toFixed(2)})`);
