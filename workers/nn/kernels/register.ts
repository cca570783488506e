/**
 * Installs Deeper's gradient kernels: Conv2DBackpropFilter and a phase-decomposed
 * Conv2DBackpropInput for 'wasm', and the fused batch-norm kernels for 'cpu' and 'wasm'.
 * The stock wasm Conv2DBackpropInput is kept for dilated convolutions.
 */
import * as tf from '@tensorflow/tfjs';
// The wasm package registers its own kernels on import: it must load before ours replace them.
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputWasmConfig } from './conv2d-backprop-input';
import { registerBatchNormKernels } from './batch-norm';

let installed = false;

export function registerDeeperKernels(): void {
  if (installed) return;
  installed = true;
  registerBatchNormKernels();
  for (const config of [conv2DBackpropFilterWasmConfig, conv2DBackpropInputWasmConfig]) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
