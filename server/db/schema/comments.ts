import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { experiments } from './experiments';
import { runs } from './runs';
import { users } from './users';
import { workspaces } from './workspaces';

/**
 * A comment on an experiment, or on a run's dashboard, optionally pinned to a 3D location: a vertex
 * of the face mesh of one information map (mapKey names the map, e.g. 'reverse-correlation/shape/id0';
 * position is the vertex position in mm, copied so a marker can be drawn without the mesh).
 * showInPublished: the author agrees that the comment appears in published snapshots.
 */
export const comments = pgTable(
  'comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    experimentId: uuid('experiment_id').references(() => experiments.id, { onDelete: 'cascade' }),
    runId: uuid('run_id').references(() => runs.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    /** Vertex index on the map's mesh, or null for a comment on the whole experiment / run. */
    vertex: integer('vertex'),
    mapKey: text('map_key'),
    /** [x, y, z] in mm of the pinned vertex. */
    position: jsonb('position').$type<[number, number, number]>(),
    showInPublished: boolean('show_in_published').notNull().default(false),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    index('comments_workspace_idx').on(t.workspaceId, t.createdAt),
    index('comments_experiment_idx').on(t.experimentId),
    index('comments_run_idx').on(t.runId),
  ],
);
