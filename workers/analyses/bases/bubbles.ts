/**
 * 'bubbles' noise: smooth local noise on the mesh, the 3D analogue of Bubbles (Gosselin & Schyns 2001).
 *
 * Fixed bump centres c_b are spread over the noisy vertex set (greedy Poisson-disk sampling on the
 * mean face, spacing σ/√density mm); every trial draws an independent N(0, 1) amplitude z_b(t) per
 * bump (per bump and colour channel for texture). A bump moves vertex v by
 *   g_b(v) = exp(−|p_v − c_b|² / (2σ²))   (Euclidean distance on the mean face, the geodesic
 *                                           distance's close approximation at the scale of σ;
 *                                           truncated at 3σ; zero off the noisy vertex set),
 * so that
 *   shape:   δ_v(t) = n_v · h_v(t),  h_v(t) = s_shape · Σ_b g_b(v) z_b(t)    (mm, along the normal n_v)
 *   texture: a_v(t) = s_tex · Σ_band Σ_b g_{b,band}(v) z_{b,c}(t) for channel c (linear albedo),
 * with texture bumps at each band's scale σ_band = σ · 2^(k·(nb−1−band)) (band 0 = 'low' is the
 * broadest; k = textureBandOctaves, octaves between neighbouring bands). Default k = 0: every band's
 * bumps at σ, chosen from the measured recovery curve over every named region of both built-in
 * models (docs/oracles.md, "Texture band widths": broader low bands leave a broad, flat analytic map
 * at the threshold); 0.5 = the law before 2026-12-01 (ICT: 24, 17, 12, 8.5, 6 mm). With k = 0 the
 * bands share their centres and loadings, and differ only in their amplitudes. s is chosen so that
 * the median per-vertex sd equals the requested sd (mm, albedo), split equally over the texture bands.
 *
 * The noise is linear in the amplitudes: its per-vertex loadings are stored sparse (CSR over
 * vertices), which serves the features, the rendering and the analytic truth (oracle-truth.ts).
 * Layouts: offsets Uint32Array [V+1]; source Uint32Array [entries] (amplitude index: bump for shape,
 * bump·3 + channel for texture); weight Float32Array [entries] (mm or albedo per unit amplitude).
 */
import type { FaceModel } from '../../faces/model';

export interface BubbleOptions {
  /** Bump width σ in mm (default 6). */
  sigmaMm: number;
  /** Bump centres per σ² of surface (spacing σ/√density; default 1). */
  density: number;
  /**
   * Texture: octaves k between neighbouring bands' bump widths, σ_band = σ · 2^(k·(nb−1−band));
   * absent = DEFAULT_TEXTURE_BAND_OCTAVES. 0.5 is the former law (ICT: 24, 17, 12, 8.5, 6 mm).
   */
  textureBandOctaves?: number;
}

/** The texture band law's default k: every band at σ (docs/oracles.md, "Texture band widths"). */
export const DEFAULT_TEXTURE_BAND_OCTAVES = 0;

export const DEFAULT_BUBBLES: BubbleOptions = { sigmaMm: 6, density: 1, textureBandOctaves: DEFAULT_TEXTURE_BAND_OCTAVES };

/** Each texture band's bump width σ_band (mm), band 0 = the broadest. */
export function textureBandSigmasMm(opts: BubbleOptions, bands: number): number[] {
  const k = opts.textureBandOctaves ?? DEFAULT_TEXTURE_BAND_OCTAVES;
  return Array.from({ length: bands }, (_, band) => opts.sigmaMm * Math.pow(2, k * (bands - 1 - band)));
}

/** Sparse per-vertex loadings of a scalar field on amplitudes: x_v = Σ_j weight_j · z_{source_j}. */
export interface SparseLoadings {
  sources: number;
  offsets: Uint32Array;
  source: Uint32Array;
  weight: Float32Array;
}

export interface BubbleBasis {
  options: BubbleOptions;
  /** Shape: the normal height h_v (mm) per unit amplitude; sources = shape bumps. */
  shape: SparseLoadings;
  /** Texture: the albedo change of every channel (the same weight for each channel c; source = bump·3 + c). */
  texture: SparseLoadings;
  /** Bump counts: shape, and texture per band. */
  shapeBumps: number;
  textureBumps: number[];
}

/** Greedy Poisson-disk centres: vertices of `vertices` at least `spacingMm` apart (mean face). */
export function bumpCentres(model: FaceModel, vertices: Uint32Array, spacingMm: number): Uint32Array {
  const m = model.mean;
  const cell = spacingMm;
  const grid = new Map<string, number[]>();
  const key = (x: number, y: number, z: number) => `${Math.floor(x / cell)},${Math.floor(y / cell)},${Math.floor(z / cell)}`;
  const out: number[] = [];
  const s2 = spacingMm * spacingMm;
  for (const v of vertices) {
    const x = m[v * 3], y = m[v * 3 + 1], z = m[v * 3 + 2];
    const gx = Math.floor(x / cell), gy = Math.floor(y / cell), gz = Math.floor(z / cell);
    let free = true;
    for (let a = -1; a <= 1 && free; a++) for (let b = -1; b <= 1 && free; b++) for (let c = -1; c <= 1 && free; c++) {
      for (const u of grid.get(`${gx + a},${gy + b},${gz + c}`) ?? []) {
        const dx = m[u * 3] - x, dy = m[u * 3 + 1] - y, dz = m[u * 3 + 2] - z;
        if (dx * dx + dy * dy + dz * dz < s2) { free = false; break; }
      }
    }
    if (!free) continue;
    out.push(v);
    const k = key(x, y, z);
    if (!grid.has(k)) grid.set(k, []);
    grid.get(k)!.push(v);
  }
  return Uint32Array.from(out);
}

/** Gaussian bump loadings g_b(v) of the centres on the noisy vertices `inside` (truncated at 3σ). */
function bumpLoadings(model: FaceModel, centres: Uint32Array, sigmaMm: number, firstSource: number, sourceStride: number, inside: Uint8Array): Array<Array<[number, number]>> {
  const V = model.vertexCount;
  const m = model.mean;
  const cut2 = 9 * sigmaMm * sigmaMm;
  const per: Array<Array<[number, number]>> = Array.from({ length: V }, () => []);
  centres.forEach((c, b) => {
    const cx = m[c * 3], cy = m[c * 3 + 1], cz = m[c * 3 + 2];
    for (let v = 0; v < V; v++) {
      const dx = m[v * 3] - cx, dy = m[v * 3 + 1] - cy, dz = m[v * 3 + 2] - cz;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 <= cut2 && inside[v]) per[v].push([firstSource + b * sourceStride, Math.exp(-d2 / (2 * sigmaMm * sigmaMm))]);
    }
  });
  return per;
}

function toSparse(per: Array<Array<[number, number]>>, sources: number, sd: number): SparseLoadings {
  // scale so that the median over loaded vertices of √Σ g² equals sd
  const norms = per.map((l) => Math.sqrt(l.reduce((a, [, g]) => a + g * g, 0))).filter((n) => n > 0).sort((a, b) => a - b);
  const median = norms.length ? norms[norms.length >> 1] : 1;
  const scale = sd / median;
  const offsets = new Uint32Array(per.length + 1);
  per.forEach((l, v) => (offsets[v + 1] = offsets[v] + l.length));
  const source = new Uint32Array(offsets[per.length]);
  const weight = new Float32Array(offsets[per.length]);
  per.forEach((l, v) => l.forEach(([s, g], j) => { source[offsets[v] + j] = s; weight[offsets[v] + j] = g * scale; }));
  return { sources, offsets, source, weight };
}

/**
 * The bubble basis of a model over the noisy vertices: centres and loadings on them only, so the
 * noise (and any information it carries) stays on that set, by default the face region, however
 * broad a band's bumps are (ICT's lowest texture band had σ = 4·σ under the former law k = 0.5; cut at 3σ it would otherwise
 * reach 70 mm onto the scalp, neck and ears).
 * shapeSdMm: median sd of the normal height (mm); textureSd: median sd of each albedo channel.
 */
export function bubbleBasis(model: FaceModel, vertices: Uint32Array, opts: BubbleOptions, shapeSdMm: number, textureSd: number): BubbleBasis {
  if (!(opts.sigmaMm > 0 && opts.sigmaMm <= 100)) throw new Error(`bubbles.sigmaMm must be in (0, 100] mm, got ${opts.sigmaMm}`);
  if (!(opts.density > 0 && opts.density <= 16)) throw new Error(`bubbles.density must be in (0, 16] bumps per σ², got ${opts.density}`);
  const k = opts.textureBandOctaves ?? DEFAULT_TEXTURE_BAND_OCTAVES;
  if (!(k >= 0 && k <= 1)) throw new Error(`bubbles.textureBandOctaves must be in [0, 1] octaves per band, got ${k}`);
  const spacing = (s: number) => s / Math.sqrt(opts.density);
  const inside = new Uint8Array(model.vertexCount);
  for (const v of vertices) inside[v] = 1;
  const shapeCentres = bumpCentres(model, vertices, spacing(opts.sigmaMm));
  const shape = toSparse(bumpLoadings(model, shapeCentres, opts.sigmaMm, 0, 1, inside), shapeCentres.length, shapeSdMm);
  const nb = Math.max(1, model.textureBandNames.length);
  const per: Array<Array<[number, number]>> = Array.from({ length: model.vertexCount }, () => []);
  const textureBumps: number[] = [];
  const sigmas = textureBandSigmasMm(opts, nb);
  let first = 0;
  for (let band = 0; band < nb; band++) {
    const s = sigmas[band];
    const centres = bumpCentres(model, vertices, spacing(s));
    textureBumps.push(centres.length);
    const l = bumpLoadings(model, centres, s, first, 3, inside);
    // equal variance per band: each band's loadings scaled to unit median norm before summing
    const norms = l.map((x) => Math.sqrt(x.reduce((a, [, g]) => a + g * g, 0))).filter((n) => n > 0).sort((a, b) => a - b);
    const med = norms.length ? norms[norms.length >> 1] : 1;
    l.forEach((x, v) => x.forEach(([src, g]) => per[v].push([src, g / med / Math.sqrt(nb)])));
    first += centres.length * 3;
  }
  const texture = toSparse(per, first, textureSd);
  return { options: { ...opts, textureBandOctaves: k }, shape, texture, shapeBumps: shapeCentres.length, textureBumps };
}

/**
 * Scalar field of one trial: out[v] = Σ_j weight_j · z[(source_j + channelOffset)·T + t], for the
 * amplitudes z [source][T] (source-major).
 */
export function sparseValue(l: SparseLoadings, z: Float32Array, T: number, t: number, v: number, channel = 0): number {
  let s = 0;
  for (let j = l.offsets[v]; j < l.offsets[v + 1]; j++) s += l.weight[j] * z[(l.source[j] + channel) * T + t];
  return s;
}

/** Adds the scalar field of every trial of vertex v to out[0..T) (channel offset for texture sources). */
export function sparseSeries(l: SparseLoadings, z: Float32Array, T: number, v: number, out: Float64Array, channel = 0): void {
  for (let j = l.offsets[v]; j < l.offsets[v + 1]; j++) {
    const w = l.weight[j];
    const row = z.subarray((l.source[j] + channel) * T, (l.source[j] + channel + 1) * T);
    for (let t = 0; t < T; t++) out[t] += w * row[t];
  }
}
