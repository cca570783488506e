/**
 * `npm run bench:render`: images/s of the software renderer at 64 and 224 px on 1 and 2 threads
 * (built-in model BENCH_FACE_MODEL, default ict; a new pose and light per image, a new identity every 256 images), and, in the
 * same run, three.js rendering the same mesh at the same sizes in headless Chromium (software
 * WebGL: ANGLE on SwiftShader) as the anchor. The last line is one JSON object with every figure.
 */
import { execSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { loadBuiltinFaceModel, sampleIdentities } from '../workers/faces';
import { Rasterizer, identityGeometry } from '../workers/render';
import { IMAGES_PER_IDENTITY, renderLoop, BENCH_FACE_MODEL } from './render-loop';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function ours1t(size: number) {
  const loop = renderLoop(size);
  loop(500);
  return loop(DURATION_MS);
}

/** Two worker threads started together; CPU time from process.cpuUsage (both threads; the main thread waits). */
async function ours2t(size: number): Promise<{ images: number; seconds: number; cpuSeconds: number }> {
  const url = new URL('./render-worker.mjs', import.meta.url);
  const workers = [0, 1].map(() => new Worker(url, { workerData: { size, durationMs: DURATION_MS } }));
  await Promise.all(workers.map((w) => new Promise<void>((res, rej) => { w.once('message', () => res()); w.once('error', rej); })));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const results = await Promise.all(workers.map((w) => new Promise<{ images: number }>((res) => { w.once('message', res); w.postMessage('go'); })));
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  await Promise.all(workers.map((w) => w.terminate()));
  return { images: results.reduce((s, r) => s + r.images, 0), seconds, cpuSeconds: (c.user + c.system) / 1e6 };
}

async function threejs(sizes: number[]): Promise<Record<number, { images: number; seconds: number; renderer: string }>> {
  const bundle = await build({ entryPoints: [path.join(import.meta.dirname, 'render-three-page.ts')], bundle: true, write: false, format: 'iife', minify: true, logLevel: 'silent' });
  const script = bundle.outputFiles[0].text;
  const model = loadBuiltinFaceModel(BENCH_FACE_MODEL);
  const [id] = sampleIdentities(model, { count: 1, seed: 1 });
  const g = identityGeometry(model, id);
  const mesh = { positions: Array.from(g.positions), normals: Array.from(g.normals), albedo: Array.from(g.albedo), triangles: Array.from(model.triangles) };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] });
  try {
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><html><body><script>${script.replace(/<\/script/g, '<\\/script')}</script></body></html>`);
    const out: Record<number, { images: number; seconds: number; renderer: string }> = {};
    for (const size of sizes) {
      out[size] = await page.evaluate(([m, s, d]) => (window as unknown as { runThreeBench: (m: unknown, s: number, d: number) => Promise<{ images: number; seconds: number; renderer: string }> }).runThreeBench(m, s, d), [mesh, size, DURATION_MS] as const);
    }
    return out;
  } finally {
    await browser.close();
  }
}

async function main() {
  const model = loadBuiltinFaceModel(BENCH_FACE_MODEL);
  const figures: Record<string, number | string> = {
    model: BENCH_FACE_MODEL, vertices: model.vertexCount, triangles: model.triangleCount, images_per_identity: IMAGES_PER_IDENTITY, duration_s: DURATION_MS / 1000,
    cpus: os.cpus().length, load_average_1m_start: Number(os.loadavg()[0].toFixed(2)),
    engine: new Rasterizer(model.triangles, model.vertexCount, 8, 1).engine, // 'wasm' (raster.c) or 'js'
  };
  for (const size of [64, 224]) {
    const r1 = ours1t(size);
    figures[`images_per_s_${size}_1t`] = Math.round(r1.images / r1.seconds);
    figures[`images_per_cpu_s_${size}_1t`] = Math.round(r1.images / r1.cpuSeconds);
    process.stdout.write(`ours ${size} px, 1 thread: ${figures[`images_per_s_${size}_1t`]} images/s (${figures[`images_per_cpu_s_${size}_1t`]} per CPU-second)\n`);
    const r2 = await ours2t(size);
    figures[`images_per_s_${size}_2t`] = Math.round(r2.images / r2.seconds);
    figures[`images_per_cpu_s_${size}_2t`] = Math.round(r2.images / r2.cpuSeconds);
    process.stdout.write(`ours ${size} px, 2 threads: ${figures[`images_per_s_${size}_2t`]} images/s (${figures[`images_per_cpu_s_${size}_2t`]} per CPU-second)\n`);
  }
  try {
    const three = await threejs([64, 224]);
    for (const size of [64, 224]) {
      const t = three[size];
      figures[`threejs_images_per_s_${size}`] = Math.round(t.images / t.seconds);
      figures[`ratio_vs_threejs_${size}`] = Number(((figures[`images_per_s_${size}_1t`] as number) / (t.images / t.seconds)).toFixed(2));
      figures[`ratio_2t_vs_threejs_${size}`] = Number(((figures[`images_per_s_${size}_2t`] as number) / (t.images / t.seconds)).toFixed(2));
      figures.threejs_renderer = t.renderer;
      process.stdout.write(`three.js in Chromium ${size} px: ${figures[`threejs_images_per_s_${size}`]} images/s (${t.renderer}); ratio (ours 1 thread / three.js) ${figures[`ratio_vs_threejs_${size}`]}\n`);
    }
  } catch (e) {
    figures.threejs_error = (e as Error).message.split('\n')[0];
    process.stdout.write(`three.js anchor failed: ${figures.threejs_error}\n`);
  }
  figures.load_average_1m_end = Number(os.loadavg()[0].toFixed(2));
  try { figures.chromium = execSync(`${CHROMIUM} --version 2>/dev/null`, { encoding: 'utf8' }).trim(); } catch { /* absent */ }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().then(() => process.exit(0), (e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
