import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { demographicNorm, loadDefaultFaceModel, sampleIdentities } from '../../workers/faces';
import {
  CAMERA_DISTANCE_MM, Rasterizer, StimulusRenderer, encodePng, focalLengthPx, poseMatrix, renderStimulus, resolveRenderOptions,
} from '../../workers/render';

/** A flat quad (two triangles, counter-clockwise seen from +z) of side `side` mm at depth z, colour c. */
function quad(side: number, z: number, c: number[], offset = 0) {
  const h = side / 2;
  const positions = Float32Array.from([-h, -h, z, h, -h, z, h, h, z, -h, h, z]);
  const triangles = Uint32Array.from([0, 1, 2, 0, 2, 3].map((i) => i + offset));
  const normals = Float32Array.from([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  const albedo = Float32Array.from([...c, ...c, ...c, ...c]);
  return { positions, triangles, normals, albedo };
}
function concat<T extends Float32Array | Uint32Array>(a: T, b: T): T {
  const out = new (a.constructor as new (n: number) => T)(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
const flatLight = { ambient: 1, lightIntensity: 0, background: { kind: 'flat' as const, color: [0, 0, 0] as [number, number, number] } };

describe('rasteriser geometry', () => {
  it('covers the expected pixel area of a square at known depth within 1%', () => {
    for (const [size, side, z, roll] of [[256, 100, 0, 20], [256, 60, 200, 33], [64, 150, -100, 10]]) {
      const q = quad(side, z, [1, 1, 1]);
      const r = new Rasterizer(q.triangles, 4, 256, 1);
      const o = resolveRenderOptions({ size, roll, ids: true, ...flatLight });
      const out = r.render(q.positions, q.normals, q.albedo, o, r.createOutput(size, true));
      const covered = out.triangleId!.reduce((s, t) => s + (t >= 0 ? 1 : 0), 0);
      const sidePx = (focalLengthPx(size, 1) * side) / (CAMERA_DISTANCE_MM - z);
      expect(Math.abs(covered / sidePx ** 2 - 1), `size ${size} side ${side}`).toBeLessThan(0.01);
    }
  });

  it('hides a far triangle behind a near one, whatever the drawing order', () => {
    const near = quad(80, 50, [1, 0, 0]);
    const far = quad(120, -50, [0, 0, 1]);
    for (const [first, second, nearOffset] of [[near, far, 0], [far, near, 2]] as const) {
      const positions = concat(first.positions, second.positions);
      const triangles = concat(first.triangles, quad(0, 0, [0, 0, 0], 4).triangles);
      const r = new Rasterizer(triangles, 8, 64, 1);
      const o = resolveRenderOptions({ size: 64, ids: true, ...flatLight });
      const out = r.render(positions, concat(first.normals, second.normals), concat(first.albedo, second.albedo), o, r.createOutput(64, true));
      const centre = 32 * 64 + 32;
      expect(out.rgb[centre * 3]).toBeGreaterThan(0.99); // red: the near quad
      expect(out.rgb[centre * 3 + 2]).toBeLessThan(0.01);
      expect([nearOffset, nearOffset + 1]).toContain(out.triangleId![centre]);
      const corner = 19 * 64 + 19; // outside the near quad (21.5..42.5 px), inside the far one (18.1..45.9 px)
      expect(out.rgb[corner * 3 + 2]).toBeGreaterThan(0.99);
    }
  });

  it('returns barycentrics that reproject to the pixel centre', () => {
    const model = loadDefaultFaceModel();
    const [id] = sampleIdentities(model, { count: 1, seed: 2 });
    const r = new StimulusRenderer(model);
    const o = resolveRenderOptions({ size: 64, yaw: 20, pitch: 5, ids: true });
    const out = r.render(id, o);
    const g = r.geometryOf(id);
    const R = poseMatrix(20, 5, 0);
    const f = focalLengthPx(64, 1);
    let checked = 0, worst = 0;
    for (let p = 0; p < 64 * 64; p += 7) {
      const t = out.triangleId![p];
      if (t < 0) continue;
      const b1 = out.barycentric![p * 2], b2 = out.barycentric![p * 2 + 1];
      const w = [1 - b1 - b2, b1, b2];
      expect(Math.min(...w)).toBeGreaterThan(-1e-4);
      let sx = 0, sy = 0;
      for (let k = 0; k < 3; k++) {
        const v = model.triangles[t * 3 + k] * 3;
        const [x, y, z] = [g.positions[v], g.positions[v + 1], g.positions[v + 2]];
        const X = R[0] * x + R[1] * y + R[2] * z, Y = R[3] * x + R[4] * y + R[5] * z, Z = R[6] * x + R[7] * y + R[8] * z;
        sx += w[k] * (32 + (f * X) / (CAMERA_DISTANCE_MM - Z));
        sy += w[k] * (32 - (f * Y) / (CAMERA_DISTANCE_MM - Z));
      }
      worst = Math.max(worst, Math.hypot(sx - ((p % 64) + 0.5), sy - (Math.floor(p / 64) + 0.5)));
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('stimulus rendering', () => {
  const model = loadDefaultFaceModel();
  const mean = demographicNorm(model, { gender: 0, age: 40, ethnicity: [1 / 3, 1 / 3, 1 / 3] });
  const brightness = (rgb: Float32Array, size: number, x0: number, x1: number) => {
    let s = 0, n = 0;
    for (let y = 0; y < size; y++) for (let x = x0; x < x1; x++) { const p = (y * size + x) * 3; s += rgb[p] + rgb[p + 1] + rgb[p + 2]; n++; }
    return s / n;
  };

  it('makes the lit side brighter than the other', () => {
    const bg = { kind: 'flat' as const, color: [0, 0, 0] as [number, number, number] };
    const right = renderStimulus(model, mean, { size: 64, lightAzimuth: 70, lightElevation: 0, background: bg });
    const left = renderStimulus(model, mean, { size: 64, lightAzimuth: -70, lightElevation: 0, background: bg });
    expect(brightness(right.rgb, 64, 36, 52)).toBeGreaterThan(1.5 * brightness(right.rgb, 64, 12, 28));
    expect(brightness(left.rgb, 64, 12, 28)).toBeGreaterThan(1.5 * brightness(left.rgb, 64, 36, 52));
  });

  it('lights with spherical harmonics: a band-0 environment is even, a band-1 term lights one side', () => {
    const bg = { kind: 'flat' as const, color: [0, 0, 0] as [number, number, number] };
    const sh = (dc: number, x: number) => [0, 9, 18].flatMap(() => [dc, 0, 0, x, 0, 0, 0, 0, 0]);
    const even = renderStimulus(model, mean, { size: 64, sh: sh(0.8, 0), background: bg }).rgb;
    const l = brightness(even, 64, 12, 28), r = brightness(even, 64, 36, 52);
    expect(Math.abs(l - r) / (l + r)).toBeLessThan(0.05);
    const side = renderStimulus(model, mean, { size: 64, sh: sh(0.6, 0.5), background: bg }).rgb;
    expect(brightness(side, 64, 36, 52)).toBeGreaterThan(1.3 * brightness(side, 64, 12, 28));
  });

  it('mirrors yaw +θ into yaw −θ for the symmetric mean face', () => {
    const size = 96;
    const a = renderStimulus(model, mean, { size, yaw: 30, lightAzimuth: 0 }).rgb;
    const b = renderStimulus(model, mean, { size, yaw: -30, lightAzimuth: 0 }).rgb;
    let sum = 0, big = 0;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) {
      const d = Math.abs(a[(y * size + x) * 3 + c] - b[(y * size + (size - 1 - x)) * 3 + c]);
      sum += d;
      if (d > 2 / 255) big++;
    }
    expect(sum / (size * size * 3)).toBeLessThan(0.002);
    expect(big / (size * size * 3)).toBeLessThan(0.01);
    expect(brightness(a, size, 0, size)).toBeGreaterThan(0.3); // it drew something
  });

  it('gives identical bytes for the same seed and options, different bytes for a different noise seed', () => {
    const [id] = sampleIdentities(model, { count: 1, seed: 9 });
    const opts = { size: 64, yaw: 12, ssaa: 2, background: { kind: 'noise' as const, mean: 0.5, amplitude: 0.2, seed: 4 } };
    const a = renderStimulus(model, id, opts).uint8;
    const [id2] = sampleIdentities(model, { count: 1, seed: 9 });
    const b = new StimulusRenderer(model).render(id2, opts).rgb;
    expect(Buffer.from(a).equals(Buffer.from(b.map((x) => Math.round(x * 255))))).toBe(true);
    const c = renderStimulus(model, id, { ...opts, background: { ...opts.background, seed: 5 } }).uint8;
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('rejects bad options naming the field and range', () => {
    expect(() => renderStimulus(model, mean, { size: 300 })).toThrow(/'size'.*256/);
    expect(() => renderStimulus(model, mean, { yaw: 120 })).toThrow(/'yaw'/);
    expect(() => renderStimulus(model, mean, { ssaa: 2, ids: true })).toThrow(/'ids'/);
    expect(() => renderStimulus(model, { ...mean, shape: new Float32Array(3) })).toThrow(/identity.shape has 3/);
  });

  it('encodes a valid PNG', () => {
    const img = renderStimulus(model, mean, { size: 32 }).uint8;
    const png = encodePng(img, 32, 32);
    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const dv = new DataView(png.buffer, png.byteOffset);
    expect([dv.getUint32(16), dv.getUint32(20)]).toEqual([32, 32]);
    const idatLen = dv.getUint32(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe(32 * (32 * 3 + 1));
    expect(Buffer.from(raw.subarray(1, 97)).equals(Buffer.from(img.subarray(0, 96)))).toBe(true);
  });
});

describe('attribution back to the mesh', () => {
  it('carries a pixel map onto the vertices that the pixels show', async () => {
    const { pixelsToVertices } = await import('../../workers/render');
    const model = loadDefaultFaceModel();
    const mean = demographicNorm(model, { gender: 0, age: 40, ethnicity: [1 / 3, 1 / 3, 1 / 3] });
    const r = renderStimulus(model, mean, { size: 64, ids: true });
    // A map that is 1 on the image's right half (the subject's left) and 0 elsewhere.
    const map = Float32Array.from({ length: 64 * 64 }, (_, p) => (p % 64 >= 32 ? 1 : 0));
    const { values, weight } = pixelsToVertices(model.triangles, model.vertexCount, r.triangleId!, r.barycentric!, map);
    const le = model.landmarks.left_eye_center, re = model.landmarks.right_eye_center;
    expect(weight[le]).toBeGreaterThan(0);
    expect(values[le]).toBeCloseTo(1, 5);
    expect(values[re]).toBeCloseTo(0, 5);
    // The back of the head is not seen.
    let back = -1;
    for (let v = 0; v < model.vertexCount && back < 0; v++) if (model.mean[v * 3 + 2] < -20 && model.mean[v * 3 + 1] > 20) back = v;
    expect(back).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(values[back])).toBe(true);
    expect(() => pixelsToVertices(model.triangles, model.vertexCount, r.triangleId!, r.barycentric!, new Float32Array(5))).toThrow(/pixelValues has 5/);
  });
});
