import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { GeneralisationSummary, HumanSummary } from '../../workers/contract';
import type { Db } from '../db/client';
import { humanSessions, runs } from '../db/schema';
import { runManifests } from '../dashboards/load';
import { getArtifactStore, type ArtifactStore } from '../storage';
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
    const net = await networkGeneralisation(db, s.runId, opts.store ?? getArtifactStore());
    if (net) {
      writeFileSync(path.join(dir, 'network.json'), JSON.stringify(net));
      args.push('--network-generalisation', path.join(dir, 'network.json'));
    }
    await runCli(args, opts.cwd ?? process.cwd());
    const summary = HumanSummary.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
    const analysis: StoredHumanAnalysis = {
      summary,
      csv: readFileSync(path.join(out, 'trials.csv'), 'utf8'),
      dictionary: readFileSync(path.join(out, 'human-trials.md'), 'utf8'),
      rows: rows.length,
      seconds: (Date.now() - started) / 1000,
    };
    await db.update(humanSessions).set({ analysis, analysedAt: new Date() }).where(eq(humanSessions.id, s.id));
    return analysis;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
