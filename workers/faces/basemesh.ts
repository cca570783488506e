/**
 * The procedural base head of the built-in model: a superellipsoid head surface (θ around the
 * vertical axis, φ up) with facial features added as smooth displacements towards the camera, and a
 * per-vertex albedo painted from feature masks (skin, lips, sclera, iris, brows, hair).
 * Units: mm. x: image right of a frontal face (the subject's left), y: up, z: towards the camera.
 * Feature positions follow adult anthropometry roughly: interpupillary distance 64 mm, eyes to chin
 * 115 mm, mouth width 50 mm, nose 36 mm long.
 */

export interface BaseMesh {
  positions: Float32Array; // [V][3] mm
  triangles: Uint32Array; // [T][3] counter-clockwise from outside
  uv: Float32Array; // [V][2] (θ, φ) normalised to [0,1]
  front: Float32Array; // [V][2] (x, y) of the undisplaced surface: the coordinates features are defined in
  theta: Float32Array; // [V] azimuth in radians, 0 = facing the camera
  albedo: Float32Array; // [V][3] linear RGB
  regions: Record<string, Uint32Array>;
  landmarks: Record<string, number>;
}

const NU = 93; // columns (azimuth); odd, so a column lies on x = 0 and the mesh mirrors exactly
const NV = 78; // head rows (elevation)
const NECK = 9; // rows below the chin: the underside of the jaw and the neck
const THETA_MAX = 1.9; // rad, about 109°: past the ears, the back of the head stays open
const W_MIN = -0.97;
const W_MAX = 1.13;

export const smoothstep = (e0: number, e1: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};
/** Anisotropic Gaussian bump centred at (cx, cy) with widths (sx, sy) in mm. */
export const bump = (x: number, y: number, cx: number, cy: number, sx: number, sy: number) =>
  Math.exp(-0.5 * (((x - cx) / sx) ** 2 + ((y - cy) / sy) ** 2));
/** The same bump mirrored on both sides of the face (x → ±cx). */
export const bump2 = (x: number, y: number, cx: number, cy: number, sx: number, sy: number) =>
  bump(x, y, cx, cy, sx, sy) + bump(x, y, -cx, cy, sx, sy);

function segmentDistance(x: number, y: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0, dy = y1 - y0;
  const t = Math.min(1, Math.max(0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - x0 - t * dx, y - y0 - t * dy);
}

/** Displacement towards the camera (mm) of the facial features at front coordinates (x, y). */
export function featureDepth(x: number, y: number): number {
  const ax = Math.abs(x);
  // Nose: a ridge from the root (y = 14) to the tip (y = −22), rising and widening towards the tip.
  const t = Math.min(1, Math.max(0, (14 - y) / 36));
  const ridgeH = 3 + 17 * t;
  const ridgeW = 4.2 + 5 * t * t;
  const ridgeFade = y > 14 ? Math.exp(-0.5 * ((y - 14) / 6) ** 2) : y < -22 ? Math.exp(-0.5 * ((y + 22) / 3.2) ** 2) : 1;
  let d = ridgeH * Math.exp(-0.5 * (x / ridgeW) ** 2) * ridgeFade;
  d += 4 * bump(x, y, 0, -20, 6, 4.5); // tip bulb
  d += 6 * bump2(x, y, 12, -23.5, 4.5, 4); // alae
  d += 2 * bump(x, y, 0, -35, 5, 5); // philtrum
  // Eyes: socket, eyeball, upper lid fold.
  d += -11 * bump2(x, y, 32, 10, 14, 10);
  d += 7.5 * bump2(x, y, 32, 9.5, 9, 5.5);
  d += 1.5 * bump2(x, y, 32, 15.5, 10, 2.2);
  // Brow ridge and glabella, forehead.
  d += 5 * bump2(x, y, 30, 28, 17, 5.5) + 3 * bump(x, y, 0, 24, 10, 7);
  d += 3 * bump(x, y, 0, 52, 35, 20);
  // Cheekbones and cheeks, temples.
  d += 7 * bump2(x, y, 46, -10, 14, 12) + 3 * bump2(x, y, 38, -38, 14, 14);
  d += -4 * bump2(x, y, 62, 30, 10, 15);
  // Nasolabial folds.
  d += -2 * Math.exp(-0.5 * (segmentDistance(ax, y, 15, -27, 27, -54) / 2.5) ** 2);
  // Lips, mouth line, corners, the groove under the lower lip, chin.
  d += 5.5 * bump(x, y, 0, -45.5, 16, 3.2) + 6.5 * bump(x, y, 0, -55, 14, 3.8);
  d += -4 * bump(x, y, 0, -50, 22, 1.2) - 3 * bump2(x, y, 25, -50, 4, 4);
  d += -3 * bump(x, y, 0, -65, 14, 3.5);
  d += 8 * bump(x, y, 0, -86, 17, 11);
  return d;
}

/** The ears: a bump on each side of the head (|θ| ≈ 1.6 rad, between the brows and the nose base). */
export function earWeight(y: number, theta: number): number {
  return Math.exp(-0.5 * (((Math.abs(theta) - 1.62) / 0.13) ** 2 + ((y - 2) / 17) ** 2));
}

/** Where is each surface feature: masks in [0,1] at front coordinates (x, y). */
export function featureMasks(x: number, y: number, theta: number) {
  const ax = Math.abs(x);
  const front = Math.abs(theta) < 1.3 ? 1 : 0;
  // Lips: an ellipse around the mouth line, upper lip thinner.
  const ly = y + 50.5;
  const lr = (x / 24.5) ** 2 + (ly / (ly > 0 ? 5.3 : 6.8)) ** 2;
  const lips = front * smoothstep(1, 0.7, lr);
  // Eye opening: an almond; iris and pupil inside it.
  const ex = ax - 32;
  const half = 5.8 * Math.max(0, 1 - (ex / 13.5) ** 2);
  const ey = y - 9.5;
  const opening = front * smoothstep(0.3, -0.3, Math.abs(ey) - half);
  const ir = Math.hypot(ex, ey);
  const iris = opening * smoothstep(6.0, 5.4, ir);
  const pupil = opening * smoothstep(2.4, 1.9, ir);
  const lidLine = front * (ax > 18 && ax < 46 ? Math.exp(-0.5 * ((ey - half - 0.6) / 0.7) ** 2) : 0) * smoothstep(14, 9, Math.abs(ex));
  // Brows: an arc above each eye, thicker on the inside.
  const bx = (ax - 31) / 19;
  const browY = 27 + 4 * Math.max(0, 1 - bx * bx);
  const browT = 2.6 + 1.4 * smoothstep(1, -1, bx);
  const brow = front * smoothstep(1.05, 0.85, Math.abs(bx)) * smoothstep(browT, browT * 0.55, Math.abs(y - browY));
  // Hair: above a hairline receding at the temples, and on the sides and back.
  const hairline = 70 - 10 * (ax / 60) ** 2;
  const top = smoothstep(hairline - 2, hairline + 4, y);
  const sideStart = 1.12 + 0.3 * smoothstep(45, -10, y); // the side hairline slopes back towards the ear
  const side = smoothstep(sideStart, sideStart + 0.15, Math.abs(theta)) * smoothstep(-15, 5, y);
  const back = smoothstep(1.5, 1.7, Math.abs(theta));
  const ear = earWeight(y, theta);
  const hair = Math.max(top, side, back) * (1 - smoothstep(0.15, 0.5, ear));
  const nostril = front * bump2(x, y, 6.5, -26, 2.6, 1.6);
  const blush = front * bump2(x, y, 40, -22, 12, 10);
  const underChin = smoothstep(-95, -112, y);
  return { lips, opening, iris, pupil, lidLine, brow, hair, nostril, blush, underChin, ear };
}

const srgbToLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const lin = (r: number, g: number, b: number) => [srgbToLinear(r / 255), srgbToLinear(g / 255), srgbToLinear(b / 255)];
const SKIN = lin(222, 178, 150);
const LIPS = lin(178, 92, 90);
const SCLERA = lin(225, 220, 212);
const IRIS = lin(92, 62, 40);
const PUPIL = lin(12, 10, 10);
const BROW = lin(70, 50, 38);
const HAIR = lin(62, 44, 32);
const LID = lin(90, 60, 50);

function mix(a: number[], b: number[], t: number): number[] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** A deterministic value in [0, 1) per point: the strand-level variation of hair colour. */
function hairGrain(x: number, y: number): number {
  const h = Math.sin(x * 12.9898 + y * 78.233 + Math.sin(y * 0.35) * 3) * 43758.5453;
  return h - Math.floor(h);
}

/** The mean albedo (linear RGB) at a point, from the feature masks. */
export function baseAlbedo(x: number, y: number, theta: number): number[] {
  const m = featureMasks(x, y, theta);
  const grain = 0.7 + 0.6 * hairGrain(Math.abs(x), y); // |x|: the mean face stays mirror-symmetric
  const hair = [HAIR[0] * grain, HAIR[1] * grain, HAIR[2] * grain];
  let c = SKIN.slice();
  c = mix(c, [c[0] * 1.05, c[1] * 0.82, c[2] * 0.82], m.blush * 0.6);
  c = mix(c, [c[0] * 0.8, c[1] * 0.75, c[2] * 0.78], m.underChin * 0.7);
  c = mix(c, LIPS, m.lips);
  c = mix(c, SCLERA, m.opening);
  c = mix(c, IRIS, m.iris);
  c = mix(c, PUPIL, m.pupil);
  c = mix(c, LID, m.lidLine * 0.9);
  c = mix(c, BROW, m.brow * 0.85);
  c = mix(c, hair, m.hair);
  c = mix(c, [c[0] * 0.95, c[1] * 0.8, c[2] * 0.8], m.ear * 0.5); // ears: a little redder
  c = mix(c, [0.05, 0.02, 0.02], m.nostril * 0.85);
  return c;
}

/** Builds the base head: grid topology, positions, albedo, regions and landmarks. */
export function buildBaseMesh(): BaseMesh {
  const ROWS = NECK + NV;
  const V = NU * ROWS;
  const positions = new Float32Array(V * 3);
  const uv = new Float32Array(V * 2);
  const front = new Float32Array(V * 2);
  const theta = new Float32Array(V);
  const albedo = new Float32Array(V * 3);
  /** Head row r: height y (mm), half-width of the ring, and the ring's radial factor. */
  const headRow = (r: number) => {
    const w = W_MIN + ((W_MAX - W_MIN) * r) / (NV - 1);
    const phi = Math.min(Math.PI / 2, 1.3 * (0.6 * w + 0.4 * w * w * w)); // denser rows near the eyes; the top row closes the crown
    const cphi = Math.max(0, Math.cos(phi));
    const y = Math.sin(phi) * (phi > 0 ? 125 : 112);
    return { y, halfWidth: 72 - 20 * smoothstep(-10, -100, y), ring: Math.pow(cphi, phi > 0 ? 0.5 : 0.3) };
  };
  const chin = headRow(0);
  for (let j = 0; j < ROWS; j++) {
    const head = j >= NECK ? headRow(j - NECK) : chin;
    // Neck rows: t = 1 at the bottom; they blend from the chin ring to a neck cylinder (under the jaw first).
    const t = j < NECK ? (NECK - j) / NECK : 0;
    const b = smoothstep(0, 0.35, t);
    const y = head.y - 90 * t;
    for (let i = 0; i < NU; i++) {
      const u = -1 + (2 * i) / (NU - 1);
      const th = THETA_MAX * (0.6 * u + 0.4 * u * u * u); // denser columns at the front
      const s = Math.sin(th), c = Math.cos(th);
      // Superellipse cross-section (exponent 0.8): a flatter front than a circle.
      const xHead = head.halfWidth * head.ring * Math.sign(s) * Math.pow(Math.abs(s), 0.8);
      const zHead = 92 * head.ring * Math.sign(c) * Math.pow(Math.abs(c), 0.8);
      // Ears stand out sideways and a little backwards.
      const ear = earWeight(head.y - 90 * t, th) * (1 - b);
      const x = xHead + b * (50 * s - xHead) + Math.sign(s) * 15 * ear;
      const zBase = zHead + b * (-15 + 52 * c - zHead) - 6 * ear;
      const v = j * NU + i;
      const frontness = smoothstep(0, 0.35, c) * (1 - b);
      positions[v * 3] = x;
      positions[v * 3 + 1] = y;
      positions[v * 3 + 2] = zBase + featureDepth(x, y) * frontness;
      uv[v * 2] = (th / THETA_MAX + 1) / 2;
      uv[v * 2 + 1] = j / (ROWS - 1);
      front[v * 2] = x;
      front[v * 2 + 1] = y;
      theta[v] = th;
      const a = baseAlbedo(x, y, th);
      albedo[v * 3] = a[0];
      albedo[v * 3 + 1] = a[1];
      albedo[v * 3 + 2] = a[2];
    }
  }
  const triangles = new Uint32Array((NU - 1) * (ROWS - 1) * 6);
  let t = 0;
  for (let j = 0; j < ROWS - 1; j++) {
    for (let i = 0; i < NU - 1; i++) {
      const a = j * NU + i, b = a + 1, c = a + NU + 1, d = a + NU;
      // Split each quad along the diagonal that mirrors across x = 0, so the mesh is symmetric.
      if (i < (NU - 1) / 2) { // left half
        triangles.set([a, b, c, a, c, d], t);
      } else {
        triangles.set([a, b, d, b, c, d], t);
      }
      t += 6;
    }
  }
  const { regions, landmarks } = buildRegions(front, theta, positions);
  return { positions, triangles, uv, front, theta, albedo, regions, landmarks };
}

function buildRegions(front: Float32Array, theta: Float32Array, positions: Float32Array) {
  const V = theta.length;
  const tests: Record<string, (x: number, y: number) => boolean> = {
    nose: (x, y) => Math.abs(x) < 18 && y > -31 && y < 16,
    mouth: (x, y) => (x / 30) ** 2 + ((y + 50) / 12) ** 2 < 1,
    chin: (x, y) => (x / 24) ** 2 + ((y + 86) / 15) ** 2 < 1,
    forehead: (x, y) => Math.abs(x) < 45 && y > 37 && y < 66,
    left_eye: (x, y) => ((x - 32) / 15) ** 2 + ((y - 10) / 8) ** 2 < 1,
    right_eye: (x, y) => ((x + 32) / 15) ** 2 + ((y - 10) / 8) ** 2 < 1,
    left_brow: (x, y) => Math.abs(x - 31) < 20 && y > 22 && y < 36,
    right_brow: (x, y) => Math.abs(x + 31) < 20 && y > 22 && y < 36,
    left_cheek: (x, y) => ((x - 43) / 16) ** 2 + ((y + 25) / 16) ** 2 < 1,
    right_cheek: (x, y) => ((x + 43) / 16) ** 2 + ((y + 25) / 16) ** 2 < 1,
    face: (x, y) => (x / 66) ** 2 + ((y + 15) / 88) ** 2 < 1,
  };
  const lists: Record<string, number[]> = {};
  for (const k of Object.keys(tests)) lists[k] = [];
  for (let v = 0; v < V; v++) {
    if (Math.abs(theta[v]) > 1.2) continue;
    const x = front[v * 2], y = front[v * 2 + 1];
    for (const [k, f] of Object.entries(tests)) if (f(x, y)) lists[k].push(v);
  }
  lists.eyes = [...lists.left_eye, ...lists.right_eye].sort((a, b) => a - b);
  lists.brow = [...lists.left_brow, ...lists.right_brow].sort((a, b) => a - b);
  lists.cheek = [...lists.left_cheek, ...lists.right_cheek].sort((a, b) => a - b);
  const regions: Record<string, Uint32Array> = {};
  for (const [k, l] of Object.entries(lists)) regions[k] = Uint32Array.from(l);

  const targets: Record<string, [number, number]> = {
    nose_tip: [0, -20], nose_root: [0, 14], subnasale: [0, -29],
    left_alar: [14, -24], right_alar: [-14, -24],
    left_eye_center: [32, 9.5], right_eye_center: [-32, 9.5],
    left_eye_outer: [44.5, 9.5], left_eye_inner: [19.5, 9.5],
    right_eye_outer: [-44.5, 9.5], right_eye_inner: [-19.5, 9.5],
    left_brow_center: [31, 31], right_brow_center: [-31, 31],
    mouth_left: [24.5, -50], mouth_right: [-24.5, -50],
    upper_lip: [0, -46], lower_lip: [0, -56], chin: [0, -88], forehead_center: [0, 50],
    left_cheek: [43, -20], right_cheek: [-43, -20],
  };
  const landmarks: Record<string, number> = {};
  for (const [name, [tx, ty]] of Object.entries(targets)) {
    let best = -1, bestD = Infinity;
    for (let v = 0; v < V; v++) {
      if (Math.abs(theta[v]) > 1.0 || positions[v * 3 + 2] <= 0) continue;
      const d = (front[v * 2] - tx) ** 2 + (front[v * 2 + 1] - ty) ** 2;
      if (d < bestD) { bestD = d; best = v; }
    }
    landmarks[name] = best;
  }
  return { regions, landmarks };
}
