import { boolean, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { DashboardSnapshot } from '../../../workers/contract';
import { runs } from './runs';
import { users } from './users';
import { workspaces } from './workspaces';

/**
 * A published dashboard: an immutable snapshot served at /p/<slug> to anyone, without sign-in.
 * snapshot is a copy of the dashboard manifest taken at publish time (later runs, edits or
 * comments do not change it); artifactIds lists every artifact the snapshot references: the
 * public artifact route serves those and nothing else of the workspace. Unpublishing sets
 * unpublishedAt and the slug then answers 404; the row stays so a slug is never reused.
 */
export const publications = pgTable(
  'publications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** URL name: lower-case letters and digits, unique forever. */
    slug: text('slug').notNull().unique(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    runId: uuid('run_id').references(() => runs.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    snapshot: jsonb('snapshot').$type<DashboardSnapshot>().notNull(),
    artifactIds: jsonb('artifact_ids').$type<string[]>().notNull(),
    /** Whether pinned comments marked public by their authors were copied into the snapshot. */
    includeComments: boolean('include_comments').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    unpublishedAt: timestamp('unpublished_at', { withTimezone: true }),
  },
  (t) => [index('publications_workspace_idx').on(t.workspaceId, t.createdAt), index('publications_run_idx').on(t.runId)],
);
