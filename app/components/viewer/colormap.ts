/**
 * Perceptually uniform colormaps for information maps (bits): viridis (default) and magma, the
 * matplotlib maps of van der Walt & Smith, as the 6th-degree polynomial fits of Matt Zucker
 * (max error about 1/255 against the 256-entry tables). Lightness rises monotonically with the
 * value, so more information always reads as brighter, also in grey-scale prints and for
 * colour-blind readers.
 */

export type ColormapName = 'viridis' | 'magma';
export const COLORMAPS: ColormapName[] = ['viridis', 'magma'];

type Poly = readonly (readonly [number, number, number])[];

const VIRIDIS: Poly = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

const MAGMA: Poly = [
  [-0.002136485053939582, -0.000749655052795221, -0.005386127855323933],
  [0.2516605407371642, 0.6775232436837668, 2.494026599312351],
  [8.353717279216625, -3.577719514958484, 0.3144679030132573],
  [-27.66873308576866, 14.26473078096533, -13.64921318813922],
  [52.17613981234068, -27.94360607168351, 12.94416944238394],
  [-50.76852536473588, 29.04658282127291, 4.23415299384598],
  [18.65570506591883, -11.48977351997711, -5.601961508734096],
];

const POLYS: Record<ColormapName, Poly> = { viridis: VIRIDIS, magma: MAGMA };

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** The colour at t ∈ [0, 1] as sRGB components in [0, 1] (Horner's scheme). */
export function colormapRgb(name: ColormapName, t: number): [number, number, number] {
  const c = POLYS[name];
  const x = clamp01(t);
  const out: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    let v = c[6]![k]!;
    for (let i = 5; i >= 0; i--) v = v * x + c[i]![k]!;
    out[k] = clamp01(v);
  }
  return out;
}

/** A lookup table of n colours, Float32 [n][3] sRGB in [0, 1]: the viewer colours vertices from it. */
export function colormapTable(name: ColormapName, n = 256): Float32Array {
  const lut = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) lut.set(colormapRgb(name, i / (n - 1)), i * 3);
  return lut;
}

/** '#rrggbb' of the colour at t (for SVG legends and chart strokes). */
export function colormapHex(name: ColormapName, t: number): string {
  return `#${colormapRgb(name, t)
    .map((c) => Math.round(c * 255).toString(16).padStart(2, '0'))
    .join('')}`;
}

/** CIE L* (0–100) of an sRGB colour: used to check that lightness rises along a map. */
export function lightness([r, g, b]: readonly [number, number, number]): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const y = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}
