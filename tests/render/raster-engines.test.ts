// The WebAssembly passes of the rasteriser (raster.c) give the same bytes as the JavaScript passes,
// and the committed raster-wasm.ts is what raster.c builds to.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuiltinFaceModel, sampleIdentities } from '../../workers/faces';
import { FIELD_OF_VIEW_MM, Rasterizer, StimulusRenderer, resolveRenderOptions, type RenderOutput } from '../../workers/render';

function digest(out: RenderOutput): string {
  const h = createHash('sha256');
  h.update(Buffer.from(out.rgb.buffer, out.rgb.byteOffset, out.rgb.byteLength));
  if (out.triangleId) h.update(Buffer.from(out.triangleId.buffer, out.triangleId.byteOffset, out.triangleId.byteLength));
  if (out.barycentric) h.update(Buffer.from(out.barycentric.buffer, out.barycentric.byteOffset, out.barycentric.byteLength));
  return h.digest('hex');
}

describe('rasteriser engines', () => {
  const model = loadBuiltinFaceModel('ict');
  const ids = sampleIdentities(model, { count: 2, seed: 3 });
  const geometry = new StimulusRenderer(model, 64, 1).geometryOf(ids[0]);
  const g = { positions: geometry.positions.slice(), normals: geometry.normals.slice(), albedo: geometry.albedo.slice() };

  it('uses WebAssembly by default and JavaScript on request', () => {
    expect(new Rasterizer(model.triangles, model.vertexCount, 64, 1).engine).toBe('wasm');
    expect(new Rasterizer(model.triangles, model.vertexCount, 64, 1, 'js').engine).toBe('js');
  });

  it('gives byte-identical images, triangle ids and barycentrics over poses, sizes, zooms, supersampling, lights and backgrounds', () => {
    const js = new Rasterizer(model.triangles, model.vertexCount, 128, 2, 'js');
    const wasm = new Rasterizer(model.triangles, model.vertexCount, 128, 2);
    const cases = [
      { size: 64, ids: true }, { size: 128, ids: true }, { size: 64, ssaa: 2 }, { size: 32, scale: 4, roll: 25, ids: true },
      { size: 64, translateX: 0.45, translateY: -0.4, ids: true }, // partly off the image
      { size: 64, scale: 0.2, ids: true }, // every triangle far below a pixel
      { size: 64, sh: Array.from({ length: 27 }, (_, i) => (i % 9 === 0 ? 0.8 : 0.2 * Math.sin(i))) },
      { size: 64, lightColor: [1, 0.8, 0.6] as [number, number, number], ambient: 0.3, ambientColor: [0.5, 0.6, 1] as [number, number, number], background: { kind: 'flat' as const, color: [0.1, 0.7, 0.2] as [number, number, number] } },
      { size: 64, background: { kind: 'noise' as const, seed: 4, mean: 0.5, amplitude: 0.3 } },
      { size: 32, ssaa: 2, background: { kind: 'noise' as const, seed: 5, mean: 0.4, amplitude: 0.2 } },
    ];
    let compared = 0, covered = 0;
    for (const c of cases) {
      for (let n = 0; n < 6; n++) {
        const o = resolveRenderOptions({ ...c, yaw: n * 17 - 45, pitch: n * 7 - 20, lightAzimuth: n * 13 - 30 });
        const a = js.render(g.positions, g.normals, g.albedo, o, js.createOutput(o.size, o.ids));
        const b = wasm.render(g.positions, g.normals, g.albedo, o, wasm.createOutput(o.size, o.ids));
        expect(digest(b), `${JSON.stringify(c)} #${n}`).toBe(digest(a));
        if (a.triangleId) covered += a.triangleId.filter((t) => t >= 0).length;
        compared++;
      }
    }
    expect(compared).toBe(60);
    expect(covered).toBeGreaterThan(10_000); // the faces were drawn, not two empty images
  });

  it('applies the top-left rule as the JavaScript pass where edges run exactly through pixel centres', () => {
    // Fans of triangles around the model origin, which projects exactly onto the centre of pixel (32, 32)
    // (translate 0.5 / 64): every spoke is an edge with w = 0 there; rings of radius 0.3 to 2.5 px
    // give one-, two- and many-pixel boxes.
    const spokes = 12, ringsPx = [0.3, 0.7, 1.2, 2.5];
    let centreOwned = 0;
    for (const scale of [1, 2.5, 5]) {
      const mmPerPx = FIELD_OF_VIEW_MM / 64 / scale;
      const pos: number[] = [0, 0, 0], tris: number[] = [];
      for (const [ri, r] of ringsPx.entries()) {
        for (let k = 0; k < spokes; k++) {
          const a = (2 * Math.PI * k) / spokes + ri * 0.1;
          pos.push(r * mmPerPx * Math.cos(a), r * mmPerPx * Math.sin(a), 0);
        }
        const o = 1 + ri * spokes;
        for (let k = 0; k < spokes; k++) tris.push(0, o + k, o + ((k + 1) % spokes), 0, o + ((k + 1) % spokes), o + k);
      }
      const V = pos.length / 3, positions = Float32Array.from(pos), normals = new Float32Array(V * 3).fill(0.577), albedo = new Float32Array(V * 3).fill(0.5);
      const js = new Rasterizer(Uint32Array.from(tris), V, 64, 1, 'js'), wasm = new Rasterizer(Uint32Array.from(tris), V, 64, 1);
      const o = resolveRenderOptions({ size: 64, scale, translateX: 0.5 / 64, translateY: 0.5 / 64, ids: true });
      const a = js.render(positions, normals, albedo, o, js.createOutput(64, true));
      const b = wasm.render(positions, normals, albedo, o, wasm.createOutput(64, true));
      expect(digest(b), `scale ${scale}`).toBe(digest(a));
      if (a.triangleId![32 * 64 + 32] >= 0) centreOwned++;
    }
    expect(centreOwned).toBe(3); // the shared centre pixel is drawn (by one triangle of each fan)
  });

  it('projects exactly as the JavaScript pass, vertex by vertex, including behind the near plane and NaN', () => {
    // The special vertices first and again last: both the 4-wide SIMD body and the scalar tail see them.
    const special = [0, 0, 795, Number.NaN, 0, 0, 1e30, -1e30, 5, 0, 0, 900, 0, 0, 0, 10, -20, 30, 130.25, -99.75, 60];
    const positions = Float32Array.from([...special, ...special.slice(0, 9)]);
    const V = positions.length / 3;
    const tris = Uint32Array.from([0, 1, 2]);
    const js = new Rasterizer(tris, V, 64, 1, 'js') as unknown as { transform: (p: Float32Array, o: unknown, S: number) => void; sx: Float32Array; sy: Float32Array; iz: Float32Array; cell: Int32Array };
    const wasm = new Rasterizer(tris, V, 64, 1) as unknown as typeof js;
    for (const yaw of [0, 33, -70]) {
      const o = resolveRenderOptions({ size: 64, yaw, pitch: 11, roll: -5 });
      js.transform(positions, o, 64);
      wasm.transform(positions, o, 64);
      for (const k of ['sx', 'sy', 'iz', 'cell'] as const) expect(Array.from(wasm[k]), `${k} yaw ${yaw}`).toEqual(Array.from(js[k]));
    }
  });

  it('renders an identity the same after rendering another geometry (the cached positions are not overwritten)', () => {
    const r = new StimulusRenderer(model, 64, 1);
    const o = resolveRenderOptions({ size: 64, yaw: 10 });
    const first = digest(r.render(ids[1], o));
    r.renderGeometry(g, o);
    expect(digest(r.render(ids[1], o))).toBe(first);
  });
});

const hasClang = spawnSync('clang-14', ['--version']).status === 0 && spawnSync('wasm-ld-14', ['--version']).status === 0;
describe.skipIf(!hasClang)('workers/render wasm build (needs clang-14, lld-14)', () => {
  it('a rebuild of raster.c reproduces the committed raster-wasm.ts byte for byte', () => {
    const dir = path.resolve(__dirname, '../../workers/render');
    const out = mkdtempSync(path.join(tmpdir(), 'render-wasm-'));
    try {
      execFileSync('sh', [path.join(dir, 'build-raster-wasm.sh')], { env: { ...process.env, OUT: out }, stdio: 'pipe' });
      expect(readFileSync(path.join(out, 'raster-wasm.ts'), 'utf8')).toBe(readFileSync(path.join(dir, 'raster-wasm.ts'), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
