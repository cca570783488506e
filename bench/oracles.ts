/**
 * npm run bench:oracles [-- --model ict|procedural|<file> (default ict)] [--regions nose,mouth] [--bases bubbles,coefficients,vertex]
 *                         [--kinds shape,texture] [--no-tfce] [--null-runs 100] [--null-trials 1000]
 *                         [--permutations 200] [--skip-sweep] [--skip-null]
 *
 * Issue 12's ground truth over the whole pipeline, with the oracle's default settings:
 * 1. the sweep: every named anatomical region of the model (its own regions, minus unions such as
 *    'face', 'eyes', 'brow', 'cheek') × shape/texture × the three bases, without and with TFCE;
 *    per run precision, recall (against the truth of the basis), analytic_correlation, trials, the
 *    planted R². Pass: precision, recall ≥ 0.9 and (bubbles, coefficients) analytic_correlation ≥ 0.95.
 * 2. FWER calibration: per basis, N null runs (a response independent of the noise); at most the
 *    binomial 95 % bound (9 of 100 at α = 0.05) may have any significant vertex.
 * Prints one JSON line per run and a table at the end.
 */
import { loadDefaultFaceModel, loadFaceModel, DEFAULT_MODEL_NAME, isBuiltinFaceModel, loadBuiltinFaceModel } from '../workers/faces';
import { runOracle } from '../workers/analyses/oracle';
import { fwerCalibration } from '../workers/analyses/fwer-calibration';
import type { CanonicalBasis } from '../workers/analyses/noise';
import type { FaceModel } from '../workers/faces/model';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (name: string) => args.includes(`--${name}`);

/** A model's named anatomical regions: its own regions minus the unions of others ('face' and any region that is a union of two or more others). */
export function anatomicalRegions(model: FaceModel): string[] {
  const names = Object.keys(model.regions);
  return names.filter((n) => {
    if (n === 'face') return false;
    const set = new Set(model.regions[n]);
    const parts = names.filter((m) => m !== n && model.regions[m].length < set.size && [...model.regions[m]].every((v) => set.has(v)));
    const covered = new Set(parts.flatMap((m) => [...model.regions[m]]));
    return !(parts.length >= 2 && covered.size === set.size);
  });
}

async function main() {
  const name = opt('model') ?? 'ict';
  const model = isBuiltinFaceModel(name) ? loadBuiltinFaceModel(name) : name === DEFAULT_MODEL_NAME ? loadDefaultFaceModel() : loadFaceModel(name);
  const regions = opt('regions')?.split(',') ?? anatomicalRegions(model);
  const bases = (opt('bases')?.split(',') ?? ['bubbles', 'coefficients', 'vertex']) as CanonicalBasis[];
  const kinds = (opt('kinds')?.split(',') ?? ['shape', 'texture']) as ('shape' | 'texture')[];
  const tfces = flag('no-tfce') ? [false] : [false, true];
  const permutations = Number(opt('permutations') ?? 200);
  const rows: Record<string, unknown>[] = [];
  if (!flag('skip-sweep')) {
    for (const basis of bases) for (const kind of kinds) for (const region of regions) for (const tfce of tfces) {
      const t0 = Date.now();
      const r = await runOracle(model, { kind, region, basis, seed: 1, permutations, tfce, maps: 'planted' });
      const row = {
        model: model.name, basis, kind, region, tfce, trials: r.trials, plantedR2: r.r2Planted,
        precision: +r.recovery.precision.toFixed(3), recall: +r.recovery.recall.toFixed(3),
        analytic_correlation: +r.analyticCorrelation.toFixed(3), truth: r.truth?.reduce((a, b) => a + b, 0) ?? null,
        significant: r.recovery.significant, seconds: Math.round((Date.now() - t0) / 1000),
        pass: r.recovery.precision >= 0.9 && r.recovery.recall >= 0.9 && (basis === 'vertex' || r.analyticCorrelation >= 0.95),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    console.table(rows);
    console.log(`sweep: ${rows.filter((r) => r.pass).length} of ${rows.length} runs pass`);
  }
  if (!flag('skip-null')) {
    const runs = Number(opt('null-runs') ?? 100);
    const trials = Number(opt('null-trials') ?? 1000);
    for (const basis of bases) for (const tfce of tfces) {
      const c = await fwerCalibration(model, { basis, kind: 'shape', runs, trials, permutations: Math.min(permutations, 100), alpha: 0.05, seed: 7, tfce });
      console.log(JSON.stringify({ fwer: true, model: model.name, basis, kind: 'shape', tfce, runs, trials, runsWithAny: c.runsWithAny, bound: c.bound, pass: c.runsWithAny <= c.bound }));
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
