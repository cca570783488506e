/**
 * The measured loop of bench/render.ts: the default model, 8 identities, a new identity every 256
 * images (its geometry recomputed, as when a dataset renders M = 256 images per identity; the paper's
 * design has ~13,000 per identity), and a new
 * pose and light for every image. Returns images rendered, wall seconds and CPU seconds.
 */
import { loadBuiltinFaceModel, sampleIdentities } from '../workers/faces';
import { StimulusRenderer, prepareRenderOptions } from '../workers/render';

export const IMAGES_PER_IDENTITY = 256;
/** The built-in face model rendered: BENCH_FACE_MODEL (ict, the default for new experiments, or procedural). */
export const BENCH_FACE_MODEL = process.env.BENCH_FACE_MODEL ?? 'ict';

export function renderLoop(size: number): (durationMs: number) => { images: number; seconds: number; cpuSeconds: number } {
  const model = loadBuiltinFaceModel(BENCH_FACE_MODEL);
  const ids = sampleIdentities(model, { count: 8, seed: 1 });
  const renderer = new StimulusRenderer(model, size, 1);
  const base = prepareRenderOptions({ size });
  let n = 0;
  return (durationMs: number) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let images = 0;
    let sink = 0;
    while (performance.now() - t0 < durationMs) {
      for (let k = 0; k < 16; k++, n++, images++) {
        const o = { ...base, yaw: (n % 61) - 30, pitch: (n % 21) - 10, lightAzimuth: (n % 91) - 45 };
        const out = renderer.render(ids[Math.floor(n / IMAGES_PER_IDENTITY) % ids.length], o);
        sink += out.rgb[(size * size * 3) >> 1];
      }
    }
    const c = process.cpuUsage(c0);
    if (sink < 0) console.log(sink);
    return { images, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
  };
}
