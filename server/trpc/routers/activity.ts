import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { comments, experiments, publications, runs, users } from '../../db/schema';
import { authorName } from '../../dashboards/pins';
import { router } from '../init';
import { workspaceProcedure } from '../procedures';

export interface ActivityItem {
  kind: 'run.created' | 'run.finished' | 'comment' | 'publication';
  at: Date;
  actor: string;
  /** One line for the feed, e.g. 'Demo run succeeded'. */
  text: string;
  runId: string | null;
  experimentId: string | null;
  href: string | null;
}

export const activityRouter = router({
  /** The workspace's feed: runs started and finished, comments and publications, newest first. */
  list: workspaceProcedure('viewer')
    .input(z.object({ limit: z.number().int().min(1).max(200, 'limit must be 1 to 200').default(50) }))
    .query(async ({ ctx, input }) => {
      const n = input.limit;
      const runRows = await ctx.db
        .select({ r: runs, expName: experiments.name, name: users.name, email: users.email })
        .from(runs)
        .leftJoin(experiments, eq(experiments.id, runs.experimentId))
        .leftJoin(users, eq(users.id, runs.createdBy))
        .where(eq(runs.workspaceId, ctx.workspaceId))
        .orderBy(desc(runs.createdAt))
        .limit(n);
      const commentRows = await ctx.db
        .select({ c: comments, name: users.name, email: users.email })
        .from(comments)
        .leftJoin(users, eq(users.id, comments.authorId))
        .where(and(eq(comments.workspaceId, ctx.workspaceId), isNull(comments.deletedAt)))
        .orderBy(desc(comments.createdAt))
        .limit(n);
      const pubRows = await ctx.db
        .select({ p: publications, name: users.name, email: users.email })
        .from(publications)
        .leftJoin(users, eq(users.id, publications.createdBy))
        .where(eq(publications.workspaceId, ctx.workspaceId))
        .orderBy(desc(publications.createdAt))
        .limit(n);

      const items: ActivityItem[] = [];
      for (const { r, expName, name, email } of runRows) {
        const actor = authorName(email === null ? null : { name, email });
        const label = expName ?? r.config.name;
        const href = `/runs/${r.id}`;
        items.push({ kind: 'run.created', at: r.createdAt, actor, text: `launched a run of ${label}`, runId: r.id, experimentId: r.experimentId, href });
        if (r.finishedAt) items.push({ kind: 'run.finished', at: r.finishedAt, actor: 'executor', text: `run of ${label} ${r.status}`, runId: r.id, experimentId: r.experimentId, href });
      }
      for (const { c, name, email } of commentRows) {
        const where = c.vertex !== null ? `pinned a comment to vertex ${c.vertex}` : 'commented';
        items.push({
          kind: 'comment',
          at: c.createdAt,
          actor: authorName(email === null ? null : { name, email }),
          text: `${where}: “${c.body.length > 80 ? `${c.body.slice(0, 79)}…` : c.body}”`,
          runId: c.runId,
          experimentId: c.experimentId,
          href: c.runId ? `/runs/${c.runId}` : null,
        });
      }
      for (const { p, name, email } of pubRows) {
        const actor = authorName(email === null ? null : { name, email });
        items.push({ kind: 'publication', at: p.createdAt, actor, text: `published “${p.title}”${p.unpublishedAt ? ' (since unpublished)' : ''}`, runId: p.runId, experimentId: null, href: p.unpublishedAt ? null : `/p/${p.slug}` });
      }
      return items.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, n);
    }),
});
