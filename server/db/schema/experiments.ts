import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { ExperimentConfig } from '../../../workers/contract';
import { users } from './users';
import { workspaces } from './workspaces';

/**
 * An experiment: a configuration (validated by ExperimentConfig from workers/contract) inside a
 * workspace. name and description mirror config.name / config.description so that lists can
 * search and sort without reading the jsonb; both are written together in one statement.
 */
export const experiments = pgTable(
  'experiments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    config: jsonb('config').$type<ExperimentConfig>().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [index('experiments_workspace_idx').on(t.workspaceId, t.updatedAt)],
);
