import { TRPCError } from '@trpc/server';
import { and, count, desc, eq, ilike, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { z, ZodError } from 'zod';
import { ExperimentConfig, textField } from '../../../workers/contract';
import { experiments, memberships, workspaces } from '../../db/schema';
import { describeZodError, router } from '../init';
import { parseConfig } from '../inputs';
import { authedProcedure, experimentProcedure, workspaceProcedure } from '../procedures';

/**
 * Keys of `raw` that the contract does not know, as dotted paths ('training.learningrate'): any key
 * of a plain object in `raw` that the parsed configuration lacks (zod objects drop unknown keys and
 * defaults fill only known ones, so a key missing after parsing is unknown).
 */
export function unknownConfigKeys(raw: unknown, parsed: unknown, prefix = ''): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const known = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const out: string[] = [];
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (!(k in known)) out.push(path);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...unknownConfigKeys(v, known[k], path));
  }
  return out;
}

/** Refuses (400, naming each) the keys of `raw` unknown to the contract. */
function refuseUnknownKeys(raw: unknown, parsed: ExperimentConfig): void {
  const unknown = unknownConfigKeys(raw, parsed);
  if (unknown.length === 0) return;
  const err = new ZodError(unknown.map((k) => ({ code: 'custom' as const, path: ['config', ...k.split('.')], message: `${k} is not a known configuration field`, input: undefined })));
  throw new TRPCError({ code: 'BAD_REQUEST', message: describeZodError(err), cause: err });
}

/** LIKE pattern matching `text` literally anywhere. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const ConfigInput = z.record(z.string(), z.unknown(), { error: 'config must be an object' });

export const experimentRouter = router({
  /** One page of a workspace's experiments, newest change first, optionally filtered by text. */
  list: workspaceProcedure('viewer')
    .input(
      z.object({
        search: textField('search', { max: 100 }).optional(),
        archived: z.enum(['active', 'archived', 'all'], { error: 'archived must be active, archived or all' }).default('active'),
        page: z.number().int('page must be an integer').min(1, 'page must be ≥ 1').max(10_000).default(1),
        pageSize: z.number().int('pageSize must be an integer').min(1, 'pageSize must be 1 to 100').max(100, 'pageSize must be 1 to 100').default(20),
      }),
    )
    .query(async ({ ctx, input }) => {
      const where: SQL[] = [eq(experiments.workspaceId, ctx.workspaceId)];
      if (input.archived === 'active') where.push(isNull(experiments.archivedAt));
      if (input.archived === 'archived') where.push(isNotNull(experiments.archivedAt));
      if (input.search) where.push(or(ilike(experiments.name, containsPattern(input.search)), ilike(experiments.description, containsPattern(input.search)))!);
      const filter = and(...where);
      // One query for the page and the total (a window count): each query costs milliseconds on PGlite.
      const rows = await ctx.db
        .select({ id: experiments.id, name: experiments.name, description: experiments.description, updatedAt: experiments.updatedAt, archivedAt: experiments.archivedAt, total: sql<number>`count(*) over()`.mapWith(Number) })
        .from(experiments)
        .where(filter)
        .orderBy(desc(experiments.updatedAt), desc(experiments.id))
        .limit(input.pageSize)
        .offset((input.page - 1) * input.pageSize);
      // A page past the end has no rows to carry the total: count then.
      const total = rows.length > 0 ? rows[0]!.total : input.page === 1 ? 0 : Number((await ctx.db.select({ n: count() }).from(experiments).where(filter))[0]?.n ?? 0);
      const items = rows.map(({ total: _total, ...item }) => item);
      return { items, total, page: input.page, pageSize: input.pageSize };
    }),

  /** The caller's most recently changed active experiments across all their workspaces. */
  recent: authedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(50, 'limit must be 1 to 50').default(10) }).default({ limit: 10 }))
    .query(async ({ ctx, input }) =>
      ctx.db
        .select({ id: experiments.id, name: experiments.name, updatedAt: experiments.updatedAt, workspaceId: workspaces.id, workspaceName: workspaces.name })
        .from(experiments)
        .innerJoin(memberships, and(eq(memberships.workspaceId, experiments.workspaceId), eq(memberships.userId, ctx.user.id)))
        .innerJoin(workspaces, eq(workspaces.id, experiments.workspaceId))
        .where(isNull(experiments.archivedAt))
        .orderBy(desc(experiments.updatedAt))
        .limit(input.limit),
    ),

  get: experimentProcedure('viewer').query(async ({ ctx, input }) => {
    const [row] = await ctx.db.select().from(experiments).where(eq(experiments.id, input.experimentId));
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
    const [ws] = await ctx.db.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, row.workspaceId));
    // A config stored before a field was removed still loads; the page warns about these keys.
    const unknownKeys = unknownConfigKeys(row.config, ExperimentConfig.safeParse(row.config).data ?? {});
    return { ...row, workspaceName: ws?.name ?? '', role: ctx.role, unknownKeys };
  }),

  create: workspaceProcedure('editor')
    .input(z.object({ config: ConfigInput }))
    .mutation(async ({ ctx, input }) => {
      const config = parseConfig(input.config);
      refuseUnknownKeys(input.config, config);
      const [row] = await ctx.db
        .insert(experiments)
        .values({ workspaceId: ctx.workspaceId, name: config.name, description: config.description, config, createdBy: ctx.user.id })
        .returning();
      return row!;
    }),

  /** Replaces fields of the configuration (a partial object merged over the current one). */
  update: experimentProcedure('editor')
    .input(z.object({ config: ConfigInput }))
    .mutation(async ({ ctx, input }) => {
      const [current] = await ctx.db.select().from(experiments).where(eq(experiments.id, input.experimentId));
      if (!current) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
      const config = parseConfig({ ...current.config, ...input.config });
      // Only what this edit sends is checked: each section sent replaces the stored one.
      refuseUnknownKeys(input.config, config);
      const [row] = await ctx.db
        .update(experiments)
        .set({ config, name: config.name, description: config.description, updatedAt: new Date() })
        .where(eq(experiments.id, input.experimentId))
        .returning();
      return row!;
    }),

  setArchived: experimentProcedure('editor')
    .input(z.object({ archived: z.boolean({ error: 'archived must be true or false' }) }))
    .mutation(async ({ ctx, input }) => {
      const [row] = await ctx.db
        .update(experiments)
        .set({ archivedAt: input.archived ? new Date() : null, updatedAt: new Date() })
        .where(eq(experiments.id, input.experimentId))
        .returning({ id: experiments.id, archivedAt: experiments.archivedAt });
      return row!;
    }),
});
