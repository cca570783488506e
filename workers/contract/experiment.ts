import { z } from 'zod';

/** An experiment's configuration. Later issues extend it (faces, render, training, analyses). */
export const ExperimentConfig = z.object({
  name: z.string().trim().min(1, 'name is required').max(120, 'name must be at most 120 characters'),
  description: z.string().max(5000, 'description must be at most 5000 characters').default(''),
  seed: z.number().int('seed must be an integer').min(0, 'seed must be ≥ 0').max(2 ** 31 - 1, 'seed must be < 2^31').default(1),
});
export type ExperimentConfig = z.infer<typeof ExperimentConfig>;
