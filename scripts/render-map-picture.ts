/**
 * A picture of a finished run's reverse-correlation maps on its face model's mean face, for the
 * docs: for each map (rows), the face at −45°, 0° and +45° yaw (columns), significant vertices
 * coloured by bits (dark red → yellow, 0 → the map's peak), the rest grey; and, per map, the share of
 * significant vertices on the face region (scalp, neck and ears excluded).
 *   npx tsx scripts/render-map-picture.ts <artifacts dir> <result key> [out.png] [--maps shape.logit,texture.logit]
 * Reads the run's result bundle (finalise's result.json), its face-model.bin and the maps' arrays.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { computeVertexNormals, decodeFaceModel } from '../workers/faces';
import { Rasterizer, resolveRenderOptions, tileImages, toUint8, writePng } from '../workers/render';
import { significantOnFace } from '../workers/analyses';

const [dir, resultKey, outArg] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--maps');
if (!dir || !resultKey) throw new Error('usage: npx tsx scripts/render-map-picture.ts <artifacts dir> <result key> [out.png] [--maps a,b]');
const mapsArg = process.argv.indexOf('--maps');
const wanted = mapsArg > 0 ? process.argv[mapsArg + 1]!.split(',') : ['shape.logit', 'texture.logit'];
const out = outArg ?? 'docs/analyses/demo-rc-maps.png';
const blob = (key: string) => readFileSync(path.join(dir, key.slice(0, 2), key.slice(2, 4), key));
type Step = { artifacts: { name: string; key: string }[] };
const result = JSON.parse(blob(resultKey).toString('utf8')) as { steps: Record<string, Step> };
const art = (step: string, name: string) => {
  const a = result.steps[step]?.artifacts.find((x) => x.name === name);
  if (!a) throw new Error(`${step}: no artifact '${name}'`);
  return blob(a.key);
};
const model = decodeFaceModel(new Uint8Array(art('sample-identities', 'face-model.bin')), 'face-model.bin');
const summary = JSON.parse(art('analysis-reverse-correlation', 'summary.json').toString('utf8')) as {
  maps: { name: string; maxBits: number; significant: number; arrays: { mi: { file: string }; significant: { file: string } } }[];
};
const normals = computeVertexNormals(model.mean, model.triangles);
const size = 256;
const raster = new Rasterizer(model.triangles, model.vertexCount, size, 2);
const images: Uint8Array[] = [];
for (const name of wanted) {
  const m = summary.maps.find((x) => x.name === name);
  if (!m) throw new Error(`no map '${name}' (have ${summary.maps.map((x) => x.name).join(', ')})`);
  const f32 = art('analysis-reverse-correlation', m.arrays.mi.file);
  const mi = new Float32Array(f32.buffer, f32.byteOffset, f32.byteLength / 4);
  const sig = new Uint8Array(art('analysis-reverse-correlation', m.arrays.significant.file));
  const albedo = new Float32Array(model.vertexCount * 3).fill(0.45);
  for (let v = 0; v < model.vertexCount; v++) {
    if (!sig[v]) continue;
    const t = Math.max(0, Math.min(1, mi[v]! / m.maxBits));
    albedo.set([0.55 + 0.45 * t, 0.08 + 0.85 * t * t, 0.05], v * 3);
  }
  for (const yaw of [-45, 0, 45]) {
    const o = resolveRenderOptions({ size, ssaa: 2, yaw, lightAzimuth: 20, lightElevation: 25 });
    images.push(toUint8(raster.render(model.mean, normals, albedo, o, raster.createOutput(size)).rgb).slice());
  }
  const face = significantOnFace(sig, model.regions.face ?? []);
  console.log(`${name}: ${m.significant} significant vertices, peak ${m.maxBits.toFixed(3)} bits, ${face.significant} on the face (${face.share === null ? '—' : (100 * face.share).toFixed(1) + ' %'})`);
}
const g = tileImages(images, size, 3);
writePng(out, g.rgb, g.width, g.height);
console.log(`wrote ${out} (${g.width}×${g.height})`);
