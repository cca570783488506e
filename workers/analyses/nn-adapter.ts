/**
 * Adapter from the network engine (workers/nn) to the analyses' Network interface: a trained
 * ResNet-10 or an imported LayersModel, run through nn's Predictor (batch norm folded, tensors
 * disposed). The backend is nn's choice (chooseBackend), recorded in describe().
 */
import type * as tf from '@tensorflow/tfjs';
import { chooseBackend, currentBackend } from '../nn';
import type { FolderFiles } from '../util';
import { loadModel } from '../nn';
import { Predictor } from '../nn';
import { describeResNet10, LAYER_NAMES } from '../nn';
import type { Network } from './network';
import { targetLogit } from './attributions';

/** The layers the hidden-layer analyses probe by default: ResNet-10's named layers, logits excluded. */
export function defaultLayers(model: tf.LayersModel): string[] {
  if (describeResNet10(model)) return LAYER_NAMES.filter((l) => l !== 'logits');
  // An imported model: its convolution-like and dense layers (not the output), shallow to deep.
  const skip = new Set(['InputLayer', 'Flatten', 'Dropout']);
  const layers = model.layers.filter((l) => !skip.has(l.getClassName()) && l.name !== model.layers[model.layers.length - 1].name);
  return layers.map((l) => l.name);
}

export function networkFromModel(model: tf.LayersModel, source: Record<string, unknown> = {}): Network {
  const predictor = new Predictor(model);
  const layerNames = defaultLayers(model);
  const arch = describeResNet10(model);
  return {
    inputSize: predictor.inputSize,
    classCount: predictor.numClasses,
    layerNames,
    async predict(images, n, layers) {
      const p = predictor.predict(images.subarray(0, n * predictor.inputSize * predictor.inputSize * 3), { layers, batchSize: n });
      return { logits: p.logits, activations: p.activations };
    },
    targetLogit: (target) => targetLogit(model, target),
    describe: () => ({ ...source, architecture: arch ? { kind: 'resnet10', ...arch } : { kind: 'layers-model', layers: model.layers.length }, inputSize: predictor.inputSize, classes: predictor.numClasses, backend: currentBackend() }),
  };
}

/** Loads a LayersModel folder (model.json + weights; the caller's FolderFiles) on nn's backend and wraps it. */
export async function loadNetwork(files: FolderFiles, expect: { numClasses?: number } = {}): Promise<Network> {
  await chooseBackend({ log: () => {} });
  const model = await loadModel(files, expect);
  return networkFromModel(model, { modelDir: files.where });
}
