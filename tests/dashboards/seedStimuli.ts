import { createHash } from 'node:crypto';
import { loadDefaultFaceModel, sampleIdentities, scaleIdentity } from '../../workers/faces';
import { encodePng, prepareRenderOptions, StimulusRenderer, toUint8 } from '../../workers/render';
import type { Manifest } from '../../workers/contract';
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

export async function seedHumanStimuli(db: Db, store: ArtifactStore, runId: string, opts: { identities?: number; sizePx?: number } = {}): Promise<{ images: number; manifest: Manifest }> {
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
      ...(['shape-scale', 'texture-scale'] as const).flatMap((manipulation) =>
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
  await put('human-factors.json', new TextEncoder().encode(JSON.stringify(graded)), 'application/json');
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
  return { images: factors.length + graded.length, manifest };
}
