/**
 * Regenerates docs/faces/grid.png: 24 identities of the built-in `ict` model (seed 1, balanced over
 * gender × 3 synthetic groups × 3 age bins), each frontal and at ±45° yaw, 224 px, then one row
 * with one image per emotion (identity 0). Run: `npx tsx scripts/render-faces-grid.ts [out.png]`.
 */
import { EMOTIONS, emotionWeights, loadBuiltinFaceModel, sampleIdentities } from '../workers/faces';
import { StimulusRenderer, tileImages, toUint8, writePng } from '../workers/render';

const out = process.argv[2] ?? 'docs/faces/grid.png';
const size = 224;
const model = loadBuiltinFaceModel('ict');
const ids = sampleIdentities(model, { count: 24, seed: 1 });
const r = new StimulusRenderer(model, size, 4);
const base = { size, ssaa: 2, lightAzimuth: 20, lightElevation: 25 };
const images: Uint8Array[] = [];
for (const id of ids) for (const yaw of [-45, 0, 45]) images.push(toUint8(r.render(id, { ...base, yaw }).rgb));
for (const emotion of EMOTIONS) {
  const id = { ...ids[0], expression: emotionWeights(model.expressionNames, emotion, 1) };
  images.push(toUint8(r.render(id, base).rgb));
}
const g = tileImages(images, size, 12);
writePng(out, g.rgb, g.width, g.height);
console.log(`wrote ${out} (${g.width}×${g.height}): ${ids.length} identities × 3 yaws + ${EMOTIONS.length} emotions; ${ids.map((i) => `${i.demographics.gender > 0 ? 'M' : 'F'}${Math.round(i.demographics.age)}${model.demographics.ethnicityGroups[i.demographics.ethnicity.indexOf(1)]}`).join(' ')}`);
