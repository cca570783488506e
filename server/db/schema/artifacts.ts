import { bigint, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users';
import { workspaces } from './workspaces';

/**
 * A stored blob registered to a workspace. The bytes live in the artifact store under `key`
 * (sha256 hex of the content), so identical content is stored once; the row says who may read
 * it (members of workspaceId) and how to serve it (name, contentType, size in bytes).
 * runId links to the run that produced it (the runs table arrives with a later issue; no FK yet).
 */
export const artifacts = pgTable(
  'artifacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    name: text('name').notNull(),
    contentType: text('content_type').notNull().default('application/octet-stream'),
    size: bigint('size', { mode: 'number' }).notNull(),
    runId: uuid('run_id'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('artifacts_workspace_idx').on(t.workspaceId), index('artifacts_key_idx').on(t.key), index('artifacts_run_idx').on(t.runId)],
);
