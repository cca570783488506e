import { z } from 'zod';

/**
 * Messages a step's child process (`workers/main.ts exec <function-id>`) sends to its parent (the
 * embedded executor, server/workflows/child.ts) over the IPC channel. The step's input goes the
 * other way on stdin as StepInput JSON; its output is `result.output`, a StepOutput that the parent
 * validates separately.
 */
export const ChildMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    /** Fraction of the step done, 0..1. */
    fraction: z.number(),
    /** Estimated seconds left, null when unknown. */
    etaSeconds: z.number().nullable(),
    message: z.string().optional(),
  }),
  z.object({ type: z.literal('log'), message: z.string() }),
  z.object({ type: z.literal('result'), output: z.unknown() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ChildMessage = z.infer<typeof ChildMessage>;
