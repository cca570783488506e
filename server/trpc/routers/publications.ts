import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { textField } from '../../../workers/contract';
import { publications } from '../../db/schema';
import { loadDashboard } from '../../dashboards/load';
import { artifactIdsOf, type DashboardSnapshot } from '../../../workers/contract';
import { runPins } from '../../dashboards/pins';
import { forgetPublishedPage } from '../../dashboards/published-page';
import { livePublication } from '../../dashboards/public';
import { markWithdrawn } from '../../dashboards/withdrawn-slugs';
import { router } from '../init';
import { dashboardRunProcedure, publicProcedure, publicationProcedure, workspaceProcedure } from '../procedures';

const SLUG_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no 0/o, 1/l: slugs are read aloud and typed

/** A random 12-character slug (60 bits): unguessable, so unpublished neighbours cannot be found. */
export function newSlug(): string {
  const bytes = randomBytes(12);
  return Array.from(bytes, (b) => SLUG_ALPHABET[b % SLUG_ALPHABET.length]).join('');
}

const listColumns = {
  id: publications.id,
  slug: publications.slug,
  title: publications.title,
  runId: publications.runId,
  includeComments: publications.includeComments,
  createdAt: publications.createdAt,
  unpublishedAt: publications.unpublishedAt,
};

export const publicationsRouter = router({
  /**
   * Publishes a run's dashboard as an immutable snapshot at /p/<slug>: a copy of the manifest
   * (without the run's other downloads), and, with includeComments, the pinned comments whose
   * authors chose to show them. Later changes to the run or its comments do not alter it.
   */
  publish: dashboardRunProcedure('editor')
    .input(
      z.object({
        title: textField('title', { min: 1, max: 200 }).optional(),
        includeComments: z.boolean().default(true),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const d = await loadDashboard(ctx.db, input.runId);
      if (!d) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
      if (!d.manifest.maps.length && !d.manifest.curves.length)
        throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'This run has no results to publish yet.' });
      const title = input.title ?? d.manifest.run.name;
      // The run's other downloads and its experiment's id stay private.
      const snapshot: DashboardSnapshot = {
        ...d.manifest,
        run: { ...d.manifest.run, experimentId: null },
        files: [],
        title,
        publishedAt: new Date().toISOString(),
        pins: input.includeComments ? await runPins(ctx.db, input.runId, true) : [],
      };
      const [row] = await ctx.db
        .insert(publications)
        .values({
          slug: newSlug(),
          workspaceId: ctx.workspaceId,
          runId: input.runId,
          title,
          snapshot,
          artifactIds: artifactIdsOf(snapshot),
          includeComments: input.includeComments,
          createdBy: ctx.user.id,
        })
        .returning(listColumns);
      return { ...row!, url: `/p/${row!.slug}` };
    }),

  /** A workspace's publications (live and unpublished), newest first. */
  list: workspaceProcedure('viewer').query(async ({ ctx }) =>
    ctx.db.select(listColumns).from(publications).where(eq(publications.workspaceId, ctx.workspaceId)).orderBy(desc(publications.createdAt)),
  ),

  /** The publications of one run, newest first. */
  forRun: dashboardRunProcedure('viewer').query(async ({ ctx, input }) =>
    ctx.db.select(listColumns).from(publications).where(eq(publications.runId, input.runId)).orderBy(desc(publications.createdAt)),
  ),

  /**
   * Takes a publication down: /p/<slug> answers 410 with a page that says so from now on (the
   * request guard learns the slug; the slug is never reused; its cached page is dropped).
   */
  unpublish: publicationProcedure('editor').mutation(async ({ ctx, input }) => {
    const [row] = await ctx.db
      .update(publications)
      .set({ unpublishedAt: new Date() })
      .where(and(eq(publications.id, input.publicationId), isNull(publications.unpublishedAt)))
      .returning(listColumns);
    if (row) {
      markWithdrawn(row.slug);
      forgetPublishedPage(row.slug);
      return row;
    }
    const [already] = await ctx.db.select(listColumns).from(publications).where(eq(publications.id, input.publicationId));
    return already!;
  }),

  /** The snapshot of a live publication, for anyone (no sign-in); NOT_FOUND once unpublished. */
  view: publicProcedure.input(z.object({ slug: z.string().max(64) })).query(async ({ ctx, input }) => {
    const row = await livePublication(ctx.db, input.slug);
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
    return { slug: row.slug, snapshot: row.snapshot };
  }),
});
