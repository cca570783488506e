import { InngestTestEngine } from '@inngest/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { experimentPreset, HumanRcNoise, RUN_CANCELLED, StepOutput, type ExperimentConfig, type Manifest, type WorkerFunctionId } from '../../workers/contract';
import { decodeFaceModel } from '../../workers/faces';
import { drawNoise } from '../../workers/analyses/noise';
import { NoiseTrialRenderer } from '../../workers/analyses/trials';
import { encodePng, toUint8 } from '../../workers/render';
import { identitiesFromJson } from '../../workers/functions/artifacts';
import { loadWorkerFunction } from '../../workers/functions/index';
import { createWorkerClient, toInngestFunction } from '../../workers/functions/inngest';
import { FsWorkerStore } from '../../workers/functions/worker-artifact-store';

/**
 * Every worker function as the Inngest function a worker host serves, run under @inngest/test on
 * real inputs: the tiny preset's pipeline, each step's output feeding the next.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-fns-'));
const store = new FsWorkerStore(path.join(dir, 'artifacts'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const client = createWorkerClient();
const runId = '11111111-1111-4111-8111-111111111111';
const workspaceId = '22222222-2222-4222-8222-222222222222';
const config: ExperimentConfig = experimentPreset('tiny');
const manifests: Record<string, Manifest> = {};
const progress: Record<string, number[]> = {};

async function invoke(id: WorkerFunctionId, needs: string[], cfg = config, params: Record<string, unknown> = {}): Promise<StepOutput> {
  const fn = await loadWorkerFunction(id);
  const reporter = () => ({ progress: (f: number) => void (progress[id] ??= []).push(f), log: () => undefined });
  const t = new InngestTestEngine({
    function: toInngestFunction(client, fn, { store, env: { ...process.env, DEEPER_WORKER_HOST: 'gpu-a', DEEPER_WORKER_CONCURRENCY: '2' }, reporter }),
    events: [{ name: `deeper/${id}`, data: { runId, workspaceId, stepId: id, config: cfg, params, inputs: Object.fromEntries(needs.map((n) => [n, manifests[n]!])) } }],
  });
  const { result, error } = await t.execute();
  if (error) throw error;
  const out = StepOutput.parse(result);
  manifests[id] = out.manifest;
  // The manifest itself is stored, under the key the output names.
  expect(JSON.parse(new TextDecoder().decode(await store.get(out.manifestKey)))).toEqual(out.manifest);
  return out;
}

describe('worker functions under @inngest/test', () => {
  it('are configured per worker host: concurrency key, cancelOn, retries', async () => {
    const fn = toInngestFunction(client, await loadWorkerFunction('train-model'), { store, env: { ...process.env, DEEPER_WORKER_HOST: 'gpu-a', DEEPER_WORKER_CONCURRENCY: '2' } });
    const opts = (fn as unknown as { opts: Record<string, unknown> }).opts;
    expect(opts.id).toBe('train-model');
    expect(opts.concurrency).toEqual([{ limit: 2, key: '"gpu-a"' }]);
    expect(opts.cancelOn).toEqual([{ event: RUN_CANCELLED, if: 'async.data.runId == event.data.runId' }]);
    expect(opts.retries).toBe(2);
  });

  it('diagnostic-compute writes deterministic bytes and fails with its message', async () => {
    const a = await invoke('diagnostic-compute', [], config, { durationMs: 0, bytes: 64 });
    const b = await invoke('diagnostic-compute', [], config, { durationMs: 0, bytes: 64 });
    expect(a.manifest.artifacts[0]!.key).toBe(b.manifest.artifacts[0]!.key);
    await expect(invoke('diagnostic-compute', [], config, { fail: 'no GPU left' })).rejects.toThrow('no GPU left');
  });

  it('sample-identities → render-dataset → train-model → generalisation, reverse correlation → finalise on the tiny preset', { timeout: 240_000 }, async () => {
    const faces = await invoke('sample-identities', []);
    expect(faces.manifest.summary).toMatchObject({ identities: 3 });
    expect(faces.manifest.artifacts.map((a) => a.name)).toEqual(['face-model.bin', 'identities.json']);

    const data = await invoke('render-dataset', ['sample-identities']);
    expect(data.manifest.summary).toMatchObject({ images: 12, sizePx: 32 });
    const images = data.manifest.artifacts.find((a) => a.name === 'images.u8')!;
    expect(images.size).toBe(12 * 32 * 32 * 3);
    expect(progress['render-dataset']!.at(-1)).toBe(1);

    const trained = await invoke('train-model', ['sample-identities', 'render-dataset']);
    expect(trained.manifest.summary).toMatchObject({ epochs: 1, classes: 3 });
    expect(trained.manifest.artifacts.map((a) => a.name)).toContain('model/model.json');

    const gen = await invoke('analysis-generalisation', ['sample-identities', 'train-model']);
    expect(gen.manifest.summary).toMatchObject({ kind: 'generalisation' });
    const genSummary = JSON.parse(new TextDecoder().decode(await store.get(gen.manifest.artifacts.find((a) => a.name === 'summary.json')!.key)));
    expect(genSummary.curves.map((c: { manipulation: string }) => c.manipulation)).toContain('shape-scale');
    // Every array the summary names was stored under that name.
    for (const ref of Object.values(genSummary.arrays) as { file: string }[]) expect(gen.manifest.artifacts.map((a) => a.name)).toContain(ref.file);
    // Issue 15: its shape-scale and texture-scale stimuli as images for human sessions, one per (identity ≤ 4, pose, level).
    const humanFactors = JSON.parse(new TextDecoder().decode(await store.get(gen.manifest.artifacts.find((a) => a.name === 'human-factors.json')!.key))) as { manipulation: string }[];
    const scaleLevels = genSummary.curves.filter((c: { manipulation: string }) => c.manipulation.endsWith('-scale')).reduce((n: number, c: { levels: number[] }) => n + c.levels.length, 0);
    expect(humanFactors).toHaveLength(Math.min(4, genSummary.identities.length) * genSummary.posesYawDeg.length * scaleLevels);
    expect(gen.manifest.artifacts.filter((a) => a.name.startsWith('human-stimuli/')).length).toBe(humanFactors.length);

    const rc = await invoke('analysis-reverse-correlation', ['sample-identities', 'train-model']);
    expect(rc.manifest.summary).toMatchObject({ kind: 'reverse-correlation', identities: [0] });
    const rcSummary = JSON.parse(new TextDecoder().decode(await store.get(rc.manifest.artifacts.find((a) => a.name === 'summary.json')!.key)));
    expect(rcSummary.trials).toBe(config.analyses.reverseCorrelation.trials);
    expect(rcSummary.maps.length).toBeGreaterThan(0);
    // Issue 15 item 3: the three attribution maps on the tiny preset's first 10 stimuli, stored under
    // the names the summary gives, finite where a vertex was seen, with their agreement stated.
    const attr = rcSummary.attributions as { trials: number; maps: { method: string; visibleVertices: number; arrays: Record<'values' | 'magnitude' | 'weight', { file: string }>; agreement: { map: string; pearson: number | null }[] }[] };
    expect(attr.trials).toBe(Math.min(config.analyses.attributions.trials, config.analyses.reverseCorrelation.trials));
    expect(attr.maps.map((m) => m.method)).toEqual(['gradient-x-input', 'integrated-gradients', 'occlusion']);
    for (const m of attr.maps) {
      const f32 = async (name: string) => new Float32Array((await store.get(rc.manifest.artifacts.find((a) => a.name === name)!.key)).slice().buffer);
      const [values, weight] = [await f32(m.arrays.values.file), await f32(m.arrays.weight.file)];
      const seen = Array.from(weight.keys()).filter((v) => weight[v]! > 0);
      expect([seen.length, seen.length > 50]).toEqual([m.visibleVertices, true]);
      expect(seen.every((v) => Number.isFinite(values[v]!))).toBe(true);
      expect(m.agreement.length).toBeGreaterThan(0);
      for (const a of m.agreement) expect(a.pearson === null || Math.abs(a.pearson) <= 1).toBe(true);
    }
    // Issue 15: min(humanStimuli, trials) of identity 0's noise trials as images for people, with the
    // noise spec that rebuilds each image's noise: the stored PNG of trial 7 is re-rendered byte for byte.
    const readRc = async (name: string) => store.get(rc.manifest.artifacts.find((a) => a.name === name)!.key);
    const captions = JSON.parse(new TextDecoder().decode(await readRc('human-rc.json'))) as { identity: number; yaw: number; noiseTrial: number }[];
    const nRc = Math.min(config.analyses.reverseCorrelation.humanStimuli, config.analyses.reverseCorrelation.trials);
    expect(captions).toEqual(Array.from({ length: nRc }, (_, t) => ({ identity: 0, yaw: 0, noiseTrial: t })));
    expect(rc.manifest.artifacts.filter((a) => a.name.startsWith('human-rc/')).length).toBe(nRc);
    const spec = HumanRcNoise.parse(JSON.parse(new TextDecoder().decode(await readRc('human-rc-noise.json'))));
    expect(spec).toMatchObject({ identity: 0, yawDeg: 0, sizePx: 32, noise: { trials: rcSummary.trials, seed: rcSummary.noise.seed, shapeSd: rcSummary.noise.shapeSd, textureSd: rcSummary.noise.textureSd } });
    if (spec.network) for (const name of [spec.network.mi, spec.network.significant]) expect(rc.manifest.artifacts.map((a) => a.name)).toContain(name);
    const faceModel = decodeFaceModel(await store.get(faces.manifest.artifacts.find((a) => a.name === 'face-model.bin')!.key));
    const ids = identitiesFromJson(JSON.parse(new TextDecoder().decode(await store.get(faces.manifest.artifacts.find((a) => a.name === 'identities.json')!.key))));
    const again = new Float32Array(32 * 32 * 3);
    new NoiseTrialRenderer(faceModel, ids[0]!, { sizePx: 32, yawDeg: 0 }).render(drawNoise(faceModel, spec.noise), 7, again);
    expect(Buffer.from(encodePng(toUint8(again), 32, 32)).equals(Buffer.from(await readRc('human-rc/7.png')))).toBe(true);

    const final = await invoke('finalise', ['sample-identities', 'render-dataset', 'train-model', 'analysis-generalisation', 'analysis-reverse-correlation']);
    const bundle = JSON.parse(new TextDecoder().decode(await store.get(final.manifest.artifacts[0]!.key)));
    expect(Object.keys(bundle.steps)).toEqual(['analysis-generalisation', 'analysis-reverse-correlation', 'render-dataset', 'sample-identities', 'train-model']);
    expect(bundle.config.name).toBe(config.name);
  });

  it('analysis-hidden-layers and analysis-pose-invariance on the tiny pipeline', { timeout: 240_000 }, async () => {
    const hl = await invoke('analysis-hidden-layers', ['sample-identities', 'train-model']);
    expect(hl.manifest.summary).toMatchObject({ kind: 'hidden-layers' });
    const pi = await invoke('analysis-pose-invariance', ['sample-identities', 'train-model']);
    expect(pi.manifest.summary).toMatchObject({ kind: 'pose-invariance' });
  });

  it('import-model accepts a bundle of the trained network and refuses a mismatched one, naming the field', { timeout: 120_000 }, async () => {
    const files: Record<string, string> = {};
    for (const a of manifests['train-model']!.artifacts.filter((x) => x.name.startsWith('model/'))) {
      files[a.name.slice('model/'.length)] = Buffer.from(await store.get(a.key)).toString('base64');
    }
    const { key } = await store.put(new TextEncoder().encode(JSON.stringify({ files })));
    const importing = { ...config, training: { ...config.training, source: 'import' as const, importedModel: key } };
    const imported = await invoke('import-model', ['sample-identities'], importing);
    expect(imported.manifest.summary).toMatchObject({ inputSize: 32, classes: 3 });
    const wrongSize = { ...importing, render: { ...importing.render, sizePx: 64 } };
    await expect(invoke('import-model', ['sample-identities'], wrongSize)).rejects.toThrow(/64×64 px/);
  });
});
