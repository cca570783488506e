/**
 * npm run bench:oracles [-- options]
 *
 *   --models ict,procedural   face models, in this order (default ict; --model is the same; a file path works)
 *   --bases bubbles,coefficients,vertex   --kinds shape,texture   --regions nose,mouth (default: each
 *                             model's named anatomical regions, anatomicalRegions below)
 *   --tfce off|on|both        the test statistic: raw MI (off, the command's default), TFCE, or both (default off;
 *                             --no-tfce = off)
 *   --out <file.jsonl>        results file (default bench/results/oracles-<UTC date>.jsonl). Every run appends
 *                             one JSON line, preceded by an {"uptime": ...} line (the machine's load when it ran);
 *                             runs already in the file (same model, basis, kind, region, tfce, permutations)
 *                             are skipped (the file is re-read before each run), so a killed sweep resumes and
 *                             shards share one file
 *   --max-runs N --max-minutes M   stop after N new runs or once M minutes have passed (a shard)
 *   --summary                 only print the summary table of the results file
 *   --markdown <file.md>      with --summary: also write it and every region's latest run as markdown tables
 *   --permutations 200 --skip-sweep --skip-null --null-runs 100 --null-trials 1000
 *   --null-kinds shape,texture   the FWER calibration's feature kinds (default: --kinds)
 *   --null-seed 7             the null runs' base seed (each run's seed hashes it with the run's index);
 *                             another seed draws an independent set of 100 runs (recorded as nullSeed)
 *   --band-octaves k          bubbles texture band law (bases/bubbles.ts textureBandOctaves; default the
 *                             basis's default, 0; 0.5 = the law before 2026-12-01); recorded in each row
 *                             (the FWER null runs cover --bases × --kinds × --tfce; min(permutations, 100) each)
 *
 * Issue 12's ground truth over the whole pipeline, with the oracle's default settings (seed 1, the
 * basis's default trials and planted R², α = 0.05, the planted map only):
 * 1. the sweep: model × basis × kind × named anatomical region (× TFCE); per run precision, recall
 *    (against the truth of the basis), analytic_correlation, trials, the planted R². Pass: precision,
 *    recall ≥ 0.9 and (bubbles, coefficients) analytic_correlation ≥ 0.95.
 * 2. FWER calibration: per basis, N null runs (a response independent of the noise); at most the
 *    binomial 95 % bound (9 of 100 at α = 0.05) may have any significant vertex.
 * Ends with a summary per model, basis, kind and statistic over every run in the results file:
 * runs, passes, min precision, min recall, min analytic r, and the failures.
 */
import { execSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { loadDefaultFaceModel, decodeFaceModel, DEFAULT_MODEL_NAME, isBuiltinFaceModel, loadBuiltinFaceModel } from '../workers/faces';
import { oracleSetup, runOracle } from '../workers/analyses/oracle';
import { DEFAULT_BUBBLES, DEFAULT_NOISE_DESIGN } from '../workers/analyses';
import { fwerCalibration } from '../workers/analyses/fwer-calibration';
import type { CanonicalBasis } from '../workers/analyses/noise';
import type { FaceModel } from '../workers/faces/model';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (name: string) => args.includes(`--${name}`);
const list = (name: string): string[] | undefined => opt(name)?.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * A model's named anatomical regions: its own regions minus 'face', the unions of others (any region
 * that is a union of two or more others: 'eyes', 'brow', ...) and regions mostly off the face (ICT's
 * 'scalp', which has no identity variance).
 */
export function anatomicalRegions(model: FaceModel): string[] {
  const names = Object.keys(model.regions);
  const face = model.regions.face ? new Set(model.regions.face) : null;
  return names.filter((n) => {
    if (n === 'face') return false;
    const set = new Set(model.regions[n]);
    if (face && [...set].filter((v) => face.has(v)).length < set.size / 2) return false;
    const parts = names.filter((m) => m !== n && model.regions[m].length < set.size && [...model.regions[m]].every((v) => set.has(v)));
    const covered = new Set(parts.flatMap((m) => [...model.regions[m]]));
    return !(parts.length >= 2 && covered.size === set.size);
  });
}

export interface SweepRow {
  oracle: true;
  model: string; basis: CanonicalBasis; kind: 'shape' | 'texture'; region: string; tfce: boolean; permutations: number;
  /** vertex basis: the minimum spacing of the noise-carrying vertices (mm; absent in rows before it existed = 0). */
  vertexSpacingMm?: number;
  /** vertex basis: the region's noise-carrying vertices (the truth). */
  carryingVertices?: number;
  /** The oracle's seed (absent = 1, the command's default). */
  seed?: number;
  /** bubbles texture: the band law k (absent in rows before it existed = 0.5). */
  textureBandOctaves?: number;
  /** coefficients: the noise design (absent in rows before it existed = independent). */
  design?: string;
  regionVertices: number; trials: number; plantedR2: number;
  precision: number; recall: number; analytic_correlation: number; truth: number | null; significant: number;
  thresholdBits: number; seconds: number; load1: number; at: string; pass: boolean;
}

/**
 * The identity of a sweep run in the results file: runs with the same key are not repeated (and the
 * summary keeps the latest). The trials and, for the vertex basis, the spacing and the noise-carrying
 * region vertices are part of it, so a changed default makes a new run.
 */
export function runKey(r: Pick<SweepRow, 'model' | 'basis' | 'kind' | 'region' | 'tfce' | 'permutations' | 'trials' | 'vertexSpacingMm' | 'carryingVertices' | 'regionVertices' | 'textureBandOctaves' | 'design' | 'plantedR2'>): string {
  const spacing = r.basis === 'vertex' ? [`spacing ${r.vertexSpacingMm ?? 0}`, `carrying ${r.carryingVertices ?? r.regionVertices}`] : [];
  const bands = r.basis === 'bubbles' && r.kind === 'texture' ? [`bands ${r.textureBandOctaves ?? 0.5}`] : [];
  const design = r.basis === 'coefficients' ? [`design ${r.design ?? 'independent'}`, `r2 ${r.plantedR2}`] : [];
  return [r.model, r.basis, r.kind, r.region, r.tfce ? 'tfce' : 'mi', r.permutations, r.trials, ...spacing, ...bands, ...design].join('|');
}

/** A run passes when precision and recall are ≥ 0.9 and, against an analytic truth, the map correlates with it at ≥ 0.95. */
export function passes(basis: CanonicalBasis, precision: number, recall: number, analyticCorrelation: number): boolean {
  return precision >= 0.9 && recall >= 0.9 && (basis === 'vertex' || analyticCorrelation >= 0.95);
}

export function readResults(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
    try { return [JSON.parse(l) as Record<string, unknown>]; } catch { return []; } // a line cut by a kill
  });
}

/** Per model, basis, kind and statistic (the latest run of each region): runs, passes, min precision, recall and analytic r, and the failing regions. */
export function summarise(rows: Record<string, unknown>[]): Record<string, string | number>[] {
  const groups = new Map<string, SweepRow[]>();
  const latest = new Map<string, SweepRow>();
  // the latest run of each cell (model, basis, kind, region, statistic; same permutations), whatever its trials or spacing
  for (const r of rows) if (r.oracle) latest.set([r.model, r.basis, r.kind, r.region, r.tfce, r.permutations, r.seed ?? 1].join('|'), r as unknown as SweepRow);
  for (const r of latest.values()) {
    const g = [r.model, r.basis, r.kind, r.tfce ? 'tfce' : 'mi', ...(r.seed && r.seed !== 1 ? [`seed ${r.seed}`] : [])].join(' ');
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(r);
  }
  const min = (xs: number[]) => (xs.length ? +Math.min(...xs).toFixed(3) : NaN);
  return [...groups].map(([g, rs]) => ({
    group: g, runs: rs.length, pass: rs.filter((r) => r.pass).length,
    minP: min(rs.map((r) => r.precision)), minR: min(rs.map((r) => r.recall)),
    minAnalyticR: rs[0].basis === 'vertex' ? NaN : min(rs.map((r) => r.analytic_correlation)),
    failures: rs.filter((r) => !r.pass).map((r) => `${r.region} ${r.precision}/${r.recall}/${r.analytic_correlation}`).join('; '),
  }));
}

/** The summary and the latest run of every cell as markdown tables (bench/results/*.md). */
export function markdownSummary(rows: Record<string, unknown>[], source: string): string {
  const latest = new Map<string, SweepRow>();
  for (const r of rows) if (r.oracle) latest.set([r.model, r.basis, r.kind, r.region, r.tfce, r.permutations, r.seed ?? 1].join('|'), r as unknown as SweepRow);
  const s = summarise(rows);
  const lines = [
    `# Oracle sweep: ${source}`, '',
    'Generated by `npm run bench:oracles -- --summary --markdown <file>` from the latest run of each cell (seed 1, defaults).', '',
    '| model basis kind statistic | runs | pass | min precision | min recall | min analytic r | failures (precision/recall/r) |',
    '|---|---|---|---|---|---|---|',
    ...s.map((g) => `| ${g.group} | ${g.runs} | ${g.pass} | ${g.minP} | ${g.minR} | ${Number.isNaN(g.minAnalyticR) ? '–' : g.minAnalyticR} | ${g.failures || '–'} |`),
    '', '| model | basis | kind | statistic | region | region vertices | truth | trials | precision | recall | analytic r | pass | s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...[...latest.values()].map((r) => `| ${r.model} | ${r.basis}${r.basis === 'vertex' ? ` (${r.vertexSpacingMm ?? 0} mm)` : ''}${r.textureBandOctaves !== undefined ? ` (k ${r.textureBandOctaves})` : ''} | ${r.kind} | ${r.tfce ? 'tfce' : 'mi'} | ${r.region}${r.seed && r.seed !== 1 ? ` (seed ${r.seed})` : ''} | ${r.regionVertices} | ${r.truth} | ${r.trials} | ${r.precision} | ${r.recall} | ${r.basis === 'vertex' ? '–' : r.analytic_correlation} | ${r.pass ? 'yes' : '**no**'} | ${r.seconds} |`),
    ...(rows.some((r) => r.fwer) ? ['', '| FWER null runs: model | basis | kind | statistic | runs | trials | runs with any significant vertex | bound | pass | s |', '|---|---|---|---|---|---|---|---|---|---|',
      ...rows.filter((r) => r.fwer).map((r) => `| ${r.model} | ${r.basis}${r.textureBandOctaves !== undefined ? ` (k ${r.textureBandOctaves})` : ''} | ${r.kind ?? 'shape'} | ${r.tfce ? 'tfce' : 'mi'} | ${r.runs} | ${r.trials} | ${r.runsWithAny} | ${r.bound} | ${r.pass ? 'yes' : '**no**'} | ${r.seconds ?? '–'} |`)] : []),
    '',
  ];
  const nulls = rows.filter((r) => r.fwer);
  if (nulls.length) lines.push(
    '| FWER null runs: model | basis | kind | statistic | runs | trials | runs with any significant vertex | bound | pass | s |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...nulls.map((r) => `| ${r.model} | ${r.basis} | ${r.kind ?? 'shape'} | ${r.tfce ? 'tfce' : 'mi'} | ${r.runs} | ${r.trials} | ${r.runsWithAny} | ${r.bound} | ${r.pass ? 'yes' : '**no**'} | ${r.seconds ?? '–'} |`),
    '',
  );
  return lines.join('\n');
}

function uptime(): string {
  try { return execSync('uptime', { encoding: 'utf8' }).trim(); } catch { return ''; }
}

function loadModel(name: string): FaceModel {
  return isBuiltinFaceModel(name) ? loadBuiltinFaceModel(name) : name === DEFAULT_MODEL_NAME ? loadDefaultFaceModel() : decodeFaceModel(readFileSync(name), name);
}

async function main() {
  const out = opt('out') ?? `bench/results/oracles-${new Date().toISOString().slice(0, 10)}.jsonl`;
  mkdirSync(dirname(out), { recursive: true });
  const append = (row: Record<string, unknown>) => { appendFileSync(out, JSON.stringify(row) + '\n'); console.log(JSON.stringify(row)); };
  const printSummary = () => {
    const s = summarise(readResults(out));
    console.table(s);
    const runs = s.reduce((a, g) => a + (g.runs as number), 0), pass = s.reduce((a, g) => a + (g.pass as number), 0);
    console.log(`${out}: ${pass} of ${runs} runs pass`);
  };
  if (flag('summary')) {
    printSummary();
    const md = opt('markdown');
    if (md) writeFileSync(md, markdownSummary(readResults(out), out));
    return;
  }
  const models = list('models') ?? list('model') ?? ['ict'];
  const bases = (list('bases') ?? ['bubbles', 'coefficients', 'vertex']) as CanonicalBasis[];
  const kinds = (list('kinds') ?? ['shape', 'texture']) as ('shape' | 'texture')[];
  const tfceOpt = flag('no-tfce') ? 'off' : opt('tfce') ?? 'off';
  const tfces = tfceOpt === 'both' ? [false, true] : tfceOpt === 'on' ? [true] : [false];
  const permutations = Number(opt('permutations') ?? 200);
  const maxRuns = Number(opt('max-runs') ?? Infinity);
  const deadline = Date.now() + Number(opt('max-minutes') ?? Infinity) * 60_000;
  const bubbles = { ...DEFAULT_BUBBLES, ...(opt('band-octaves') !== undefined ? { textureBandOctaves: Number(opt('band-octaves')) } : {}) };
  const seed = Number(opt('seed') ?? 1);
  const nullKinds = (list('null-kinds') ?? kinds) as ('shape' | 'texture')[];
  const done = new Set(readResults(out).filter((r) => r.oracle).map((r) => runKey(r as unknown as SweepRow) + (r.seed && r.seed !== 1 ? `|seed ${r.seed}` : '')));
  const nullKey = (r: Record<string, unknown>) => JSON.stringify([r.model, r.basis, r.kind ?? 'shape', r.tfce, r.runs, r.trials, r.basis === 'bubbles' && r.kind === 'texture' ? r.textureBandOctaves ?? 0.5 : null, r.basis === 'coefficients' ? r.design ?? 'independent' : null, r.nullSeed ?? 7]);
  const doneNull = new Set(readResults(out).filter((r) => r.fwer).map(nullKey));
  let ran = 0;
  const more = () => ran < maxRuns && Date.now() < deadline;
  for (const name of models) {
    const model = loadModel(name);
    const regions = list('regions') ?? anatomicalRegions(model);
    if (!flag('skip-sweep')) {
      for (const basis of bases) for (const kind of kinds) for (const region of regions) for (const tfce of tfces) {
        const cfg = { kind, region, basis, seed, permutations, tfce, maps: 'planted' as const, bubbles };
        const setup = oracleSetup(model, cfg);
        const spacing = basis === 'vertex' ? { vertexSpacingMm: setup.spacingMm, carryingVertices: setup.carrying.length } : {};
        const bands = basis === 'bubbles' && kind === 'texture' ? { textureBandOctaves: bubbles.textureBandOctaves } : {};
        const seedKey = seed === 1 ? {} : { seed };
        const design = basis === 'coefficients' ? { design: DEFAULT_NOISE_DESIGN } : {};
        const key = runKey({ model: model.name, basis, kind, region, tfce, permutations, trials: setup.trials, regionVertices: setup.region.length, plantedR2: setup.r2, ...spacing, ...bands, ...design }) + (seed === 1 ? '' : `|seed ${seed}`);
        // another shard writing the same file may have run it since this one started
        if (!done.has(key)) for (const r of readResults(out)) if (r.oracle) done.add(runKey(r as unknown as SweepRow) + (r.seed && r.seed !== 1 ? `|seed ${r.seed}` : ''));
        if (done.has(key) || !more()) continue;
        append({ uptime: uptime() });
        const t0 = Date.now();
        const r = await runOracle(model, cfg);
        const row: SweepRow = {
          oracle: true, model: model.name, basis, kind, region, tfce, permutations, ...spacing, ...bands, ...design, ...seedKey, regionVertices: r.region.length,
          trials: r.trials, plantedR2: r.r2Planted,
          precision: +r.recovery.precision.toFixed(3), recall: +r.recovery.recall.toFixed(3),
          analytic_correlation: +r.analyticCorrelation.toFixed(3), truth: r.truth?.reduce((a, b) => a + b, 0) ?? null,
          significant: r.recovery.significant, thresholdBits: r.planted ? +r.planted.threshold.toPrecision(4) : NaN,
          seconds: Math.round((Date.now() - t0) / 1000), load1: +loadavg()[0].toFixed(2),
          at: new Date().toISOString(), pass: passes(basis, r.recovery.precision, r.recovery.recall, r.analyticCorrelation),
        };
        append(row as unknown as Record<string, unknown>);
        done.add(key);
        ran++;
      }
    }
    if (!flag('skip-null')) {
      const runs = Number(opt('null-runs') ?? 100);
      const trials = Number(opt('null-trials') ?? 1000);
      const nullSeed = Number(opt('null-seed') ?? 7);
      const seedKey = nullSeed === 7 ? {} : { nullSeed };
      for (const basis of bases) for (const kind of nullKinds) for (const tfce of tfces) {
        const bands = basis === 'bubbles' && kind === 'texture' ? { textureBandOctaves: bubbles.textureBandOctaves } : {};
        // noise.ts: the default design is orthogonal where the trials exceed the components
        const design = basis === 'coefficients' ? { design: trials > Math.max(model.shapeSd.length, model.textureSd.length) ? DEFAULT_NOISE_DESIGN : 'independent' } : {};
        const key = nullKey({ model: model.name, basis, kind, tfce, runs, trials, ...bands, ...design, ...seedKey });
        if (doneNull.has(key) || !more()) continue;
        append({ uptime: uptime() });
        const t0 = Date.now();
        const c = await fwerCalibration(model, { basis, kind, runs, trials, permutations: Math.min(permutations, 100), alpha: 0.05, seed: nullSeed, tfce, bubbles },
          (i, n) => console.log(`null run ${i}: ${n} significant vertices (${((Date.now() - t0) / 1000).toFixed(0)} s)`));
        append({ fwer: true, model: model.name, basis, kind, tfce, ...bands, ...design, ...seedKey, runs, trials, runsWithAny: c.runsWithAny, bound: c.bound, pass: c.runsWithAny <= c.bound, seconds: Math.round((Date.now() - t0) / 1000), load1: +loadavg()[0].toFixed(2), at: new Date().toISOString() });
        doneNull.add(key);
        ran++;
      }
    }
  }
  printSummary();
}

// run as a script (npm run bench:oracles), not when a test imports the helpers above
if (/oracles\.ts$/.test(process.argv[1] ?? '')) main().catch((e) => { console.error(e); process.exit(1); });
