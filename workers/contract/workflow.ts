import { z } from 'zod';
import { ExperimentConfig } from './experiment';
import { ArtifactKey } from './artifact-store';

/**
 * The workflow of one run: events, the steps and their order, what a step receives and returns,
 * and the manifest each step writes. Shared by the orchestrator (server/workflows, Inngest or the
 * embedded executor), the worker functions (workers/functions) and the command line.
 */

// ---- Events -------------------------------------------------------------------------------------

export const RUN_REQUESTED = 'experiment/run.requested' as const;
export const RUN_CANCELLED = 'experiment/run.cancelled' as const;
/** Sent by worker functions while they compute; the web app records it for the UI. */
export const RUN_PROGRESS = 'experiment/run.progress' as const;
/** Inngest app ids: the web app (orchestrator) and the worker hosts (compute functions). */
export const WEB_APP_ID = 'deeper';
export const WORKER_APP_ID = 'deeper-worker';

export const RunRequested = z.object({
  runId: z.uuid('runId must be a UUID'),
  workspaceId: z.uuid('workspaceId must be a UUID'),
  experimentId: z.uuid('experimentId must be a UUID').nullable(),
  config: ExperimentConfig,
  /** The steps to run; planRun(config) when absent. */
  plan: z.lazy(() => z.array(PlannedStep)).optional(),
});
export type RunRequested = z.infer<typeof RunRequested>;

export const RunCancelled = z.object({ runId: z.uuid('runId must be a UUID') });
export type RunCancelled = z.infer<typeof RunCancelled>;

// ---- Steps --------------------------------------------------------------------------------------

/** Stages in the order a run goes through them; each step belongs to one. */
export const STAGES = ['faces', 'render', 'train', 'analyses', 'finalise'] as const;
export const StageName = z.enum(STAGES);
export type StageName = z.infer<typeof StageName>;

/** The worker functions (Inngest function ids on the worker app; `diagnostic-*` check a deployment). */
export const WORKER_FUNCTION_IDS = [
  'sample-identities',
  'render-dataset',
  'train-model',
  'import-model',
  'analysis-generalisation',
  'analysis-reverse-correlation',
  'analysis-hidden-layers',
  'analysis-pose-invariance',
  'finalise',
  'diagnostic-compute',
] as const;
export const WorkerFunctionId = z.enum(WORKER_FUNCTION_IDS);
export type WorkerFunctionId = z.infer<typeof WorkerFunctionId>;

const STEP_ID_RE = /^[a-z][a-z0-9-]{0,63}$/;
export const PlannedStep = z.object({
  /** Unique within the run; the key of the step's memoised result (run, step id). */
  id: z.string().regex(STEP_ID_RE, 'step id must be lower-case letters, digits and dashes'),
  functionId: WorkerFunctionId,
  stage: StageName,
  /** Steps whose manifests this one reads (they finish first). */
  needs: z.array(z.string()).default([]),
  /** Relative cost, for the overall fraction and the ETA (seconds from the estimate). */
  weight: z.number().positive().default(1),
  /** Extra parameters for this step (diagnostic steps; analyses read the config). */
  params: z.record(z.string(), z.unknown()).default({}),
});
export type PlannedStep = z.infer<typeof PlannedStep>;
export type PlannedStepInput = z.input<typeof PlannedStep>;

/** Analyses by step id → the config switch that enables them. */
const ANALYSIS_STEPS = [
  ['analysis-generalisation', 'generalisation'],
  ['analysis-reverse-correlation', 'reverseCorrelation'],
  ['analysis-hidden-layers', 'hiddenLayers'],
  ['analysis-pose-invariance', 'poseInvariance'],
] as const;

/**
 * The steps of a run, in a fixed order (replays must see the same sequence): sample identities →
 * render the dataset → train (or import) → the enabled analyses, independent of each other, in
 * parallel → finalise.
 */
export function planRun(config: ExperimentConfig): PlannedStep[] {
  const steps: PlannedStepInput[] = [{ id: 'sample-identities', functionId: 'sample-identities', stage: 'faces' }];
  const imported = config.training.source === 'import';
  if (imported) {
    steps.push({ id: 'import-model', functionId: 'import-model', stage: 'train', needs: ['sample-identities'] });
  } else {
    steps.push({ id: 'render-dataset', functionId: 'render-dataset', stage: 'render', needs: ['sample-identities'] });
    steps.push({ id: 'train-model', functionId: 'train-model', stage: 'train', needs: ['sample-identities', 'render-dataset'] });
  }
  const model = imported ? 'import-model' : 'train-model';
  for (const [id, key] of ANALYSIS_STEPS) {
    if (!config.analyses[key].enabled) continue;
    steps.push({ id, functionId: id, stage: 'analyses', needs: ['sample-identities', model] });
  }
  // finalise reads every manifest: its result bundle lists the whole run.
  steps.push({ id: 'finalise', functionId: 'finalise', stage: 'finalise', needs: steps.map((s) => s.id) });
  return steps.map((s) => PlannedStep.parse(s));
}

/**
 * Groups a plan into waves: each wave's steps need only steps of earlier waves, so a wave runs in
 * parallel. Throws on an unknown or circular dependency (naming the step).
 */
export function planWaves(plan: PlannedStep[]): PlannedStep[][] {
  const ids = new Set(plan.map((s) => s.id));
  if (ids.size !== plan.length) throw new Error('plan: step ids must be unique');
  for (const s of plan) for (const n of s.needs) if (!ids.has(n)) throw new Error(`plan: step '${s.id}' needs unknown step '${n}'`);
  const done = new Set<string>();
  const waves: PlannedStep[][] = [];
  let left = plan;
  while (left.length) {
    const wave = left.filter((s) => s.needs.every((n) => done.has(n)));
    if (!wave.length) throw new Error(`plan: circular dependency among ${left.map((s) => s.id).join(', ')}`);
    wave.forEach((s) => done.add(s.id));
    waves.push(wave);
    left = left.filter((s) => !done.has(s.id));
  }
  return waves;
}

// ---- Artifacts and manifests ---------------------------------------------------------------------

/** One file a step wrote: content address, size in bytes, how to serve it. */
export const ArtifactRef = z.object({
  name: z.string().min(1).max(200),
  key: ArtifactKey,
  size: z.number().int().nonnegative(),
  contentType: z.string().default('application/octet-stream'),
});
export type ArtifactRef = z.infer<typeof ArtifactRef>;

/**
 * What a step produced. Deterministic: the same inputs give the same manifest bytes (no times, no
 * host names), so a resumed run and an uninterrupted one end with identical manifests.
 */
export const Manifest = z.object({
  runId: z.uuid(),
  stepId: z.string(),
  functionId: WorkerFunctionId,
  artifacts: z.array(ArtifactRef),
  /** Small JSON facts for the UI and the next steps (counts, accuracies, shapes). */
  summary: z.record(z.string(), z.unknown()).default({}),
});
export type Manifest = z.infer<typeof Manifest>;

/** A worker function's input (Inngest event data for invoke, or the child process's stdin). */
export const StepInput = z.object({
  runId: z.uuid('runId must be a UUID'),
  workspaceId: z.uuid('workspaceId must be a UUID'),
  stepId: z.string().regex(STEP_ID_RE),
  config: ExperimentConfig,
  params: z.record(z.string(), z.unknown()).default({}),
  /** Manifests of the steps this one needs, by step id. */
  inputs: z.record(z.string(), Manifest).default({}),
});
export type StepInput = z.infer<typeof StepInput>;
export type StepInputData = z.input<typeof StepInput>;

/** A worker function's return value: small JSON (the manifest and where it is stored). */
export const StepOutput = z.object({ manifestKey: ArtifactKey, manifest: Manifest });
export type StepOutput = z.infer<typeof StepOutput>;

/** A progress report of a running step. fraction in [0, 1]; etaSeconds null while unknown. */
export const StepProgress = z.object({
  runId: z.uuid(),
  stepId: z.string(),
  fraction: z.number().min(0).max(1),
  etaSeconds: z.number().nonnegative().nullable().default(null),
  message: z.string().max(2000).optional(),
});
export type StepProgress = z.infer<typeof StepProgress>;

// ---- Runs ---------------------------------------------------------------------------------------

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;
export const STEP_STATUSES = ['pending', 'running', 'retrying', 'completed', 'failed', 'cancelled'] as const;
export const StepStatus = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof StepStatus>;

/** Time (seconds) and peak memory (MiB) of one step, from the configuration and measured throughputs. */
export const StepEstimate = z.object({
  stepId: z.string(),
  stage: StageName,
  seconds: z.number().nonnegative(),
  memoryMiB: z.number().nonnegative(),
  /** What the figure is made of, e.g. '1,280 images at 3,100 images/s'. */
  basis: z.string(),
});
export const RunEstimate = z.object({
  steps: z.array(StepEstimate),
  byStage: z.array(z.object({ stage: StageName, seconds: z.number(), memoryMiB: z.number() })),
  totalSeconds: z.number(),
  peakMemoryMiB: z.number(),
  /** Where the throughputs come from (machine, date of calibration). */
  calibration: z.string(),
});
export type RunEstimate = z.infer<typeof RunEstimate>;
