/**
 * Synthetic per-vertex albedo of the ICT built-in model (ICT has no albedo; all of this is
 * synthetic and the model's notes say so). Linear RGB in [0, 1], arrays [V][3].
 *
 * Mean albedo: skin (the mean of the three synthetic skin groups), redder lips, dark brows, a
 * darkened lid margin, sclera, coloured irises (blue-grey to brown by a seeded hue per eye ring),
 * black pupils, a close-cropped hair cap on the scalp (the same for every identity: hair is not
 * an identity feature), dark red mouth interior. skinColourAt() gives the colour of a skin vertex
 * for any skin tone, so the ethnicity rows of the demographic norm are exact differences of it.
 * The hair blends into the skin in log-albedo (c = skin^(1−w) · hair^w), so the lightness falls
 * evenly across the soft hairline ramp w (a linear blend towards near-black hair looks like a hard
 * edge: most of the perceived change happens in its last few per cent).
 *
 * Identity texture components: TEXTURE_BANDS_MM.length spatial-frequency bands; component k of band
 * b is s_k(v) · c_k, a smooth random scalar field on the skin times a colour direction:
 *   s_k(v) = Σ_{j=1..8} cos(ω_j · x_v + φ_j), |ω_j| = 2π / λ_b · U(0.8, 1.25), random directions,
 * λ_b the band's wavelength in mm (60, 32, 20, 14, 10), restricted to skin (not scalp, eyes, mouth).
 * c_k is one of three orthonormal colour directions (melanin-like darkening, haemoglobin-like
 * redness, and their cross product), 24 + 14 + 12 = 50 components per band. Fields of the same
 * colour are Gram-Schmidt orthonormalised coarse band first (fields of different colours are
 * orthogonal by construction), so the texture basis is orthonormal.
 * sd_k = rms_b · f_c · sqrt(nSkin / n_{b,c}): with N(0, 1) coefficients, band b adds a per-vertex
 * RMS of rms_b · f_c along colour c (f = 1, 0.25, 0.15).
 * Amplitude versus skin tone: the model is linear (albedo = mean + norm + basis · coefficients, as
 * the GMF's), so a band's amplitude in linear albedo is the same on every face. Perceived contrast
 * goes with the *relative* change (ΔL/L, log albedo), so the bands are specified as log-albedo RMS
 * on the darkest synthetic tone: rms_b = BAND_LOG_RMS_b · |REF_TONE| with REF_TONE = group C's
 * skin, and the tone direction c_tone ∝ REF_TONE (a change along it is a pure lightness change of
 * that tone, with no hue shift). The darkest faces get the stated relative RMS (about 3.6 % over
 * all bands); lighter faces get proportionally less (group B ×0.5, A ×0.33), never more, so no tone
 * looks blotchy. (The previous absolute amplitudes, 0.016 … 0.004, were 8–13 % of group C's skin.)
 * Nyquist at 64 px: the image spans FIELD_OF_VIEW_MM = 260 mm at scale 1, 4.06 mm/px, so the
 * shortest resolvable wavelength is 8.1 mm; the finest band (10 mm, |ω| up to 1.25 × 2π/10 mm,
 * i.e. wavelengths down to 8 mm) sits at the limit and no band lies above it.
 */
import { gramSchmidt } from '../basis-linalg';
import { createRng, gaussian } from '../seeded-rng';

export const TEXTURE_BANDS_MM = [60, 32, 20, 14, 10];
/** Synthetic skin albedo of the three ethnicity groups (linear RGB). */
export const GROUP_SKIN: Record<string, [number, number, number]> = {
  A: [0.6, 0.39, 0.29],
  B: [0.4, 0.24, 0.15],
  C: [0.2, 0.11, 0.07],
};
/** The tone on which texture and beard amplitudes are set (the darkest group's): see the file comment. */
export const REF_TONE = GROUP_SKIN.C;
/** Log-albedo (relative) RMS of each band on REF_TONE, along the tone direction. */
export const BAND_LOG_RMS = [0.026, 0.018, 0.013, 0.01, 0.007];
const BAND_RMS = BAND_LOG_RMS.map((r) => r * Math.hypot(...REF_TONE));
const COLOURS: { name: string; count: number; factor: number; dir: [number, number, number] }[] = (() => {
  const norm = (v: number[]) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
  const c1 = norm(REF_TONE);
  const r0 = [0.35, -0.45, -0.3];
  const dot = r0[0] * c1[0] + r0[1] * c1[1] + r0[2] * c1[2];
  const c2 = norm(r0.map((x, i) => x - dot * c1[i]));
  const c3 = [c1[1] * c2[2] - c1[2] * c2[1], c1[2] * c2[0] - c1[0] * c2[2], c1[0] * c2[1] - c1[1] * c2[0]];
  return [
    { name: 'tone', count: 24, factor: 1, dir: c1 as [number, number, number] },
    { name: 'red', count: 14, factor: 0.25, dir: c2 as [number, number, number] },
    { name: 'yellow', count: 12, factor: 0.15, dir: c3 as [number, number, number] },
  ];
})();

export const MEAN_SKIN = [0, 1, 2].map((c) => (GROUP_SKIN.A[c] + GROUP_SKIN.B[c] + GROUP_SKIN.C[c]) / 3) as [number, number, number];

/** Lip albedo relative to the skin's, per channel. */
export const LIP_RATIO = [0.92, 0.6, 0.65];

export interface TextureMasks {
  /** [V] weight of identity skin texture (1 on skin, 0 on scalp, eyes, mouth interior). */
  skin: Float32Array;
  lips: Float32Array;
  brows: Float32Array;
  lidMargin: Float32Array;
  hair: Float32Array;
}

export interface TextureSpace {
  albedoMean: Float32Array;
  basis: Float32Array;
  sd: Float32Array;
  band: Uint8Array;
  names: string[];
}

const BROW_COLOUR = [0.035, 0.022, 0.015];
const HAIR_COLOUR = [0.045, 0.03, 0.022];

/**
 * Linear RGB of skin vertex v for skin tone `tone`: lips (tone × LIP_RATIO), brows and the lid
 * margin mixed towards the brow colour, then the hair blended in log-albedo by masks.hair[v].
 */
export function skinColourAt(tone: ArrayLike<number>, masks: TextureMasks, v: number): [number, number, number] {
  const c: [number, number, number] = [tone[0], tone[1], tone[2]];
  const mixIn = (w: number, col: ArrayLike<number>) => { for (let k = 0; k < 3; k++) c[k] = c[k] * (1 - w) + col[k] * w; };
  mixIn(masks.lips[v], [0, 1, 2].map((k) => tone[k] * LIP_RATIO[k]));
  mixIn(0.85 * masks.brows[v], BROW_COLOUR);
  mixIn(0.6 * masks.lidMargin[v], BROW_COLOUR);
  const h = masks.hair[v];
  if (h > 0) for (let k = 0; k < 3; k++) c[k] = c[k] ** (1 - h) * HAIR_COLOUR[k] ** h;
  return c;
}

/** Mean albedo per vertex [V][3]. `part` names each vertex's mesh part; `eyes` gives each eyeball's centre and front axis. */
export function meanAlbedo(mean: Float32Array, part: Uint8Array, parts: string[], masks: TextureMasks): Float32Array {
  const V = part.length;
  const out = new Float32Array(V * 3);
  const set = (v: number, c: number[]) => { out[v * 3] = c[0]; out[v * 3 + 1] = c[1]; out[v * 3 + 2] = c[2]; };
  const eyeInfo = new Map<number, { c: number[]; axis: number[]; r: number; iris: number[] }>();
  for (const name of ['left_eyeball', 'right_eyeball']) {
    const p = parts.indexOf(name);
    const c = [0, 0, 0];
    let n = 0, front = -1;
    for (let v = 0; v < V; v++) if (part[v] === p) { n++; for (let k = 0; k < 3; k++) c[k] += mean[v * 3 + k]; if (front < 0 || mean[v * 3 + 2] > mean[front * 3 + 2]) front = v; }
    for (let k = 0; k < 3; k++) c[k] /= n;
    const axis = [0, 1, 2].map((k) => mean[front * 3 + k] - c[k]);
    const r = Math.hypot(...axis);
    eyeInfo.set(p, { c, axis: axis.map((x) => x / r), r, iris: [0.09, 0.05, 0.025] });
  }
  const socketColour = [0.35, 0.12, 0.1];
  const mouthColour = [0.18, 0.04, 0.035];
  for (let v = 0; v < V; v++) {
    const name = parts[part[v]];
    if (name === 'face' || name === 'head') set(v, skinColourAt(MEAN_SKIN, masks, v)); else if (name === 'left_eyeball' || name === 'right_eyeball') {
      const e = eyeInfo.get(part[v])!;
      const d = [0, 1, 2].map((k) => (mean[v * 3 + k] - e.c[k]) / e.r);
      const cos = d[0] * e.axis[0] + d[1] * e.axis[1] + d[2] * e.axis[2];
      const angle = Math.acos(Math.max(-1, Math.min(1, cos / Math.max(1e-9, Math.hypot(...d))))) * (180 / Math.PI);
      if (angle < 11) set(v, [0.01, 0.01, 0.012]);
      else if (angle < 27) set(v, e.iris);
      else if (angle < 30) set(v, [0.03, 0.02, 0.015]);
      else set(v, [0.62, 0.58, 0.54]);
    } else if (name === 'eye_socket') set(v, socketColour);
    else set(v, mouthColour);
  }
  return out;
}

/** The identity texture space (see the file comment). `skin` [V] weights the fields. */
export function textureSpace(mean: Float32Array, masks: TextureMasks, seed = 20180517): TextureSpace {
  const V = masks.skin.length;
  const skinIdx: number[] = [];
  for (let v = 0; v < V; v++) if (masks.skin[v] > 0) skinIdx.push(v);
  const n = skinIdx.length;
  const rng = createRng(seed);
  const rows: Float64Array[] = [];
  const sd: number[] = [];
  const band: number[] = [];
  const names: string[] = [];
  for (const colour of COLOURS) {
    const raw: Float64Array[] = [];
    const meta: { b: number; i: number }[] = [];
    TEXTURE_BANDS_MM.forEach((lambda, b) => {
      for (let i = 0; i < colour.count; i++) {
        const f = new Float64Array(n);
        for (let j = 0; j < 8; j++) {
          const g = [gaussian(rng), gaussian(rng), gaussian(rng)];
          const gn = Math.hypot(...g);
          const k = ((2 * Math.PI) / lambda) * (0.8 + 0.45 * rng());
          const w = g.map((x) => (x / gn) * k);
          const phi = 2 * Math.PI * rng();
          skinIdx.forEach((v, t) => { f[t] += Math.cos(w[0] * mean[v * 3] + w[1] * mean[v * 3 + 1] + w[2] * mean[v * 3 + 2] + phi); });
        }
        skinIdx.forEach((v, t) => { f[t] *= masks.skin[v]; });
        raw.push(f);
        meta.push({ b, i });
      }
    });
    const gs = gramSchmidt(raw);
    gs.kept.forEach((k, r) => {
      const { b, i } = meta[k];
      const full = new Float64Array(V * 3);
      const q = gs.rows[r];
      skinIdx.forEach((v, t) => { for (let c = 0; c < 3; c++) full[v * 3 + c] = q[t] * colour.dir[c]; });
      rows.push(full);
      sd.push(BAND_RMS[b] * colour.factor * Math.sqrt(n / colour.count));
      band.push(b);
      names.push(`${TEXTURE_BANDS_MM[b]}mm_${colour.name}_${i}`);
    });
  }
  // Order by band, then colour.
  const order = rows.map((_, i) => i).sort((a, b) => band[a] - band[b] || a - b);
  const K = rows.length;
  const basis = new Float32Array(K * V * 3);
  order.forEach((o, k) => basis.set(rows[o], k * V * 3));
  return {
    albedoMean: new Float32Array(0), basis,
    sd: Float32Array.from(order.map((o) => sd[o])), band: Uint8Array.from(order.map((o) => band[o])), names: order.map((o) => names[o]),
  };
}
