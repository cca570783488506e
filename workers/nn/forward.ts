/**
 * The ResNet-10 forward pass written with tf ops over the LayersModel's own variables, so that
 * training uses the fused batch-norm kernels (batch statistics) and inference uses batch norm
 * folded into the convolutions (W' = W·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε)), one fused
 * conv+bias+ReLU per layer. Both read the same variables the model saves.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON, BN_MOMENTUM, STRIDES, type LayerName } from './resnet10';
import { batchNormTrain } from './kernels/batch-norm';
import { maxPoolTrain } from './kernels/max-pool';
import { addReluTrain } from './kernels/add-relu';
import { stemConvTrain } from './stem';
import { denseMatMulTrain } from './dense';
import { ROW_FILTER_GRAD } from './kernels/conv2d-backprop-filter';
import { useWinograd, winogradConv, winogradFilter, winogradTile } from './kernels/winograd';
import { directConv, directFilter, useDirectInfer } from './kernels/direct-conv';

/**
 * Whether training takes the 7×7 stride-2 stem's filter gradient from its space-to-depth form
 * (workers/nn/stem.ts, stemConvTrain; the same result up to float rounding, measured faster on
 * wasm). On by default; benchmarks and tests turn it off to compare.
 */
export let STEM_SPACE_TO_DEPTH = true;
export function setStemSpaceToDepth(on: boolean): void { STEM_SPACE_TO_DEPTH = on; }

interface LayerVariable { read(): tf.Tensor; write(v: tf.Tensor): unknown }

export interface ConvBN {
  name: string;
  kernel: tf.Variable;
  gamma: tf.Variable;
  beta: tf.Variable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
  stride: number;
}

export interface ResNetParams {
  stem: ConvBN;
  blocks: { conv1: ConvBN; conv2: ConvBN; proj: ConvBN }[];
  dense: { kernel: tf.Variable; bias: tf.Variable };
}

function convBN(model: tf.LayersModel, conv: string, bn: string, stride: number): ConvBN {
  const k = model.getLayer(conv).weights as unknown as LayerVariable[];
  const b = model.getLayer(bn).weights as unknown as LayerVariable[];
  // tf.layers.batchNormalization weights: gamma, beta, moving_mean, moving_variance.
  const v = (w: LayerVariable) => w.read() as tf.Variable;
  return { name: conv, kernel: v(k[0]), gamma: v(b[0]), beta: v(b[1]), movingMean: b[2], movingVariance: b[3], stride };
}

export function resNetParams(model: tf.LayersModel): ResNetParams {
  const blocks = [0, 1, 2, 3].map((i) => {
    const p = `block${i + 1}`;
    return {
      conv1: convBN(model, `${p}_conv1`, `${p}_bn1`, STRIDES[i]),
      conv2: convBN(model, `${p}_conv2`, `${p}_bn2`, 1),
      proj: convBN(model, `${p}_proj`, `${p}_proj_bn`, STRIDES[i]),
    };
  });
  const d = model.getLayer('logits').weights as unknown as LayerVariable[];
  return { stem: convBN(model, 'conv1_conv', 'conv1_bn', 2), blocks, dense: { kernel: d[0].read() as tf.Variable, bias: d[1].read() as tf.Variable } };
}

export function trainableVariables(p: ResNetParams): tf.Variable[] {
  const cb = (c: ConvBN) => [c.kernel, c.gamma, c.beta];
  return [...cb(p.stem), ...p.blocks.flatMap((b) => [...cb(b.conv1), ...cb(b.conv2), ...cb(b.proj)]), p.dense.kernel, p.dense.bias];
}

/** Batch statistics gathered during a training forward pass (kept tensors; caller disposes). */
export interface BatchStat { layer: ConvBN; mean: tf.Tensor; variance: tf.Tensor; count: number }

function convBNTrain(x: tf.Tensor4D, c: ConvBN, relu: boolean, stats: BatchStat[], stem = false): tf.Tensor4D {
  // With the row filter-gradient kernel on wasm the plain strided form is faster (no space-to-depth copies, K = 147 not 192).
  const z = stem && STEM_SPACE_TO_DEPTH && c.stride === 2 && !(ROW_FILTER_GRAD && tf.getBackend() === 'wasm')
    ? stemConvTrain(x, c.kernel as tf.Tensor4D)
    : tf.conv2d(x, c.kernel as tf.Tensor4D, c.stride, 'same');
  const { y, mean, variance } = batchNormTrain(z, c.gamma, c.beta, BN_EPSILON, relu);
  stats.push({ layer: c, mean: tf.keep(mean), variance: tf.keep(variance), count: z.size / z.shape[3] });
  return y as tf.Tensor4D;
}

/** Training-mode forward: logits [n, classes]; batch statistics appended to `stats`. */
export function forwardTrain(p: ResNetParams, images: tf.Tensor4D, stats: BatchStat[]): tf.Tensor2D {
  let x = convBNTrain(images, p.stem, true, stats, true);
  x = maxPoolTrain(x, 3, 2);
  for (const b of p.blocks) {
    const y = convBNTrain(convBNTrain(x, b.conv1, true, stats), b.conv2, false, stats);
    const s = convBNTrain(x, b.proj, false, stats);
    x = addReluTrain(y, s);
  }
  const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
  return tf.add(denseMatMulTrain(pooled, p.dense.kernel as tf.Tensor2D), p.dense.bias) as tf.Tensor2D;
}

/** Moving averages as in PyTorch: m ← momentum·m + (1−momentum)·batch, variance unbiased. */
export function updateMovingStatistics(stats: BatchStat[]): void {
  tf.tidy(() => {
    for (const s of stats) {
      const unbias = s.count > 1 ? s.count / (s.count - 1) : 1;
      s.layer.movingMean.write(tf.add(tf.mul(s.layer.movingMean.read(), BN_MOMENTUM), tf.mul(s.mean, 1 - BN_MOMENTUM)));
      s.layer.movingVariance.write(tf.add(tf.mul(s.layer.movingVariance.read(), BN_MOMENTUM), tf.mul(s.variance, (1 - BN_MOMENTUM) * unbias)));
    }
  });
}

export function disposeStats(stats: BatchStat[]): void {
  for (const s of stats) { s.mean.dispose(); s.variance.dispose(); }
  stats.length = 0;
}

/**
 * A convolution with its batch norm folded in; `winograd` caches its Winograd filter transforms
 * per tile size (2, 4) and its packed direct-kernel filter (key 0), made on first use, disposed
 * with the folded parameters.
 */
export interface FoldedConv { filter: tf.Tensor4D; bias: tf.Tensor1D; stride: number; winograd: Map<number, tf.Tensor> }
export interface FoldedParams {
  stem: FoldedConv;
  blocks: { conv1: FoldedConv; conv2: FoldedConv; proj: FoldedConv }[];
  dense: { kernel: tf.Tensor2D; bias: tf.Tensor1D };
  dispose(): void;
}

function fold(c: ConvBN): FoldedConv {
  const folded = tf.tidy(() => {
    const scale = tf.div(c.gamma, tf.sqrt(tf.add(c.movingVariance.read(), BN_EPSILON)));
    return {
      filter: tf.keep(tf.mul(c.kernel, scale) as tf.Tensor4D),
      bias: tf.keep(tf.sub(c.beta, tf.mul(c.movingMean.read(), scale)) as tf.Tensor1D),
    };
  });
  return { ...folded, stride: c.stride, winograd: new Map<number, tf.Tensor>() };
}

export function foldBatchNorm(p: ResNetParams): FoldedParams {
  const all: tf.Tensor[] = [];
  const convs: FoldedConv[] = [];
  const f = (c: ConvBN) => { const r = fold(c); all.push(r.filter, r.bias); convs.push(r); return r; };
  const dense = { kernel: tf.clone(p.dense.kernel) as tf.Tensor2D, bias: tf.clone(p.dense.bias) as tf.Tensor1D };
  all.push(dense.kernel, dense.bias);
  return {
    stem: f(p.stem),
    blocks: p.blocks.map((b) => ({ conv1: f(b.conv1), conv2: f(b.conv2), proj: f(b.proj) })),
    dense,
    dispose: () => {
      tf.dispose(all);
      for (const c of convs) { tf.dispose([...c.winograd.values()]); c.winograd.clear(); }
    },
  };
}

/**
 * act(conv(x) + bias (+ residual)), act = ReLU or identity: stride-1 3×3 layers by Winograd on
 * wasm (kernels/winograd.ts; setConvInferPath('direct') for XNNPACK), the others (stem, stride-2,
 * 1×1) by our direct kernel on wasm (kernels/direct-conv.ts; setDirectConvPath('xnnpack') for
 * XNNPACK's fused conv2d, which also serves other backends; a residual is then added and
 * rectified as separate ops).
 */
function convInfer(x: tf.Tensor4D, c: FoldedConv, relu: boolean, residual?: tf.Tensor4D): tf.Tensor4D {
  if (useWinograd(x, c.filter, c.stride)) {
    const m = winogradTile(x.shape[1], x.shape[2]);
    return winogradConv(x, winogradFilter(c.filter, m, c.winograd), c.bias, m, relu, residual);
  }
  if (!residual && useDirectInfer(x, c.filter, c.stride)) {
    const [kH, kW] = c.filter.shape;
    return directConv(x, directFilter(c.filter, c.winograd), c.bias, kH, kW, c.stride, relu);
  }
  const y = tf.fused.conv2d({ x, filter: c.filter, strides: c.stride, pad: 'same', bias: c.bias, activation: relu && !residual ? 'relu' : 'linear' }) as unknown as tf.Tensor4D;
  if (!residual) return y;
  const sum = tf.add(y, residual) as tf.Tensor4D;
  return relu ? tf.relu(sum) as tf.Tensor4D : sum;
}

/** Inference forward with folded batch norm; returns the requested activations and logits. */
export function forwardInfer(f: FoldedParams, images: tf.Tensor4D, want: ReadonlySet<LayerName>): Partial<Record<LayerName, tf.Tensor>> & { logits: tf.Tensor2D } {
  const out: Partial<Record<LayerName, tf.Tensor>> = {};
  let x = convInfer(images, f.stem, true);
  if (want.has('conv1')) out.conv1 = x;
  x = tf.maxPool(x, 3, 2, 'same');
  f.blocks.forEach((b, i) => {
    const shortcut = convInfer(x, b.proj, false);
    x = convInfer(convInfer(x, b.conv1, true), b.conv2, true, shortcut);
    const name = `block${i + 1}` as LayerName;
    if (want.has(name)) out[name] = x;
  });
  const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
  if (want.has('pool')) out.pool = pooled;
  const logits = tf.add(tf.matMul(pooled, f.dense.kernel), f.dense.bias) as tf.Tensor2D;
  return { ...out, logits };
}
