/**
 * The command line of issue 15: `analyse humans` on a trial CSV of scripted observers (with a
 * resubmitted trial and an inattentive participant), and `analyse attributions` on a saved
 * ResNet-10, each ending with one JSON line and writing a bundle (run in-process through the CLI's run()).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../workers/cli/analyse';
import { folderFiles } from '../../workers/util';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { drawNoise } from '../../workers/analyses/noise';
import { resolveRegion } from '../../workers/analyses/regions';
import { simulateObserver } from '../../workers/analyses/human/observer';
import { humanTrialsCsv, parseCsvRecords } from '../../workers/analyses/human/export';
import type { HumanTrial } from '../../workers/contract/human-trials';
import { AttributionSummary, HumanSummary } from '../../workers/contract/beside-results';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'deeper-humans-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `npm run deeper -- analyse ...` in this process (workers/cli.ts only dispatches to run()); the last stdout line, parsed. */
async function deeper(...args: string[]): Promise<Record<string, unknown>> {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => { printed.push(line); });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await run(args)).toBe(0);
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  return JSON.parse(printed[printed.length - 1]) as Record<string, unknown>;
}

describe('analyse humans | attributions', () => {
  const model = loadDefaultFaceModel();

  it('humans: maps, prevalence, curves and the deduplicated export of a CSV', async () => {
    // the run's noise draw, which the CLI regenerates from the same options
    const noise = drawNoise(model, { basis: 'vertex', trials: 600, shapeSd: 0, textureSd: 0.05, seed: 4, vertices: resolveRegion(model, 'nose_tip', 15) });
    const region = resolveRegion(model, 'nose_tip', 5);
    const rows: HumanTrial[] = [];
    for (let p = 0; p < 3; p++) {
      rows.push(...simulateObserver(model, noise, { participant: `p${p}`, kind: 'texture', region, noiseSd: 0.5, noiseTrials: Array.from({ length: 200 }, (_, i) => p * 200 + i), target: 0, foil: 1, attentionChecks: 4, attentionPassRate: 1, seed: p }));
    }
    rows.push(...simulateObserver(model, noise, { participant: 'p9', kind: 'texture', region: null, noiseSd: 0, noiseTrials: Array.from({ length: 100 }, (_, i) => i), target: 0, foil: 1, attentionChecks: 4, attentionPassRate: 0, seed: 9 }));
    for (const [l, level] of [0, 1].entries()) {
      for (let rep = 0; rep < 10; rep++) rows.push({ participant: 'p0', trial: 1000 + l * 10 + rep, stimulus_id: `g${l}-${rep}`, condition: 'generalisation', attention_check: false, manipulation: 'shape-scale', level, yaw_deg: 0, noise_trial: null, target: 0, response: rep < 5 + 4 * l ? 0 : 1, confidence: 3, rt_ms: 800 });
    }
    // a resubmitted trial: the raw CSV has it twice
    const csv = humanTrialsCsv(rows) + humanTrialsCsv([{ ...rows[0], response: 1 }]).split('\r\n').slice(1).join('\r\n');
    writeFileSync(path.join(tmp, 'trials.csv'), csv);
    // the network beside them: its generalisation summary and its texture map (the nose tip, significant)
    const netRef = { file: 'x', dtype: 'float32', shape: [1], layout: '[x]', unit: '' };
    const netGen = { kind: 'generalisation', identities: [0], posesYawDeg: [0], sizePx: 64, arrays: { probability: netRef, correct: { ...netRef, dtype: 'uint8' } },
      curves: [{ manipulation: 'shape-scale', levels: [0, 1 / 3, 1], probability: [0.3, 0.5, 0.97], accuracy: [0.4, 0.6, 0.95], auc: 0.6, levelBelowHalf: 0.2 }] };
    writeFileSync(path.join(tmp, 'network-gen.json'), JSON.stringify(netGen));
    const netMi = new Float32Array(model.vertexCount), netSig = new Uint8Array(model.vertexCount);
    for (const v of region) { netMi[v] = 0.5; netSig[v] = 1; }
    writeFileSync(path.join(tmp, 'net.mi.f32'), new Uint8Array(netMi.buffer));
    writeFileSync(path.join(tmp, 'net.sig.u8'), netSig);
    const out = path.join(tmp, 'humans');
    const r = await deeper('humans', '--csv', path.join(tmp, 'trials.csv'), '--out', out, '--permutations', '49', '--noise-trials', '600', '--noise-seed', '4', '--noise-region', 'nose_tip', '--noise-radius', '15', '--resamples', '200',
      '--network-generalisation', path.join(tmp, 'network-gen.json'), '--compare', path.join(tmp, 'net.mi.f32'), '--compare-significant', path.join(tmp, 'net.sig.u8'));
    const beside = (r.curvesBesideNetwork as { levels: number[]; networkAccuracy: number[]; rmse: number }[])[0];
    expect(beside.levels).toEqual([0, 1]);
    expect(beside.networkAccuracy).toEqual([0.4, 0.95]);
    expect(beside.rmse).toBeCloseTo(Math.sqrt((0.1 ** 2 + 0.05 ** 2) / 2), 10);
    const mapBeside = r.mapBesideNetwork as { spearman: number; diceSignificant: number };
    expect(mapBeside.spearman).toBeGreaterThan(0);
    expect(mapBeside.diceSignificant).toBeGreaterThan(0.3);
    expect(r.duplicates).toBe(1);
    expect(r.flagged).toEqual(['p9']);
    expect(r.participants).toBe(4);
    const prevalence = r.prevalence as { k: number; n: number; map: number };
    expect(prevalence.n).toBe(3);
    expect(prevalence.k).toBe(3);
    expect(r.pooledSignificantVertices as number).toBeGreaterThan(0);
    const gen = r.generalisation as { mean: number[] }[];
    expect(gen[0].mean).toEqual([0.5, 0.9]);
    const V = model.vertexCount;
    expect(statSync(path.join(out, 'rc/pooled.mi.f32')).size).toBe(4 * V);
    const pooled = new Uint8Array(readFileSync(path.join(out, 'rc/pooled.significant.u8')));
    expect(region.some((v) => pooled[v] === 1)).toBe(true);
    const exported = parseCsvRecords(readFileSync(path.join(out, 'trials.csv'), 'utf8'));
    expect(exported.length - 1).toBe(rows.length);
    expect(exported.filter((x) => x[0] === 'p9').length).toBe(104);
    expect(existsSync(path.join(out, 'human-trials.md'))).toBe(true);
    const summary = HumanSummary.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
    expect(summary.included).toEqual(['p0', 'p1', 'p2']);
    expect(summary.reverseCorrelation!.participants.find((p) => p.participant === 'p9')!.flagged).toBe(true);
  });

  it('attributions: three maps on the mesh of a saved ResNet-10, compared with an information map', async () => {
    const { chooseBackend, buildResNet10, saveModel } = await import('../../workers/nn');
    await chooseBackend({ log: () => {} });
    const dir = path.join(tmp, 'net');
    await saveModel(buildResNet10({ inputSize: 32, widthMultiplier: 0.25, numClasses: 3, seed: 2 }), folderFiles(dir));
    const info = Float32Array.from({ length: model.vertexCount }, (_, v) => (v % 7) / 7);
    writeFileSync(path.join(tmp, 'mi.f32'), new Uint8Array(info.buffer));
    const out = path.join(tmp, 'attr');
    const r = await deeper('attributions', '--model', dir, '--out', out, '--identity', '1', '--trials', '10', '--ig-steps', '2', '--patch', '16', '--stride', '16', '--batch', '5', '--compare', path.join(tmp, 'mi.f32'));
    const maps = r.maps as { method: string; visibleVertices: number; agreement: { vertices: number; spearman: number } }[];
    expect(maps.map((m) => m.method)).toEqual(['gradient-x-input', 'integrated-gradients', 'occlusion']);
    for (const m of maps) {
      expect(m.visibleVertices).toBeGreaterThan(500);
      expect(m.agreement.vertices).toBe(m.visibleVertices);
      expect(Math.abs(m.agreement.spearman)).toBeLessThanOrEqual(1);
    }
    const values = new Float32Array(readFileSync(path.join(out, 'integrated-gradients.f32')).buffer.slice(0));
    expect(values.length).toBe(model.vertexCount);
    expect(values.some((x) => Number.isFinite(x) && x !== 0)).toBe(true);
    expect((r.completeness as { mean: number }).mean).toBeGreaterThanOrEqual(0);
    const summary = AttributionSummary.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
    expect(summary.options.igSteps).toBe(2);
    expect(summary.maps[2].pixelMean.shape).toEqual([32, 32]);
  });
});
