import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, like } from 'drizzle-orm';
import { GeneralisationSummary, HUMAN_RC_NOISE, HumanRcNoise, HumanSummary, type ArtifactLink, type Manifest } from '../../workers/contract';
import type { Db } from '../db/client';
import { artifacts, humanSessions, runs } from '../db/schema';
import { runManifests } from '../dashboards/load';
import { getArtifactStore, storeArtifact, type ArtifactStore } from '../storage';
import { stepPriority } from '../workflows/child';
import { sessionTrials, trialsCsv, type HumanSessionRow } from './sessions';

/**
 * The stored responses analysed by the existing human analyses (workers/analyses/human through
 * `deeper analyse humans`, workers/cli/humans.ts), run as a child process like every compute step:
 * the web tier imports workers/contract only. Generalisation curves per participant and pooled
 * with bootstrap intervals, attention scores (flagged participants out of pooled statistics, kept in
 * the export), and, when the run has a generalisation bundle, the curves beside the network's.
 * The summary, the tidy CSV (trials.csv: every participant, deduplicated) and its data dictionary
 * are stored on the session row.
 */
export interface StoredHumanAnalysis {
  summary: HumanSummary;
  csv: string;
  dictionary: string;
  /** Rows given to the analysis. */
  rows: number;
  seconds: number;
  /**
   * Reverse-correlation maps (when people answered noise trials): the run's human-rc noise spec
   * (identity, feature, the network's map beside), and the bundle's per-vertex arrays
   * (rc/<participant | pooled>.mi.f32 bits [V], .significant.u8 [V], prevalence.*) stored as
   * artifacts of the run named humans/<session id>/rc/..., by bundle file name.
   */
  rc?: { spec: HumanRcNoise | null; arrays: Record<string, ArtifactLink> };
}

type ArtifactRef = Manifest['artifacts'][number];

/**
 * The run's reverse-correlation stimuli's noise spec (null: none), with the network map it names
 * (looked up in the manifest that stores the spec, then in the run's other steps).
 */
export async function runRcNoise(db: Db, runId: string, store: ArtifactStore): Promise<{ spec: HumanRcNoise; networkMi: ArtifactRef | null; networkSignificant: ArtifactRef | null } | null> {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId)).limit(1);
  if (!run) return null;
  const manifests = await runManifests(db, run);
  for (const m of manifests) {
    const file = m.artifacts.find((a) => a.name === HUMAN_RC_NOISE);
    if (!file) continue;
    const parsed = HumanRcNoise.safeParse(JSON.parse(await new Response(await store.get(file.key)).text()));
    if (!parsed.success) continue;
    const net = parsed.data.network;
    const find = (name: string | undefined) => (name ? ([m, ...manifests.filter((x) => x !== m)].map((x) => x.artifacts.find((a) => a.name === name)).find(Boolean) ?? null) : null);
    return { spec: parsed.data, networkMi: find(net?.mi), networkSignificant: find(net?.significant) };
  }
  return null;
}

/** The run's face model file (sample-identities step), null when the run has none (the bundled model is used). */
async function runFaceModelKey(db: Db, runId: string): Promise<string | null> {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId)).limit(1);
  if (!run) return null;
  for (const m of await runManifests(db, run)) {
    const a = m.artifacts.find((x) => x.name === 'face-model.bin');
    if (a) return a.key;
  }
  return null;
}

async function writeFromStore(store: ArtifactStore, key: string, file: string): Promise<void> {
  writeFileSync(file, new Uint8Array(await new Response(await store.get(key)).arrayBuffer()));
}

async function networkGeneralisation(db: Db, runId: string, store: ArtifactStore): Promise<unknown | null> {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId)).limit(1);
  if (!run) return null;
  for (const m of await runManifests(db, run)) {
    const file = m.artifacts.find((a) => a.name === 'summary.json');
    if (!file || !(m.functionId === 'analysis-generalisation' || m.stepId.includes('generalisation'))) continue;
    const raw = JSON.parse(await new Response(await store.get(file.key)).text()) as { kind?: string; generalisation?: unknown };
    const parsed = GeneralisationSummary.safeParse(raw.kind === 'generalisation' ? raw : raw.generalisation);
    if (parsed.success) return raw;
  }
  return null;
}

function runCli(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(cwd, 'workers', 'cli.ts'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      // Compute yields the CPU to web requests (as run steps do).
      if (child.pid !== undefined) os.setPriority(child.pid, stepPriority());
    } catch {
      // a priority is an optimisation
    }
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err = (err + d).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`analyse humans exited with ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

export async function analyseSession(db: Db, s: HumanSessionRow, opts: { store?: ArtifactStore; resamples?: number; cwd?: string } = {}): Promise<StoredHumanAnalysis> {
  const rows = await sessionTrials(db, s.id);
  if (!rows.length) throw new Error('responses: this session has no stored responses yet');
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'deeper-humans-'));
  try {
    const csv = path.join(dir, 'trials.csv');
    writeFileSync(csv, trialsCsv(rows));
    const out = path.join(dir, 'bundle');
    const args = ['analyse', 'humans', '--csv', csv, '--out', out, '--resamples', String(opts.resamples ?? 1000), '--seed', '1'];
    const store = opts.store ?? getArtifactStore();
    const net = await networkGeneralisation(db, s.runId, store);
    if (net) {
      writeFileSync(path.join(dir, 'network.json'), JSON.stringify(net));
      args.push('--network-generalisation', path.join(dir, 'network.json'));
    }
    const hasRc = rows.some((r) => r.condition === 'reverse-correlation' && r.noise_trial !== null);
    const rcRun = hasRc ? await runRcNoise(db, s.runId, store) : null;
    if (rcRun) {
      // The run's own noise draw, face model and network map: the human maps are on the network's stimuli and scale.
      writeFileSync(path.join(dir, 'noise.json'), JSON.stringify(rcRun.spec));
      args.push('--noise-spec', path.join(dir, 'noise.json'), '--feature', rcRun.spec.feature);
      const faceModel = await runFaceModelKey(db, s.runId);
      if (faceModel) {
        await writeFromStore(store, faceModel, path.join(dir, 'face-model.bin'));
        args.push('--face-model', path.join(dir, 'face-model.bin'));
      }
      const mi = rcRun.networkMi;
      const sig = rcRun.networkSignificant;
      if (mi) {
        await writeFromStore(store, mi.key, path.join(dir, 'network.mi.f32'));
        args.push('--compare', path.join(dir, 'network.mi.f32'));
        if (sig) {
          await writeFromStore(store, sig.key, path.join(dir, 'network.significant.u8'));
          args.push('--compare-significant', path.join(dir, 'network.significant.u8'));
        }
      }
    }
    await runCli(args, opts.cwd ?? process.cwd());
    const summary = HumanSummary.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
    const analysis: StoredHumanAnalysis = {
      summary,
      csv: readFileSync(path.join(out, 'trials.csv'), 'utf8'),
      dictionary: readFileSync(path.join(out, 'human-trials.md'), 'utf8'),
      rows: rows.length,
      seconds: (Date.now() - started) / 1000,
      ...(summary.reverseCorrelation ? { rc: { spec: rcRun?.spec ?? null, arrays: await storeRcArrays(db, s, path.join(out, 'rc'), store) } } : {}),
    };
    await db.update(humanSessions).set({ analysis, analysedAt: new Date() }).where(eq(humanSessions.id, s.id));
    return analysis;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The bundle's rc/ arrays as artifacts of the run (humans/<session>/rc/<file>), replacing those of
 * an earlier analysis of the session; the dashboard fetches them through the artifact route.
 */
async function storeRcArrays(db: Db, s: HumanSessionRow, dir: string, store: ArtifactStore): Promise<Record<string, ArtifactLink>> {
  const [run] = await db.select({ workspaceId: runs.workspaceId }).from(runs).where(eq(runs.id, s.runId)).limit(1);
  if (!run || !existsSync(dir)) return {};
  const prefix = `humans/${s.id}/rc/`;
  await db.delete(artifacts).where(and(eq(artifacts.runId, s.runId), like(artifacts.name, `${prefix}%`)));
  const out: Record<string, ArtifactLink> = {};
  for (const file of readdirSync(dir).sort()) {
    const row = await storeArtifact(db, { workspaceId: run.workspaceId, runId: s.runId, name: `${prefix}${file}`, data: new Uint8Array(readFileSync(path.join(dir, file))) }, store);
    out[`rc/${file}`] = { id: row.id, name: row.name, size: row.size, contentType: row.contentType };
  }
  return out;
}
