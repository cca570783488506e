import { planWaves, type PlannedStep, type StepInputData, type StepOutput, type ExperimentConfig } from '../../workers/contract';

/** What a step invocation gets: the planned step and the worker function's input. */
export type InvokeStep = (step: PlannedStep, input: StepInputData) => Promise<StepOutput>;

export interface RunSpec {
  runId: string;
  workspaceId: string;
  config: ExperimentConfig;
  plan: PlannedStep[];
}

/**
 * The orchestration both engines share: the plan in waves (a wave's steps in parallel, e.g. the
 * analyses), each step given the manifests of the steps it needs. `invoke` is Inngest's
 * step.invoke (memoised by Inngest) or the embedded executor's child-process runner (memoised in
 * the database). Returns every step's output by step id.
 */
export async function orchestrate(spec: RunSpec, invoke: InvokeStep): Promise<Map<string, StepOutput>> {
  const outputs = new Map<string, StepOutput>();
  for (const wave of planWaves(spec.plan)) {
    const results = await Promise.all(
      wave.map((step) =>
        invoke(step, {
          runId: spec.runId,
          workspaceId: spec.workspaceId,
          stepId: step.id,
          config: spec.config,
          params: step.params,
          inputs: Object.fromEntries(step.needs.map((n) => [n, outputs.get(n)!.manifest])),
        }),
      ),
    );
    wave.forEach((step, i) => outputs.set(step.id, results[i]!));
  }
  return outputs;
}

/** The run's result: the output of its last planned step (finalise). */
export function finalOutput(spec: RunSpec, outputs: Map<string, StepOutput>): StepOutput | undefined {
  return outputs.get(spec.plan[spec.plan.length - 1]!.id);
}
