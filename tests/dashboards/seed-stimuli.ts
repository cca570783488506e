import { createHash } from 'node:crypto';
import { loadDefaultFaceModel, sampleIdentities, scaleIdentity } from '../../workers/faces';
import { encodePng, prepareRenderOptions, StimulusRenderer, toUint8 } from '../../workers/render';
import { HUMAN_RC_CAPTIONS, HUMAN_RC_FOLDER, HUMAN_RC_NOISE, HumanRcNoise, type Manifest } from '../../workers/contract';
import { drawNoise } from '../../workers/analyses/noise';
import { NoiseTrialRenderer } from '../../workers/analyses/trials';
import type { Db } from '../../server/db/client';
import { runSteps } from '../../server/db/schema';
import type { ArtifactStore } from '../../server/storage';

/**
 * Stored stimuli for a seeded run (human sessions, issue 15), rendered from the default face model:
 * a completed render step holding plain images of `identities` identities at yaws POSES_DEG
 * (stimuli/<i>.png, factors.json, as the render worker stores its gallery), and the graded
 * shape-only and texture-only changes at yaw 0 (scaleIdentity, the generalisation analysis's
 * shape-scale / texture-scale) at LEVELS, as the generalisation step stores them
 * (human-stimuli/<i>.png, human-factors.json = {identity, yaw, manipulation, level}).
 */
export const POSES_DEG = [-30, -15, 0, 15, 30];
export const LEVELS = [0, 0.5, 1, 1.5];

/**
 * Reverse-correlation stimuli as the analysis step stores them (workers/functions/analyses.ts):
 * identity 0's first `images` trials of a noise draw of `trials` trials (per-vertex texture noise
 * of sd `textureSd` on the face, seed `seed`), rendered by NoiseTrialRenderer at yaw 0 into
 * human-rc/<i>.png, human-rc.json captions and human-rc-noise.json (`network`: the artifact names
 * of a map of the run to compare with).
 */
export interface SeedRc {
  trials: number;
  images: number;
  textureSd?: number;
  seed?: number;
  network?: HumanRcNoise['network'];
}

export async function seedHumanStimuli(
  db: Db, store: ArtifactStore, runId: string, opts: { identities?: number; sizePx?: number; graded?: boolean; rc?: SeedRc } = {},
): Promise<{ images: number; manifest: Manifest; rc: { captions: { identity: number; yaw: number; noiseTrial: number }[]; keys: string[]; spec: HumanRcNoise } | null }> {
  const k = opts.identities ?? 3;
  const S = opts.sizePx ?? 96;
  const model = loadDefaultFaceModel();
  const ids = sampleIdentities(model, { count: k, seed: 1 });
  const renderer = new StimulusRenderer(model, S);
  const base = prepareRenderOptions({ size: S });
  const factors: Record<string, number | string>[] = [];
  const graded: Record<string, number | string>[] = [];
  const artifacts: Manifest['artifacts'] = [];
  const put = async (name: string, bytes: Uint8Array, contentType: string) => {
    const { key, size } = await store.put(bytes);
    artifacts.push({ name, key, size, contentType });
  };
  for (let identity = 0; identity < k; identity++) {
    const shots: { face: (typeof ids)[number]; f: Record<string, number | string> }[] = [
      ...POSES_DEG.map((yaw) => ({ face: ids[identity]!, f: { identity, yaw, pitch: 0, roll: 0 } })),
      ...(opts.graded === false ? [] : (['shape-scale', 'texture-scale'] as const)).flatMap((manipulation) =>
        LEVELS.map((level) => ({
          face: manipulation === 'shape-scale' ? scaleIdentity(ids[identity]!, level, 1) : scaleIdentity(ids[identity]!, 1, level),
          f: { identity, yaw: 0, manipulation, level },
        })),
      ),
    ];
    for (const { face, f } of shots) {
      const list = f.manipulation ? graded : factors;
      const out = renderer.render(face, { ...base, yaw: f.yaw as number });
      await put(`${f.manipulation ? 'human-stimuli' : 'stimuli'}/${list.length}.png`, encodePng(toUint8(out.rgb), S, S), 'image/png');
      list.push(f);
    }
  }
  await put('factors.json', new TextEncoder().encode(JSON.stringify(factors)), 'application/json');
  if (graded.length) await put('human-factors.json', new TextEncoder().encode(JSON.stringify(graded)), 'application/json');
  let rc: { captions: { identity: number; yaw: number; noiseTrial: number }[]; keys: string[]; spec: HumanRcNoise } | null = null;
  if (opts.rc) {
    const spec = HumanRcNoise.parse({
      identity: 0, yawDeg: 0, sizePx: S, feature: 'texture',
      noise: { basis: 'vertex', trials: opts.rc.trials, shapeSd: 0, textureSd: opts.rc.textureSd ?? 0.05, seed: opts.rc.seed ?? 1 },
      network: opts.rc.network ?? null,
    });
    const noise = drawNoise(model, spec.noise);
    const stimulus = new NoiseTrialRenderer(model, ids[0]!, { sizePx: S, yawDeg: 0 });
    const out = new Float32Array(S * S * 3);
    const captions: { identity: number; yaw: number; noiseTrial: number }[] = [];
    const keys: string[] = [];
    for (let t = 0; t < Math.min(opts.rc.images, opts.rc.trials); t++) {
      stimulus.render(noise, t, out);
      await put(`${HUMAN_RC_FOLDER}/${t}.png`, encodePng(toUint8(out), S, S), 'image/png');
      keys.push(artifacts[artifacts.length - 1]!.key);
      captions.push({ identity: 0, yaw: 0, noiseTrial: t });
    }
    await put(HUMAN_RC_CAPTIONS, new TextEncoder().encode(JSON.stringify(captions)), 'application/json');
    await put(HUMAN_RC_NOISE, new TextEncoder().encode(JSON.stringify(spec)), 'application/json');
    rc = { captions, keys, spec };
  }
  const manifest: Manifest = { runId, stepId: 'render-dataset', functionId: 'render-dataset', artifacts, summary: { images: factors.length + graded.length, sizePx: S, identities: k } };
  await db.insert(runSteps).values({
    runId,
    stepId: 'render-dataset',
    functionId: 'render-dataset',
    stage: 'render',
    status: 'completed',
    attempts: 1,
    fraction: 1,
    output: { manifestKey: createHash('sha256').update(JSON.stringify(manifest)).digest('hex'), manifest },
    startedAt: new Date(),
    finishedAt: new Date(),
  });
  return { images: factors.length + graded.length, manifest, rc };
}
