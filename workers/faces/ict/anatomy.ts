/**
 * Named regions, landmarks and the scalp mask of the ICT mesh, anchored on ICT's iBUG-68 landmarks
 * (vertex_indices.json, kept in the shipped file). Positions in mm, model frame (x = the subject's
 * left, y up, z towards the camera). Regions grow by Euclidean distance from anchor points on the
 * mean mesh; each left region's anchors are the mirror images (x → −x) of the right one's, averaged
 * with its own landmarks, so left and right regions mirror each other.
 *
 * iBUG-68 numbering: 0–16 jaw contour (0 = the subject's right), 17–21 right brow, 22–26 left brow,
 * 27–30 nose bridge, 31–35 nose base, 36–41 right eye, 42–47 left eye, 48–59 outer lip, 60–67 inner lip.
 */
type Vec3 = [number, number, number];

export interface AnatomyInput {
  /** [V][3] mm. */
  mean: Float32Array;
  /** [V] part index into `parts`. */
  part: Uint8Array;
  parts: string[];
  landmarks68: number[];
}

export interface Anatomy {
  regions: Record<string, Uint32Array>;
  landmarks: Record<string, number>;
  /** [V] 1 on the scalp (no identity variance), 0 on the face, a smooth ramp between. */
  scalp: Float32Array;
  /** Height (y, mm) where the scalp mask reaches 1 above the forehead (brow top + 50 mm). */
  hairlineY: number;
  /** Landmark vertices each region must contain (iBUG indices or named landmarks). */
  regionAnchors: Record<string, number[]>;
}

const smoothstep = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

export function buildAnatomy(inp: AnatomyInput): Anatomy {
  const { mean, part, parts, landmarks68 } = inp;
  const V = mean.length / 3;
  const P = (v: number): Vec3 => [mean[v * 3], mean[v * 3 + 1], mean[v * 3 + 2]];
  const L = (i: number) => P(landmarks68[i]);
  const partOf = (name: string) => parts.indexOf(name);
  const skinParts = new Set([partOf('face'), partOf('head')]);
  const d2 = (a: Vec3, b: Vec3) => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
  const mirror = (a: Vec3): Vec3 => [-a[0], a[1], a[2]];
  const mid = (a: Vec3, b: Vec3, t = 0.5): Vec3 => [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])];
  /** The skin vertex nearest a point (snaps constructed anchors onto the surface). */
  const nearestSkin = (p: Vec3): number => {
    let best = -1, bd = Infinity;
    for (let v = 0; v < V; v++) { if (!skinParts.has(part[v])) continue; const d = d2(P(v), p); if (d < bd) { bd = d; best = v; } }
    return best;
  };
  const ball = (anchors: Vec3[], radius: number, keep: (v: number) => boolean = (v) => skinParts.has(part[v])): number[] => {
    const out: number[] = [];
    const r2 = radius * radius;
    for (let v = 0; v < V; v++) if (keep(v) && anchors.some((a) => d2(P(v), a) <= r2)) out.push(v);
    return out;
  };
  /** Anchors of a right-side region and their mirrored left counterparts, symmetrised. */
  const sided = (right: Vec3[], left: Vec3[]) => {
    const r = right.map((p, i) => mid(p, mirror(left[i])));
    return { right: r, left: r.map(mirror) };
  };
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

  const lists: Record<string, number[]> = {};
  const anchors: Record<string, number[]> = {};
  // Nose: bridge and base, limited to the width of the nostrils.
  const noseHalf = Math.max(Math.abs(L(31)[0]), Math.abs(L(35)[0])) + 5;
  lists.nose = ball(range(27, 35).map(L).concat([mid(L(30), L(33))]), 9, (v) => skinParts.has(part[v]) && Math.abs(mean[v * 3]) <= noseHalf);
  anchors.nose = range(27, 35);
  // Mouth (lips and their surround) and lips (inside the outer lip contour, seen from the front).
  lists.mouth = ball(range(48, 67).map(L), 9);
  anchors.mouth = range(48, 67);
  const lipPoly = range(48, 59).map((i) => [L(i)[0], L(i)[1]] as [number, number]);
  const insideLips = (x: number, y: number) => {
    let inside = false;
    for (let i = 0, j = lipPoly.length - 1; i < lipPoly.length; j = i++) {
      const [xi, yi] = lipPoly[i], [xj, yj] = lipPoly[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  const lipZ = Math.min(L(48)[2], L(54)[2]) - 6;
  lists.lips = [];
  for (let v = 0; v < V; v++) if (part[v] === partOf('face') && mean[v * 3 + 2] > lipZ && insideLips(mean[v * 3], mean[v * 3 + 1])) lists.lips.push(v);
  for (const i of range(48, 59)) if (!lists.lips.includes(landmarks68[i])) lists.lips.push(landmarks68[i]);
  anchors.lips = range(48, 59);
  // Chin: below the lower lip, around the chin landmarks.
  const chinTop = L(57)[1] - 6;
  lists.chin = ball([L(7), L(8), L(9), mid(L(57), L(8))], 14, (v) => skinParts.has(part[v]) && mean[v * 3 + 1] < chinTop);
  anchors.chin = [7, 8, 9];
  // Jaw: the lower contour.
  lists.jaw = ball(range(3, 13).map(L), 12);
  anchors.jaw = range(3, 13);
  // Eyes: lids around the eye landmarks, the eyeball and the eye socket of that side.
  const eyes = sided(range(36, 41).map(L), range(42, 47).map((i) => L(i)).map((_, k) => L([45, 44, 43, 42, 47, 46][k])));
  const eyeball = { left: partOf('left_eyeball'), right: partOf('right_eyeball') };
  const socket = partOf('eye_socket');
  for (const side of ['left', 'right'] as const) {
    const own = side === 'left' ? eyes.left : eyes.right;
    lists[`${side}_eye`] = ball(own, 8, (v) => skinParts.has(part[v]) || part[v] === eyeball[side] || (part[v] === socket && (side === 'left' ? mean[v * 3] > 0 : mean[v * 3] < 0)));
  }
  anchors.right_eye = range(36, 41);
  anchors.left_eye = range(42, 47);
  // Brows.
  const brows = sided(range(17, 21).map(L), [26, 25, 24, 23, 22].map(L));
  lists.right_brow = ball(brows.right, 8);
  lists.left_brow = ball(brows.left, 8);
  anchors.right_brow = range(17, 21);
  anchors.left_brow = range(22, 26);
  // Cheeks: between the lower lid, the nostril and the jaw contour.
  const cheekR = mid(mid(L(41), L(31)), L(2), 0.35);
  const cheeks = sided([cheekR], [mid(mid(L(46), L(35)), L(14), 0.35)]);
  const cheekRV = nearestSkin(cheeks.right[0]), cheekLV = nearestSkin(cheeks.left[0]);
  lists.right_cheek = ball([P(cheekRV)], 20);
  lists.left_cheek = ball([P(cheekLV)], 20);
  // Temples: beside the outer end of the brow, above the ear line.
  const templeR = nearestSkin(mid(L(17), L(0), 0.6));
  const templeL = nearestSkin(mirror(P(templeR)));
  lists.right_temple = ball([P(templeR)], 15);
  lists.left_temple = ball([P(templeL)], 15);
  // Forehead: above the brows, below the hairline, between the temples.
  const browTop = Math.max(L(19)[1], L(24)[1]);
  const hairline = browTop + 50;
  const foreheadHalf = Math.abs(L(17)[0]) - 6;
  lists.forehead = [];
  for (let v = 0; v < V; v++) {
    if (part[v] !== partOf('face')) continue;
    const [x, y, z] = P(v);
    if (y > browTop + 8 && y < hairline - 5 && Math.abs(x) < foreheadHalf && z > L(0)[2] + 25) lists.forehead.push(v);
  }
  const foreheadCentre = nearestSkin([0, browTop + 25, L(27)[2] + 10]);

  const landmarks: Record<string, number> = {
    nose_tip: landmarks68[30], nose_root: landmarks68[27], subnasale: landmarks68[33],
    left_alar: landmarks68[35], right_alar: landmarks68[31],
    left_eye_outer: landmarks68[45], left_eye_inner: landmarks68[42], right_eye_outer: landmarks68[36], right_eye_inner: landmarks68[39],
    left_brow_center: landmarks68[24], right_brow_center: landmarks68[19],
    mouth_left: landmarks68[54], mouth_right: landmarks68[48], upper_lip: landmarks68[51], lower_lip: landmarks68[57], chin: landmarks68[8],
    forehead_center: foreheadCentre, left_cheek: cheekLV, right_cheek: cheekRV, left_temple: templeL, right_temple: templeR,
  };
  for (const side of ['left', 'right'] as const) {
    // The eye centre: the front-most vertex of the eyeball (the pupil).
    let best = -1;
    for (let v = 0; v < V; v++) if (part[v] === eyeball[side] && (best < 0 || mean[v * 3 + 2] > mean[best * 3 + 2])) best = v;
    landmarks[`${side}_eye_center`] = best;
  }
  landmarks68.forEach((v, i) => { landmarks[`ibug_${String(i).padStart(2, '0')}`] = v; });
  for (const [name, list] of Object.entries({ forehead: foreheadCentre, left_cheek: cheekLV, right_cheek: cheekRV, left_temple: templeL, right_temple: templeR })) {
    if (!lists[name].includes(list)) lists[name].push(list);
  }

  // Face: everything a viewer calls the face, whatever its mesh part (skin, eyeballs, mouth socket):
  // below the hairline, in front of the ears (the jaw contour's ends) and above the jaw contour
  // (iBUG 0–16, interpolated in x; 10 mm below it for the underside of the chin and jaw), so that
  // scalp, ears and neck are left out.
  const jaw = range(0, 16).map(L).sort((a, b) => a[0] - b[0]);
  const jawY = (x: number): number => {
    if (x <= jaw[0][0]) return jaw[0][1];
    for (let i = 0; i + 1 < jaw.length; i++) {
      const [a, b] = [jaw[i], jaw[i + 1]];
      if (x <= b[0]) return a[1] + ((x - a[0]) / Math.max(b[0] - a[0], 1e-6)) * (b[1] - a[1]);
    }
    return jaw[jaw.length - 1][1];
  };
  const earZ0 = Math.min(L(0)[2], L(16)[2]);
  lists.face = [];
  for (let v = 0; v < V; v++) {
    const [x, y, z] = P(v);
    if (y < hairline - 15 && z > earZ0 && y >= jawY(x) - 10) lists.face.push(v);
  }
  lists.eyes = [...lists.left_eye, ...lists.right_eye];
  lists.brow = [...lists.left_brow, ...lists.right_brow];
  lists.cheek = [...lists.left_cheek, ...lists.right_cheek];
  lists.temple = [...lists.left_temple, ...lists.right_temple];

  // Scalp: above the hairline, and the back of the skull above the neck; a 15–20 mm ramp.
  const earY = L(0)[1], earZ = L(0)[2];
  const scalp = new Float32Array(V);
  lists.scalp = [];
  for (let v = 0; v < V; v++) {
    if (!skinParts.has(part[v])) continue;
    const [, y, z] = P(v);
    const top = smoothstep((y - (hairline - 15)) / 15);
    const back = smoothstep((earZ - 5 - z) / 20) * smoothstep((y - (earY - 10)) / 20);
    scalp[v] = Math.max(top, back);
    if (scalp[v] >= 1) lists.scalp.push(v);
  }
  const regions: Record<string, Uint32Array> = {};
  for (const [k, l] of Object.entries(lists)) regions[k] = Uint32Array.from(new Set(l)).sort();
  const named: Record<string, number[]> = {
    ...anchors,
    forehead: [], left_cheek: [], right_cheek: [], left_temple: [], right_temple: [],
  };
  return { regions, landmarks, scalp, hairlineY: hairline, regionAnchors: named };
}
