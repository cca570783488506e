/**
 * Input schemas and parsers that more than one router uses (routers do not import each other):
 * each bad input becomes a 400 naming its field.
 */
import { TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import { ExperimentConfig } from '../../workers/contract';
import { PASSWORD_MAX_LENGTH } from '../auth/password';
import { describeZodError } from './init';

export const Email = z
  .string({ error: 'email is required' })
  .trim()
  .max(254, 'email must be at most 254 characters')
  .pipe(z.email('email must be a valid email address'));

export const Password = z.string().max(PASSWORD_MAX_LENGTH, `password must be at most ${PASSWORD_MAX_LENGTH} characters`);

/** Validates a configuration; a bad one is a 400 naming config.<field>. */
export function parseConfig(raw: unknown): ExperimentConfig {
  try {
    return ExperimentConfig.parse(raw);
  } catch (err) {
    if (err instanceof ZodError) {
      const prefixed = new ZodError(err.issues.map((issue) => ({ ...issue, path: ['config', ...issue.path] })));
      throw new TRPCError({ code: 'BAD_REQUEST', message: describeZodError(prefixed), cause: prefixed });
    }
    throw err;
  }
}
