/**
 * Raw shape deformation fields of the built-in model, each a displacement [V][3] in mm at one
 * standard deviation (or one demographic unit, or full expression), defined on the base head's
 * front coordinates (x, y) and faded to zero on the sides and back. Named, localized fields come
 * first (nose length, jaw width, ...); random smooth RBF fields fill the rest of the space.
 */
import { type BaseMesh, bump, bump2, smoothstep } from './basemesh';
import { type Rng, gaussian } from './seeded-rng';

export interface Field {
  name: string;
  data: Float64Array; // [V][3]
}

type Disp = (x: number, y: number) => [number, number, number];

/** Evaluates a displacement function at every front vertex. */
export function shapeField(base: BaseMesh, name: string, f: Disp): Field {
  const V = base.theta.length;
  const data = new Float64Array(V * 3);
  for (let v = 0; v < V; v++) {
    const fade = smoothstep(1.35, 0.9, Math.abs(base.theta[v]));
    if (fade === 0) continue;
    const [dx, dy, dz] = f(base.front[v * 2], base.front[v * 2 + 1]);
    data[v * 3] = dx * fade;
    data[v * 3 + 1] = dy * fade;
    data[v * 3 + 2] = dz * fade;
  }
  return { name, data };
}

const clamp01 = (t: number) => Math.min(1, Math.max(0, t));
const sgn = (x: number) => (x < 0 ? -1 : 1);

/** Named identity deformations (1 sd). */
export const NAMED_SHAPE: Record<string, Disp> = {
  nose_length: (x, y) => [0, -2.5 * clamp01((14 - y) / 36) * bump(x, y, 0, -12, 14, 22), 0],
  nose_width: (x, y) => [1.8 * (x / 12) * bump(x, y, 0, -20, 13, 9), 0, 0],
  nose_protrusion: (x, y) => [0, 0, 3 * bump(x, y, 0, -12, 7, 14) * clamp01((16 - y) / 36)],
  nose_bridge_height: (x, y) => [0, 0, 2 * bump(x, y, 0, 6, 6, 10)],
  jaw_width: (x, y) => [4 * (x / 60) * smoothstep(-30, -85, y), 0, 0],
  face_length: (x, y) => [0, -4 * smoothstep(-20, -100, y), 0],
  face_width: (x, y) => [3 * (x / 70) * smoothstep(90, 40, y), 0, 0],
  eye_spacing: (x, y) => [2 * sgn(x) * bump(Math.abs(x), y, 32, 10, 12, 9), 0, 0],
  eye_size: (x, y) => {
    const w = bump(Math.abs(x), y, 32, 10, 11, 8);
    return [1.6 * ((Math.abs(x) - 32) / 10) * sgn(x) * w, 1.6 * ((y - 10) / 10) * w, 0];
  },
  eye_height: (x, y) => [0, 2 * bump2(x, y, 32, 10, 14, 10), 0],
  cheek_fullness: (x, y) => {
    const w = bump2(x, y, 40, -30, 15, 15);
    return [1.5 * sgn(x) * w, 0, 3 * w];
  },
  brow_ridge: (x, y) => [0, 0, 2.5 * bump2(x, y, 30, 28, 18, 6)],
  lip_thickness: (x, y) => [0, 1.4 * Math.tanh((y + 50) / 3) * bump(x, y, 0, -50, 20, 7), 1.5 * bump(x, y, 0, -50, 18, 7)],
  mouth_width: (x, y) => [2.5 * (x / 25) * bump(x, y, 0, -50, 24, 8), 0, 0],
  chin_protrusion: (x, y) => [0, 0, 4 * bump(x, y, 0, -86, 18, 12)],
  chin_height: (x, y) => [0, -3 * bump(x, y, 0, -86, 22, 14), 0],
  forehead_height: (x, y) => [0, 4 * smoothstep(30, 80, y), 0],
  forehead_slope: (x, y) => [0, 0, 3 * smoothstep(30, 90, y) * bump(x, y, 0, 60, 50, 40)],
  cheekbone_height: (x, y) => {
    const w = bump2(x, y, 46, -10, 14, 12);
    return [0, 2 * w, 1.5 * w];
  },
  mouth_height: (x, y) => [0, 2.5 * bump(x, y, 0, -50, 26, 12), 0],
};

/** Random smooth identity fields: one or two mirrored Gaussian bumps with random 3D displacement. */
export function randomShapeFields(base: BaseMesh, count: number, rng: Rng): Field[] {
  const out: Field[] = [];
  for (let k = 0; k < count; k++) {
    const cx = (rng() * 2 - 1) * 55;
    const cy = -95 + rng() * 150;
    const s = 10 + rng() * 25;
    const amp = 1.2 + rng() * 1.8;
    const d = [0.5 * gaussian(rng), 0.5 * gaussian(rng), gaussian(rng)];
    const l = Math.hypot(d[0], d[1], d[2]) || 1;
    const symmetric = rng() < 0.65;
    out.push(
      shapeField(base, `smooth_${k}`, (x, y) => {
        const w = bump(x, y, cx, cy, s, s);
        const wm = symmetric ? bump(x, y, -cx, cy, s, s) : 0;
        // Mirrored bump: x displacement flips sign so the pair is left-right symmetric.
        return [(amp * d[0] * (w - wm)) / l, (amp * d[1] * (w + wm)) / l, (amp * d[2] * (w + wm)) / l];
      }),
    );
  }
  return out;
}

/** Demographic shape directions as mixtures of named fields (coefficients in sd of each field). */
export const DEMOGRAPHIC_SHAPE: Record<string, Record<string, number>> = {
  gender: { jaw_width: 1.3, brow_ridge: 1.4, nose_protrusion: 0.8, nose_width: 0.6, chin_height: 0.9, lip_thickness: -0.8, face_length: 0.7, face_width: 0.5, forehead_slope: -0.6 },
  age: { nose_length: 0.7, lip_thickness: -0.8, cheekbone_height: -0.6, eye_size: -0.4 },
  'ethnicity:A': { nose_bridge_height: 1.2, nose_width: -0.8, lip_thickness: -0.5, face_width: -0.4, nose_protrusion: 0.6 },
  'ethnicity:B': { nose_width: 1.6, lip_thickness: 1.6, nose_bridge_height: -0.6, brow_ridge: 0.4, nose_protrusion: -0.3 },
  'ethnicity:C': { nose_bridge_height: -1.2, face_width: 1.0, cheekbone_height: 1.0, eye_size: -0.5, forehead_slope: 0.5, nose_protrusion: -0.6 },
};

/** Extra age-specific fields (not identity components): sagging cheeks and deeper eye sockets. */
export const AGE_EXTRA: Disp = (x, y) => [0, -2 * bump2(x, y, 40, -35, 16, 16), -1.5 * bump2(x, y, 32, 10, 12, 9)];

/** Expression blendshapes (shape part) at full activation, mm. */
export const EXPRESSION_SHAPE: Record<string, Disp> = {
  smile: (x, y) => {
    const corner = bump2(x, y, 25, -50, 8, 7);
    const cheek = bump2(x, y, 38, -30, 12, 12);
    return [2.5 * sgn(x) * corner, 4 * corner + 2 * cheek, 1.5 * cheek - 1 * corner];
  },
  brow_raise: (x, y) => [0, 5 * bump2(x, y, 30, 29, 18, 7) + 2 * bump(x, y, 0, 45, 40, 15), 0],
  frown: (x, y) => [-2 * sgn(x) * bump2(x, y, 25, 28, 12, 6), -3 * bump2(x, y, 28, 28, 15, 6) - 2 * bump2(x, y, 25, -50, 6, 6), 0],
  jaw_open: (x, y) => {
    // The mesh row on the mouth line (y ≈ −50) moves half-way and becomes the dark interior
    // (textureFields.expressionAlbedoFields); the rows below it move with the jaw.
    const lower = smoothstep(-48.5, -51.5, y) * smoothstep(75, 45, Math.abs(x));
    const interior = bump(x, y, 0, -51, 18, 2.5);
    return [0, -12 * lower + 1 * bump(x, y, 0, -46, 16, 4), -3 * lower - 4 * interior];
  },
  eye_close: (x, y) => [0, -3 * bump2(x, y, 32, 14, 12, 4), -1 * bump2(x, y, 32, 9.5, 10, 5)],
  nose_wrinkle: (x, y) => [0, 2 * bump(x, y, 0, 5, 10, 10) + 2 * bump2(x, y, 12, -22, 6, 5) - 1.5 * bump2(x, y, 20, 27, 8, 5), 0.5 * bump(x, y, 0, 5, 8, 8)],
};
