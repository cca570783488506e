/**
 * Runs once when the server starts, before it serves requests: applies pending database
 * migrations (PGlite or PostgreSQL) in the process that then owns the database, so PGlite's
 * data directory is opened once and the first request finds it warm.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const started = performance.now();
  const { getDbHandle } = await import('./server/db/client');
  const { migrateDb } = await import('./server/db/migrate');
  const { log } = await import('./server/log');
  const handle = getDbHandle();
  await migrateDb(handle);
  log.info({ db: handle.kind, ms: Math.round(performance.now() - started) }, 'database ready: migrations applied');
  // The request guard (proxy.ts) answers the pages of withdrawn snapshots 410: tell it which they are.
  const { loadWithdrawnSlugs } = await import('./server/dashboards/public');
  const withdrawn = await loadWithdrawnSlugs(handle.db);
  log.info({ withdrawn }, 'withdrawn snapshots known to the request guard');
  // tRPC queries for scripts/start.mjs to serve without Next's request pipeline (server/trpc/node-api.ts).
  const { registerNodeApi } = await import('./server/trpc/node-api');
  registerNodeApi();
  // Published pages from memory for scripts/start.mjs (server/dashboards/published-page-cache.ts).
  const { registerPublishedPageServer } = await import('./server/dashboards/published-page-cache');
  registerPublishedPageServer();
  // Embedded workflow engine (no INNGEST_* configuration): resume the runs a restart interrupted.
  const { startWorkflows } = await import('./server/workflows');
  void startWorkflows().catch((err: unknown) => log.error({ err }, 'could not start the workflow executor'));
}
