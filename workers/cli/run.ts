/**
 * `npm run deeper -- run <experiment> [--data DIR] [--seed N] [--json]`: runs an experiment on
 * this machine and follows it with a progress bar per stage.
 *   <experiment>  a preset (tiny, demo, paper) or a JSON file holding an experiment configuration
 *   --data DIR    artifact store root (default: $ARTIFACTS_DIR, else $DATA_DIR/artifacts, else .data/artifacts)
 *   --seed N      override the configuration's seed
 *   --json        no bars; one JSON line per progress report, and the result last
 * Steps run in this process, in the plan's order (the same worker functions the web app's
 * executor and the Inngest workers run). Ctrl-C cancels between batches. The last line is the
 * result bundle's key, which the portal can import. Runs launched in the portal are followed there.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  EXPERIMENT_PRESETS,
  ExperimentConfig,
  experimentPreset,
  planRun,
  planWaves,
  STAGES,
  type ExperimentPresetName,
  type StageName,
  type StepOutput,
} from '../contract';
import { executeWorkerFunction } from '../functions';
import { loadWorkerFunction } from '../functions/index';
import { FsWorkerStore, workerStoreFromEnv } from '../functions';

const USAGE = `usage: npm run deeper -- run <${Object.keys(EXPERIMENT_PRESETS).join('|')}|config.json> [--data DIR] [--seed N] [--json]\n`;

function parseRunArgs(argv: string[]): { experiment?: string; data?: string; seed?: number; json: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { data: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: true });
  } catch (e) {
    const option = /'(--[^' ]+)/.exec((e as Error).message)?.[1] ?? String(e);
    throw new Error(`${(e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 'unknown option' : 'option needs a value:'} ${option}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  return {
    experiment: positionals.at(-1),
    data: values.data,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    json: values.json ?? false,
  };
}

function loadConfig(what: string): ExperimentConfig {
  if (what in EXPERIMENT_PRESETS) return experimentPreset(what as ExperimentPresetName);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(what, 'utf8'));
  } catch (e) {
    throw new Error(`experiment: '${what}' is neither a preset (${Object.keys(EXPERIMENT_PRESETS).join(', ')}) nor a readable JSON file (${(e as Error).message})`);
  }
  const parsed = ExperimentConfig.safeParse(raw);
  if (!parsed.success) throw new Error(`${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** "faces     [██████████░░░░░░░░░░]  50%  ETA 12s  message" */
export function progressBar(stage: string, fraction: number, etaSeconds: number | null, message = '', width = 24): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  const eta = etaSeconds === null || f >= 1 ? '' : ` ETA ${etaSeconds < 90 ? `${Math.ceil(etaSeconds)}s` : `${Math.ceil(etaSeconds / 60)}min`}`;
  return `${stage.padEnd(9)} [${'█'.repeat(full)}${'░'.repeat(width - full)}] ${String(Math.round(f * 100)).padStart(3)}%${eta}${message ? `  ${message}` : ''}`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (!args.experiment) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig(args.experiment);
  if (args.seed !== undefined) config.seed = ExperimentConfig.shape.seed.parse(args.seed);
  const store = args.data ? new FsWorkerStore(path.resolve(args.data)) : workerStoreFromEnv();
  const plan = planRun(config);
  const runId = randomUUID();
  const workspaceId = '00000000-0000-4000-8000-000000000000';
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());

  // Per stage: its steps' fractions (a stage's bar is their mean), ETA and latest message.
  const state = new Map<StageName, { steps: Map<string, number>; eta: number | null; message: string }>();
  for (const s of plan) {
    const st = state.get(s.stage) ?? { steps: new Map(), eta: null, message: '' };
    st.steps.set(s.id, 0);
    state.set(s.stage, st);
  }
  const tty = process.stdout.isTTY && !args.json;
  let drawn = 0;
  const draw = () => {
    if (!tty) return;
    if (drawn) process.stdout.write(`\x1b[${drawn}A`);
    const lines = STAGES.filter((s) => state.has(s)).map((s) => {
      const st = state.get(s)!;
      const f = [...st.steps.values()].reduce((a, b) => a + b, 0) / st.steps.size;
      return `\x1b[2K${progressBar(s, f, st.eta, st.message.slice(0, 60))}`;
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const report = (stage: StageName, stepId: string, fraction: number, eta: number | null, message?: string) => {
    const st = state.get(stage)!;
    st.steps.set(stepId, fraction);
    st.eta = eta;
    if (message) st.message = message;
    if (args.json) process.stdout.write(`${JSON.stringify({ stage, stepId, fraction, etaSeconds: eta, message })}\n`);
    else if (!tty && message) process.stdout.write(`${progressBar(stage, fraction, eta, message)}\n`);
    draw();
  };

  const outputs = new Map<string, StepOutput>();
  const stepSeconds: Record<string, number> = {};
  const t0 = Date.now();
  let current = '';
  draw();
  try {
    for (const wave of planWaves(plan)) {
      // Steps of a wave are independent; in one process they run one after the other.
      for (const step of wave) {
        current = step.id;
        const stepStart = Date.now();
        const fn = await loadWorkerFunction(step.functionId);
        const input = {
          runId,
          workspaceId,
          stepId: step.id,
          config,
          params: step.params,
          inputs: Object.fromEntries(step.needs.map((n) => [n, outputs.get(n)!.manifest])),
        };
        const out = await executeWorkerFunction(fn, input, {
          store,
          signal: controller.signal,
          reporter: {
            progress: (f, eta, m) => report(step.stage, step.id, f, eta, m),
            log: (m) => (tty ? (state.get(step.stage)!.message = m) : args.json ? undefined : process.stdout.write(`  ${step.id}: ${m}\n`)),
          },
        });
        outputs.set(step.id, out);
        stepSeconds[step.id] = Math.round((Date.now() - stepStart) / 100) / 10;
        report(step.stage, step.id, 1, 0, `${step.id} done`);
      }
    }
  } catch (err) {
    const message = controller.signal.aborted ? 'cancelled' : err instanceof Error ? err.message : String(err);
    process.stderr.write(`run failed at step ${current}: ${message}\n`);
    return controller.signal.aborted ? 130 : 1;
  }
  const final = outputs.get(plan[plan.length - 1]!.id)!;
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  // result.json's key: the same configuration gives the same key (the manifest also names the run).
  const resultKey = final.manifest.artifacts.find((a) => a.name === 'result.json')?.key ?? final.manifestKey;
  process.stdout.write(`${JSON.stringify({ status: 'succeeded', seconds, resultKey, manifestKey: final.manifestKey, stepSeconds })}\n`);
  return 0;
}
