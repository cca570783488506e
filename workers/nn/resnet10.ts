/**
 * ResNet-10 as the paper's group builds it (Xu et al. 2018): 7×7/64 stride-2 convolution, batch
 * norm, ReLU, 3×3 stride-2 max-pool; four basic residual blocks of 64, 128, 256, 512 filters
 * (strides 1, 2, 2, 2), each two 3×3 convolutions with batch norm, a 1×1 projection shortcut with
 * batch norm, ReLU after the sum; global average pooling; a dense softmax over the identities.
 * Channel counts are scaled by the width multiplier (never below 8), as in
 * ../shared/bench/resnet10_torch.py. Convolutions and pooling use TensorFlow 'same' padding.
 *
 * The network is a tf.LayersModel (so it saves and loads in the LayersModel format) whose layer
 * names are the contract for activations, all channels-last:
 *   conv1   [n, S/2,  S/2,  c0]   after the first ReLU (before the max-pool)
 *   block1  [n, S/4,  S/4,  c0]   block outputs, after the ReLU of the sum
 *   block2  [n, S/8,  S/8,  c1]
 *   block3  [n, S/16, S/16, c2]
 *   block4  [n, S/32, S/32, c3]
 *   pool    [n, c3]               global average pool
 *   logits  [n, classes]          pre-softmax scores; the model's output is softmax(logits)
 * (spatial sizes are ceil-divided: 'same' padding).
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

export const LAYER_NAMES = ['conv1', 'block1', 'block2', 'block3', 'block4', 'pool', 'logits'] as const;
export type LayerName = (typeof LAYER_NAMES)[number];

export const ResNet10ConfigSchema = z.object({
  inputSize: z.number().int().min(32).max(512),
  widthMultiplier: z.number().gt(0).max(4),
  numClasses: z.number().int().min(2).max(100_000),
  /** Seeds the weight initialisers. */
  seed: z.number().int().min(0).default(0),
});
export type ResNet10Config = z.input<typeof ResNet10ConfigSchema>;

export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.9;

/** Filters of the stem/block1, block2, block3, block4. */
export function resNet10Widths(widthMultiplier: number): [number, number, number, number] {
  return [64, 128, 256, 512].map((c) => Math.max(8, Math.round(c * widthMultiplier))) as [number, number, number, number];
}

/** Shape of each named activation for one image, e.g. block2 → [S/8, S/8, c1]. */
export function activationShape(layer: LayerName, inputSize: number, widthMultiplier: number, numClasses: number): number[] {
  const w = resNet10Widths(widthMultiplier);
  const side = (div: number) => Math.ceil(inputSize / div);
  switch (layer) {
    case 'conv1': return [side(2), side(2), w[0]];
    case 'block1': return [side(4), side(4), w[0]];
    case 'block2': return [side(8), side(8), w[1]];
    case 'block3': return [side(16), side(16), w[2]];
    case 'block4': return [side(32), side(32), w[3]];
    case 'pool': return [w[3]];
    case 'logits': return [numClasses];
  }
}

export const STRIDES = [1, 2, 2, 2] as const;

/** Builds a freshly initialised ResNet-10 (He-normal convolutions, seeded). */
export function buildResNet10(config: ResNet10Config): tf.LayersModel {
  const c = ResNet10ConfigSchema.parse(config);
  const widths = resNet10Widths(c.widthMultiplier);
  let seed = c.seed * 1000;
  const he = () => tf.initializers.heNormal({ seed: seed++ });
  const conv = (name: string, filters: number, kernelSize: number, strides: number) =>
    tf.layers.conv2d({ name, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: he() });
  const bn = (name: string) => tf.layers.batchNormalization({ name, axis: -1, momentum: BN_MOMENTUM, epsilon: BN_EPSILON });

  const input = tf.input({ shape: [c.inputSize, c.inputSize, 3], name: 'image' });
  let x = conv('conv1_conv', widths[0], 7, 2).apply(input) as tf.SymbolicTensor;
  x = bn('conv1_bn').apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'conv1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'conv1_pool', poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  for (let b = 0; b < 4; b++) {
    const p = `block${b + 1}`;
    const f = widths[b], s = STRIDES[b];
    let y = conv(`${p}_conv1`, f, 3, s).apply(x) as tf.SymbolicTensor;
    y = bn(`${p}_bn1`).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU({ name: `${p}_relu1` }).apply(y) as tf.SymbolicTensor;
    y = conv(`${p}_conv2`, f, 3, 1).apply(y) as tf.SymbolicTensor;
    y = bn(`${p}_bn2`).apply(y) as tf.SymbolicTensor;
    let short = conv(`${p}_proj`, f, 1, s).apply(x) as tf.SymbolicTensor;
    short = bn(`${p}_proj_bn`).apply(short) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: `${p}_add` }).apply([y, short]) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: p }).apply(sum) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({
    name: 'logits', units: c.numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
  }).apply(x) as tf.SymbolicTensor;
  const probs = tf.layers.activation({ name: 'softmax', activation: 'softmax' }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: 'resnet10' });
}

/** Input size, width and class count read back from a model built by buildResNet10 (or one shaped like it). */
export function describeResNet10(model: tf.LayersModel): { inputSize: number; widthMultiplier: number; numClasses: number } | null {
  const names = new Set(model.layers.map((l) => l.name));
  const required = ['conv1_conv', 'conv1_bn', 'conv1', 'pool', 'logits'];
  for (let b = 1; b <= 4; b++) for (const s of ['_conv1', '_bn1', '_conv2', '_bn2', '_proj', '_proj_bn', '']) required.push(`block${b}${s}`);
  if (!required.every((n) => names.has(n))) return null;
  const inShape = model.inputs[0].shape;
  const c0 = model.getLayer('conv1_conv').getWeights()[0].shape[3] as number;
  const numClasses = model.getLayer('logits').getWeights()[0].shape[1] as number;
  return { inputSize: inShape[1] as number, widthMultiplier: c0 / 64, numClasses };
}
