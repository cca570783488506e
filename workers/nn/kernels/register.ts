/**
 * Installs Deeper's gradient kernels: Conv2DBackpropFilter and a phase-decomposed
 * Conv2DBackpropInput for 'wasm' (Winograd for stride-1 3×3 layers), Conv2D for 'wasm' with a
 * Winograd path for stride-1 3×3 layers, and the fused batch-norm kernels for 'cpu' and 'wasm'.
 * The stock wasm Conv2DBackpropInput is kept for dilated convolutions. Identity for 'wasm' shares the
 * input's data instead of copying it (identity.ts).
 */
import * as tf from '@tensorflow/tfjs';
// The wasm package registers its own kernels on import: it must load before ours replace them.
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputWasmConfig } from './conv2d-backprop-input';
import { registerBatchNormKernels } from './batch-norm';
import { winogradConv2DConfig } from './winograd-train';
import { sharedIdentityConfig } from './identity';

let installed = false;

export function registerDeeperKernels(): void {
  if (installed) return;
  installed = true;
  registerBatchNormKernels();
  // Conv2D: Winograd for stride-1 3×3 'same' layers in front of the stock kernel (winograd-train.ts).
  for (const config of [conv2DBackpropFilterWasmConfig, conv2DBackpropInputWasmConfig, winogradConv2DConfig(), sharedIdentityConfig()]) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
