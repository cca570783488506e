/**
 * The image-space oracle: a fixed TensorFlow.js model whose output is the mean luminance inside a
 * pixel mask (where a known face region projects at the frontal pose). It is a real LayersModel
 * (a 1×1 convolution with Rec. 709 luminance weights, then a dense layer whose weights are the mask
 * divided by its pixel count), run through the same Network interface as a trained ResNet, so the
 * image oracle exercises rendering, batching and the maps end to end.
 */
import * as tf from '@tensorflow/tfjs';
import type { RenderOptions } from '../render/options';
import type { Network } from './network';
import type { StimulusRenderer } from './stimuli';

/**
 * Pixels [size][size] (1 = in the mask) whose visible triangle has all three vertices in the region:
 * their colour is interpolated from region vertices only, so only the region's albedo can change them.
 */
export function projectedRegionMask(renderer: StimulusRenderer, positions: Float32Array, albedo: Float32Array, options: RenderOptions, region: Uint32Array): Uint8Array {
  if (!options.ids) throw new Error('projectedRegionMask: options.ids must be true');
  const size = options.size;
  const inRegion = new Uint8Array(renderer.model.vertexCount);
  for (const v of region) inRegion[v] = 1;
  const o = renderer.renderFace(positions, albedo, options, new Float32Array(size * size * 3));
  const tri = renderer.model.triangles;
  const mask = new Uint8Array(size * size);
  const ids = o.triangleId!;
  for (let p = 0; p < mask.length; p++) {
    const t = ids[p];
    if (t >= 0 && inRegion[tri[t * 3]] && inRegion[tri[t * 3 + 1]] && inRegion[tri[t * 3 + 2]]) mask[p] = 1;
  }
  return mask;
}

export interface ImageOracleNetwork extends Network {
  model: tf.LayersModel;
  dispose(): void;
}

export async function createImageOracle(size: number, mask: Uint8Array): Promise<ImageOracleNetwork> {
  await tf.ready();
  const count = mask.reduce((a, b) => a + b, 0);
  if (count === 0) throw new Error('image oracle: the mask is empty');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [size, size, 3], filters: 1, kernelSize: 1, useBias: false, name: 'luminance' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 1, useBias: false, name: 'mask_mean' }),
    ],
  });
  model.getLayer('luminance').setWeights([tf.tensor4d([0.2126, 0.7152, 0.0722], [1, 1, 3, 1])]);
  model.getLayer('mask_mean').setWeights([tf.tensor2d(Float32Array.from(mask, (m) => m / count), [size * size, 1])]);
  return {
    model,
    inputSize: size,
    classCount: 1,
    layerNames: [],
    async predict(images, n) {
      const out = tf.tidy(() => model.predict(tf.tensor4d(images, [n, size, size, 3])) as tf.Tensor);
      const logits = (await out.data()) as Float32Array;
      out.dispose();
      return { logits: Float32Array.from(logits), activations: {} };
    },
    describe: () => ({ kind: 'image-oracle', maskPixels: count, backend: tf.getBackend() }),
    dispose: () => model.dispose(),
  };
}
