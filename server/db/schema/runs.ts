import { bigserial, index, integer, jsonb, pgEnum, pgTable, primaryKey, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { RUN_STATUSES, STEP_STATUSES, type ExperimentConfig, type Manifest, type PlannedStep, type RunEstimate, type StepOutput } from '../../../workers/contract';
import { experiments } from './experiments';
import { users } from './users';
import { workspaces } from './workspaces';

// The statuses are the contract's (workers/contract/workflow.ts): one list, here as SQL enums.
export const runStatus = pgEnum('run_status', RUN_STATUSES);
export const runStepStatus = pgEnum('run_step_status', STEP_STATUSES);

/**
 * One execution of an experiment. The configuration and the plan are snapshots taken at launch
 * (editing the experiment later does not change a run). stage / fraction / etaSeconds summarise
 * progress for lists; the steps table has the detail. engine says who drives it: the embedded
 * local executor of this server, or Inngest.
 */
export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    experimentId: uuid('experiment_id').references(() => experiments.id, { onDelete: 'set null' }),
    config: jsonb('config').$type<ExperimentConfig>().notNull(),
    plan: jsonb('plan').$type<PlannedStep[]>().notNull(),
    engine: text('engine').$type<'embedded' | 'inngest'>().notNull().default('embedded'),
    status: runStatus('status').notNull().default('queued'),
    /** The stage of the latest step that started (faces, render, train, analyses, finalise). */
    stage: text('stage'),
    /** Overall progress in [0, 1], weighted by the steps' estimated cost. */
    fraction: real('fraction').notNull().default(0),
    etaSeconds: real('eta_seconds'),
    /** Why it failed: the failing step and its error message. */
    error: text('error'),
    estimate: jsonb('estimate').$type<RunEstimate>(),
    /** The finalise step's manifest: the run's result bundle. */
    result: jsonb('result').$type<Manifest>(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
  },
  (t) => [index('runs_workspace_idx').on(t.workspaceId, t.createdAt), index('runs_experiment_idx').on(t.experimentId), index('runs_status_idx').on(t.status)],
);

/**
 * A step of a run, keyed by (run, step id): its memoised result. A step with status 'completed'
 * and an output is never run again, so a restarted server resumes where it stopped (as Inngest's
 * step memoisation does). attempts counts starts, including retries.
 */
export const runSteps = pgTable(
  'run_steps',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    stepId: text('step_id').notNull(),
    functionId: text('function_id').notNull(),
    stage: text('stage').notNull(),
    status: runStepStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    fraction: real('fraction').notNull().default(0),
    etaSeconds: real('eta_seconds'),
    output: jsonb('output').$type<StepOutput>(),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stepId] })],
);

/** Log lines of a run (step messages, retries, errors), in order of id. */
export const runLogs = pgTable(
  'run_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    stepId: text('step_id'),
    level: text('level').$type<'info' | 'warn' | 'error'>().notNull().default('info'),
    message: text('message').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('run_logs_run_idx').on(t.runId, t.id)],
);
