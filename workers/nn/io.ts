/**
 * The TensorFlow.js LayersModel format (model.json + weights.bin), without tfjs-node: a small
 * IOHandler over a folder's files, plus import with shape and class-count checks so that a network
 * trained elsewhere can be brought in. The files come from the caller (FolderFiles: the edges pass
 * workers/util folderFiles(dir)); this module does no file I/O itself.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import type { FolderFiles } from '../util';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** An IOHandler reading and writing `model.json` and the weight files it lists in `files`. */
export function modelFilesHandler(files: FolderFiles): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData ?? []));
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: manifest,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      // Weights first, model.json last: a reader never sees a model.json without its weights.
      await files.write(WEIGHTS_BIN, weights);
      await files.write(MODEL_JSON, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const file = path.join(files.where, MODEL_JSON);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(new TextDecoder().decode(await files.read(MODEL_JSON))) as tf.io.ModelJSON;
      } catch (e) {
        throw new Error(`model: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!json.modelTopology) throw new Error(`model: ${file} has no modelTopology (not a LayersModel)`);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const b = await files.read(p);
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

export async function saveModel(model: tf.LayersModel, files: FolderFiles): Promise<void> {
  await model.save(modelFilesHandler(files));
}

export interface ImportExpectations {
  /** Required input side in pixels (input shape [null, inputSize, inputSize, 3]). */
  inputSize?: number;
  /** Required number of classes (output shape [null, numClasses]). */
  numClasses?: number;
}

/**
 * Loads a LayersModel from `files` and checks it takes [n, S, S, 3] images and outputs one score
 * per class; errors name the field that does not match.
 */
export async function loadModel(files: FolderFiles, expect: ImportExpectations = {}): Promise<tf.LayersModel> {
  const model = await tf.loadLayersModel(modelFilesHandler(files));
  try {
    checkModel(model, expect);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

export function checkModel(model: tf.LayersModel, expect: ImportExpectations = {}): void {
  if (model.inputs.length !== 1) throw new Error(`model.inputs: expected 1 input, got ${model.inputs.length}`);
  if (model.outputs.length !== 1) throw new Error(`model.outputs: expected 1 output, got ${model.outputs.length}`);
  const inShape = model.inputs[0].shape;
  if (inShape.length !== 4 || inShape[3] !== 3 || inShape[1] !== inShape[2] || inShape[1] == null) {
    throw new Error(`model input shape: expected [null, S, S, 3] (square RGB images), got ${JSON.stringify(inShape)}`);
  }
  if (expect.inputSize !== undefined && inShape[1] !== expect.inputSize) {
    throw new Error(`model input shape: expected ${expect.inputSize}×${expect.inputSize} px images, the model takes ${inShape[1]}×${inShape[2]}`);
  }
  const outShape = model.outputs[0].shape;
  if (outShape.length !== 2 || outShape[1] == null) {
    throw new Error(`model output shape: expected [null, classes], got ${JSON.stringify(outShape)}`);
  }
  if (expect.numClasses !== undefined && outShape[1] !== expect.numClasses) {
    throw new Error(`model output shape: expected ${expect.numClasses} classes (identities), the model has ${outShape[1]}`);
  }
}
