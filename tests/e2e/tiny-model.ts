import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * A small TensorFlow.js LayersModel written as tf.LayersModel.save writes a folder (model.json and
 * weights.bin): input [null, S, S, 3], a convolution, global average pooling, and one linear score
 * per identity. Seeded initial weights, so the same files every time.
 */
export async function writeTinyLayersModel(dir: string, inputSize: number, classes: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [inputSize, inputSize, 3], filters: 4, kernelSize: 3, strides: 2, activation: 'relu', name: 'conv1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.globalAveragePooling2d({ name: 'pool' }),
      tf.layers.dense({ units: classes, name: 'logits', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const modelJson = { format: 'layers-model', generatedBy: 'deeper e2e', convertedBy: null, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] };
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return [path.join(dir, 'model.json'), path.join(dir, 'weights.bin')];
}
