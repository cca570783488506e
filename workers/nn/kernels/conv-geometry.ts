/**
 * Geometry shared by the convolution gradient kernels: padding resolved to numbers, and the
 * stride-phase decomposition. With stride s, filter tap k = r + s·j (phase r < s, j ≥ 0), so a
 * strided convolution splits into s² stride-1 problems, one per phase, with no zero dilation.
 */
import { backend_util } from '@tensorflow/tfjs';

export interface ConvGeometry {
  n: number; inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  kH: number; kW: number; sH: number; sW: number;
  padTop: number; padLeft: number;
}

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

export function convGeometry(
  xShape: number[], filterShape: number[], strides: number | [number, number], pad: Pad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined, dataFormat: string | undefined, dilations: number | [number, number] = 1,
): ConvGeometry {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`conv gradient: dataFormat must be NHWC, got ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides, dilations, pad, dimRoundingMode);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error('conv gradient: dilations other than 1 are not supported');
  }
  return {
    n: info.batchSize, inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    kH: info.filterHeight, kW: info.filterWidth, sH: info.strideHeight, sW: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/** Number of taps j with r + s·j < k: the phase-r sub-filter length. */
export function phaseTaps(k: number, s: number, r: number): number {
  return r >= k ? 0 : Math.ceil((k - r) / s);
}
