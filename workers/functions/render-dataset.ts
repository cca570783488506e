import { bytesOf, readFaces } from './artifacts';
import { defineWorkerFunction, throwIfAborted } from './define';

/** A uniform draw in [lo, hi] from a [0, 1) source. */
/** The gallery on the run dashboard: how many identities, and images of each, get their own PNG. */
const GALLERY_IDENTITIES = 8;
const GALLERY_PER_IDENTITY = 6;
const uniform = (rng: () => number, [lo, hi]: readonly [number, number] | [number, number]) => lo + (hi - lo) * rng();

/**
 * Step 2: the training dataset: M images per identity, each extrinsic factor drawn uniformly from
 * the configured range. Image (identity k, j) depends only on (seed, k, j), so any image can be
 * re-rendered exactly. The last ⌈M · validationFraction⌉ images of each identity are validation.
 * Writes images.u8 [n][S][S][3], labels.i32 [n], split.u8 [n] and factors.json.
 */
export const renderDataset = defineWorkerFunction({
  id: 'render-dataset',
  title: 'Render dataset',
  retries: 2,
  async run(ctx) {
    const { createRng, hashInts, emotionWeights } = await import('../faces');
    const { StimulusRenderer, prepareRenderOptions, encodePng, tileImages } = await import('../render');
    const { config } = ctx.input;
    const r = config.render;
    const { model, identities } = await readFaces(ctx);
    const S = r.sizePx;
    const M = r.imagesPerIdentity;
    const n = identities.length * M;
    const images = new Uint8Array(n * S * S * 3);
    const labels = new Int32Array(n);
    const split = new Uint8Array(n);
    const validationPerIdentity = Math.min(M - 1, Math.ceil(M * r.validationFraction));
    const factors: Record<string, number>[] = [];
    const renderer = new StimulusRenderer(model, S);
    const base = prepareRenderOptions({ size: S });
    const started = Date.now();
    for (let k = 0; k < identities.length; k++) {
      throwIfAborted(ctx.signal);
      const identity = identities[k]!;
      for (let j = 0; j < M; j++) {
        const i = k * M + j;
        const rng = createRng(hashInts(config.seed, 0xda7a5e7, k, j));
        const f = {
          yaw: uniform(rng, r.yawDeg),
          pitch: uniform(rng, r.pitchDeg),
          roll: uniform(rng, r.rollDeg),
          lightAzimuth: uniform(rng, r.lightAzimuthDeg),
          lightElevation: uniform(rng, r.lightElevationDeg),
          scale: uniform(rng, r.scale),
          translateX: uniform(rng, [-r.translatePx, r.translatePx]) / S,
          translateY: uniform(rng, [-r.translatePx, r.translatePx]) / S,
        };
        // Expression factor, drawn after the pose/light draws so configs without it render as before.
        const withEmotion = r.emotions.length > 1 || r.emotions[0] !== 'neutral';
        const emotion = withEmotion ? Math.min(r.emotions.length - 1, Math.floor(rng() * r.emotions.length)) : 0;
        const intensity = withEmotion ? uniform(rng, r.expressionIntensity) : 0;
        const weights = withEmotion ? emotionWeights(model.expressionNames, r.emotions[emotion]!, intensity) : identity.expression;
        const background =
          r.background === 'noise'
            ? { kind: 'noise' as const, mean: 0.5, amplitude: 0.25, seed: hashInts(config.seed, 0xb6, i) }
            : base.background;
        // renderExpression keeps the identity's neutral face cached and adds only the expression.
        const out = renderer.renderExpression(identity, weights, { ...base, ...f, background });
        const px = out.rgb;
        const dst = i * S * S * 3;
        for (let e = 0; e < S * S * 3; e++) images[dst + e] = Math.round(Math.min(1, Math.max(0, px[e]!)) * 255);
        labels[i] = k;
        split[i] = j >= M - validationPerIdentity ? 1 : 0;
        factors.push({ identity: k, ...f, ...(withEmotion ? { emotion, expressionIntensity: intensity } : {}) });
      }
      const done = (k + 1) * M;
      const rate = done / Math.max(1e-3, (Date.now() - started) / 1000);
      ctx.progress((k + 1) / identities.length, k % 10 === 9 || k === identities.length - 1 ? `${done}/${n} images, ${rate.toFixed(0)} images/s` : undefined);
    }
    await ctx.putArtifact('images.u8', images);
    await ctx.putArtifact('labels.i32', bytesOf(labels));
    await ctx.putArtifact('split.u8', split);
    await ctx.putJson('factors.json', factors);
    // A contact sheet for the UI: up to 4 images of each of the first 8 identities.
    const tiles: Uint8Array[] = [];
    for (let k = 0; k < Math.min(8, identities.length); k++)
      for (let j = 0; j < Math.min(4, M); j++) tiles.push(images.subarray((k * M + j) * S * S * 3, (k * M + j + 1) * S * S * 3));
    const sheet = tileImages(tiles, S, Math.min(4, M));
    await ctx.putArtifact('preview.png', encodePng(sheet.rgb, sheet.width, sheet.height), 'image/png');
    // The dashboard's gallery: each image of the first GALLERY_IDENTITIES identities (up to
    // GALLERY_PER_IDENTITY each) as its own PNG, named by its index i into factors.json, whose
    // entry gives its identity and factor values (the captions).
    for (let k = 0; k < Math.min(GALLERY_IDENTITIES, identities.length); k++)
      for (let j = 0; j < Math.min(GALLERY_PER_IDENTITY, M); j++) {
        const i = k * M + j;
        await ctx.putArtifact(`stimuli/${i}.png`, encodePng(images.subarray(i * S * S * 3, (i + 1) * S * S * 3), S, S), 'image/png');
      }
    return { images: n, sizePx: S, identities: identities.length, validationImages: validationPerIdentity * identities.length };
  },
});
