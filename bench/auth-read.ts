/**
 * Where an authorised read's server time goes (issue 13, load): times N sequential
 * experiment.list calls through the real handler on PGlite, and the pieces: the session lookup
 * (validateSession), the role check (roleIn) and the list queries. Ends with one JSON line.
 *   npx tsx bench/auth-read.ts [N]
 */
import { createTestDb } from '../tests/server/db';
import { signUpUser } from '../tests/server/callers';
import { handleTrpc } from '../server/trpc/handler';
import { validateSession } from '../server/auth/sessions';
import { roleIn } from '../server/auth/roles';
import { SESSION_COOKIE } from '../server/config';

const N = Number(process.argv[2] ?? 200);
const h = await createTestDb('pglite');
const u = await signUpUser(h.db, 'bench@example.com');
for (let i = 0; i < 20; i++) await u.caller.experiment.create({ workspaceId: u.personalWorkspaceId, config: { name: `e${i}` } });
const input = encodeURIComponent(JSON.stringify({ workspaceId: u.personalWorkspaceId }));

async function time(label: string, fn: () => Promise<unknown>): Promise<[string, number]> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  return [label, Math.round(((performance.now() - t0) / N) * 1000) / 1000];
}

const http = async () => {
  const res = await handleTrpc(new Request(`http://localhost/api/trpc/experiment.list?input=${input}`, { headers: { cookie: `${SESSION_COOKIE}=${u.token}` } }), { db: h.db });
  await res.text();
};
const withCache = (ms: string, fn: () => Promise<unknown>) => async () => {
  process.env.SESSION_CACHE_MS = ms;
  return fn();
};
// The machine is shared: alternate the variants three times and keep each one's best.
const rounds: [string, number][][] = [];
for (let r = 0; r < 3; r++)
  rounds.push([
    await time('select1Ms', () => h.db.execute('select 1')),
    await time('sessionLookupMs', withCache('0', () => validateSession(h.db, u.token))),
    await time('roleCheckMs', () => roleIn(h.db, u.id, u.personalWorkspaceId)),
    await time('experimentListProcedureMs', () => u.caller.experiment.list({ workspaceId: u.personalWorkspaceId })),
    await time('experimentListHttpNoSessionCacheMs', withCache('0', http)),
    await time('experimentListHttpMs', withCache('5000', http)),
  ]);
const results = Object.fromEntries(rounds[0]!.map(([k], i) => [k, Math.min(...rounds.map((r) => r[i]![1]))]));
await h.close();
console.log(JSON.stringify({ bench: 'authRead', n: N, database: 'pglite', ...results }));
