/**
 * Raw texture (albedo) fields of the built-in model in linear RGB per vertex [V][3], one sd each,
 * grouped in three spatial-frequency bands:
 * - low:  skin tone, redness, yellowness, regional pigmentation (forehead, cheeks, under-eye, nose,
 *         jaw shadow), plus random broad fields (Gaussians, σ 25–60 mm);
 * - mid:  lip colour, brow density and colour, iris, eyelid, hair colour, plus random features
 *         (σ 5–12 mm);
 * - high: fine skin texture: white noise minus its mesh-Laplacian smoothing (a high-pass filter),
 *         luminance-dominant.
 */
import { type BaseMesh, bump, bump2, featureMasks, smoothstep } from './basemesh';
import { buildAdjacency, smoothField } from './meshops';
import { type Rng, gaussian } from './seeded-rng';
import type { Field } from './shape-fields';

export const TEXTURE_BANDS = ['low', 'mid', 'high'] as const;

export interface TextureField extends Field {
  band: number;
}

/** Per-vertex masks of the base mesh (skin, lips, brow, iris, eye opening, hair, lid). */
export function vertexMasks(base: BaseMesh) {
  const V = base.theta.length;
  const mk = () => new Float64Array(V);
  const m = { skin: mk(), lips: mk(), brow: mk(), iris: mk(), opening: mk(), hair: mk(), lid: mk() };
  for (let v = 0; v < V; v++) {
    const f = featureMasks(base.front[v * 2], base.front[v * 2 + 1], base.theta[v]);
    m.lips[v] = f.lips; m.brow[v] = f.brow; m.iris[v] = f.iris; m.opening[v] = f.opening; m.hair[v] = f.hair; m.lid[v] = f.lidLine;
    m.skin[v] = (1 - f.hair) * (1 - f.opening) * (1 - 0.5 * f.brow) * (1 - 0.4 * f.lips);
  }
  return m;
}

type Masks = ReturnType<typeof vertexMasks>;

/** A field = weight(x, y, v) × colour (r, g, b). */
function colourField(base: BaseMesh, name: string, band: number, colour: number[], weight: (x: number, y: number, v: number) => number): TextureField {
  const V = base.theta.length;
  const data = new Float64Array(V * 3);
  for (let v = 0; v < V; v++) {
    const w = weight(base.front[v * 2], base.front[v * 2 + 1], v);
    data[v * 3] = w * colour[0]; data[v * 3 + 1] = w * colour[1]; data[v * 3 + 2] = w * colour[2];
  }
  return { name, band, data };
}

/** A random colour direction, mostly along luminance (skin varies mostly in lightness). */
function randomColour(rng: Rng, scale: number): number[] {
  const l = gaussian(rng);
  return [scale * (l + 0.4 * gaussian(rng)), scale * (0.8 * l + 0.3 * gaussian(rng)), scale * (0.6 * l + 0.3 * gaussian(rng))];
}

export function namedTextureFields(base: BaseMesh, m: Masks, albedoMean: Float32Array): TextureField[] {
  // Skin fields are additive in linear RGB, so they are kept small: on dark skin the same change is relatively larger.
  const skin = (v: number) => 0.6 * m.skin[v];
  const L = 0, M = 1;
  return [
    { name: 'skin_lightness', band: L, data: (() => { const d = new Float64Array(albedoMean.length); for (let i = 0; i < d.length; i++) d[i] = 0.15 * albedoMean[i] * m.skin[(i / 3) | 0]; return d; })() },
    colourField(base, 'skin_redness', L, [0.04, -0.012, -0.02], (x, y, v) => skin(v)),
    colourField(base, 'skin_yellowness', L, [0.02, 0.02, -0.035], (x, y, v) => skin(v)),
    colourField(base, 'forehead_tone', L, [0.035, 0.03, 0.025], (x, y, v) => skin(v) * bump(x, y, 0, 50, 35, 20)),
    colourField(base, 'cheek_redness', L, [0.04, -0.008, -0.008], (x, y, v) => skin(v) * bump2(x, y, 40, -20, 14, 12)),
    colourField(base, 'under_eye_darkness', L, [-0.06, -0.06, -0.035], (x, y, v) => skin(v) * bump2(x, y, 32, -1, 12, 5)),
    colourField(base, 'nose_redness', L, [0.06, -0.01, -0.01], (x, y, v) => skin(v) * bump(x, y, 0, -15, 8, 12)),
    colourField(base, 'jaw_shadow', L, [-0.025, -0.022, -0.015], (x, y, v) => skin(v) * smoothstep(-30, -90, y)),
    colourField(base, 'lateral_tone', L, [0.03, 0.025, 0.02], (x, y, v) => skin(v) * (x / 70)),
    colourField(base, 'vertical_tone', L, [0.03, 0.025, 0.02], (x, y, v) => skin(v) * (y / 100)),
    colourField(base, 'lip_redness', M, [0.05, -0.01, -0.005], (x, y, v) => m.lips[v]),
    colourField(base, 'lip_darkness', M, [-0.06, -0.015, -0.015], (x, y, v) => m.lips[v]),
    colourField(base, 'brow_density', M, [-0.03, -0.022, -0.018], (x, y, v) => m.brow[v] + 0.3 * m.lid[v]),
    colourField(base, 'brow_colour', M, [0.02, 0.01, 0.0], (x, y, v) => m.brow[v]),
    colourField(base, 'iris_colour', M, [0.03, 0.05, 0.05], (x, y, v) => m.iris[v]),
    colourField(base, 'eyelid_darkness', M, [-0.05, -0.05, -0.04], (x, y, v) => skin(v) * bump2(x, y, 32, 16, 12, 3)),
    colourField(base, 'hair_colour', M, [0.035, 0.02, 0.008], (x, y, v) => m.hair[v]),
  ];
}

/** Random broad (low band) or feature-sized (mid band) colour fields made of Gaussian blobs. */
export function randomBlobFields(base: BaseMesh, m: Masks, count: number, band: number, sigma: [number, number], scale: number, rng: Rng): TextureField[] {
  const out: TextureField[] = [];
  for (let k = 0; k < count; k++) {
    const blobs = Array.from({ length: band === 0 ? 2 : 4 }, () => ({
      cx: (rng() * 2 - 1) * 55, cy: -90 + rng() * 150, s: sigma[0] + rng() * (sigma[1] - sigma[0]), a: gaussian(rng),
    }));
    const colour = randomColour(rng, scale);
    out.push(colourField(base, `${TEXTURE_BANDS[band]}_${k}`, band, colour, (x, y, v) => {
      let w = 0;
      for (const b of blobs) w += b.a * bump(x, y, b.cx, b.cy, b.s, b.s);
      return m.skin[v] * w;
    }));
  }
  return out;
}

/** Fine skin texture: white noise minus its smoothed version (mesh-Laplacian high-pass). */
export function highFrequencyFields(base: BaseMesh, m: Masks, count: number, scale: number, rng: Rng): TextureField[] {
  const V = base.theta.length;
  const adj = buildAdjacency(V, base.triangles);
  const out: TextureField[] = [];
  for (let k = 0; k < count; k++) {
    const noise = new Float64Array(V);
    for (let v = 0; v < V; v++) noise[v] = gaussian(rng);
    const smooth = smoothField(adj, noise, 1, 3);
    const colour = randomColour(rng, scale);
    const data = new Float64Array(V * 3);
    for (let v = 0; v < V; v++) {
      const w = (noise[v] - smooth[v]) * m.skin[v];
      data[v * 3] = w * colour[0]; data[v * 3 + 1] = w * colour[1]; data[v * 3 + 2] = w * colour[2];
    }
    out.push({ name: `high_${k}`, band: 2, data });
  }
  return out;
}

const srgbToLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const lin = (r: number, g: number, b: number) => [srgbToLinear(r / 255), srgbToLinear(g / 255), srgbToLinear(b / 255)];

/** Skin colour (sRGB) of each synthetic ethnicity group: a procedural norm, not fitted to any population. */
export const GROUP_SKIN: Record<string, number[]> = { A: lin(236, 196, 172), B: lin(150, 102, 78), C: lin(226, 188, 150) };

/** Demographic texture directions, raw (the caller centres the ethnicity rows). */
export function demographicTextureFields(base: BaseMesh, m: Masks, skinColour: number[]): Record<string, Float64Array> {
  const V = base.theta.length;
  const gender = new Float64Array(V * 3);
  const age = new Float64Array(V * 3);
  const groups: Record<string, Float64Array> = {};
  for (const g of Object.keys(GROUP_SKIN)) groups[g] = new Float64Array(V * 3);
  for (let v = 0; v < V; v++) {
    const x = base.front[v * 2], y = base.front[v * 2 + 1];
    const s = m.skin[v];
    const beard = s * smoothstep(-15, -45, y) * smoothstep(70, 50, Math.abs(x)) * (1 - m.lips[v]);
    // Gender: a beard shadow and denser brows, relative to the mean skin colour (a ±6% change).
    const g = [0, 1, 2].map((c) => -0.06 * beard * skinColour[c] - 0.02 * s * skinColour[c] - 0.02 * m.brow[v] + [-0.03, -0.008, -0.005][c] * m.lips[v]);
    const a = [-0.03 * m.lips[v] - 0.03 * s * bump2(x, y, 32, -1, 12, 5) + 0.01 * s, -0.003 * m.lips[v] - 0.03 * s * bump2(x, y, 32, -1, 12, 5) + 0.008 * s, -0.02 * s * bump2(x, y, 32, -1, 12, 5) - 0.01 * s];
    for (let c = 0; c < 3; c++) {
      gender[v * 3 + c] = g[c];
      age[v * 3 + c] = a[c];
      for (const [name, col] of Object.entries(GROUP_SKIN)) {
        // Lips and brows follow the skin partly: darker skin, darker lips.
        groups[name][v * 3 + c] = (s + 0.3 * m.lips[v]) * (col[c] - skinColour[c]);
      }
    }
  }
  return { gender, age, ...Object.fromEntries(Object.entries(groups).map(([k, d]) => [`ethnicity:${k}`, d])) };
}

/** Expression albedo deltas: a closed eye shows its lid; an open jaw shows a dark mouth interior. */
export function expressionAlbedoFields(base: BaseMesh, m: Masks, albedoMean: Float32Array, skinColour: number[], names: string[]): Float64Array[] {
  const V = base.theta.length;
  return names.map((name) => {
    const d = new Float64Array(V * 3);
    for (let v = 0; v < V; v++) {
      const x = base.front[v * 2], y = base.front[v * 2 + 1];
      for (let c = 0; c < 3; c++) {
        if (name === 'eye_close') {
          const lash = m.opening[v] * Math.exp(-0.5 * ((y - 9) / 0.9) ** 2);
          d[v * 3 + c] = m.opening[v] * (skinColour[c] * 0.85 - albedoMean[v * 3 + c]) - lash * 0.6 * skinColour[c];
        } else if (name === 'jaw_open') {
          // The vertices that the jaw pulls part of the way down (shapeFields EXPRESSION_SHAPE.jaw_open)
          // span the opening: they become the dark mouth interior.
          const lower = smoothstep(-48.5, -51.5, y);
          const inside = Math.max(0, 1 - (2 * lower - 1) ** 2) * smoothstep(26, 18, Math.abs(x));
          // −1 in every channel: any identity's albedo clamps to black inside.
          d[v * 3 + c] = -inside;
        }
      }
    }
    return d;
  });
}
