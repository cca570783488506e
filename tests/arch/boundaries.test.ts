/**
 * The import check (`npm run check:imports`, .dependency-cruiser.cjs) run on small fixture trees: a
 * tree with one forbidden import per rule must fail and name every rule; a tree that follows
 * DESIGN.md must pass. If the checker stops working (bad config, rules that match nothing), this fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const config = path.join(root, '.dependency-cruiser.cjs');
const depcruise = path.join(root, 'node_modules/.bin/depcruise');
const made: string[] = [];

/** Writes files { relative path: source } into a fresh tree that resolves packages from the repository. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-arch-'));
  made.push(dir);
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] }, jsx: 'react-jsx' } }));
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), source);
  }
  return dir;
}

/** Runs the repository's check on a tree: exit code and the report. */
function check(dir: string): { code: number; report: string } {
  try {
    const out = execFileSync(depcruise, ['app', 'server', 'workers', '--config', config, '--output-type', 'err'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, report: out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, report: `${err.stdout}${err.stderr}` };
  }
}

// a minimal project: the pieces every fixture shares
const base: Record<string, string> = {
  'workers/contract/index.ts': "export const RUN_STATUSES = ['queued', 'done'] as const;\nexport type RunStatus = (typeof RUN_STATUSES)[number];\n",
  'workers/faces/index.ts': "export { createRng } from './rng';\n",
  'workers/faces/rng.ts': 'export function createRng(seed: number): () => number { return () => seed; }\n',
  'workers/faces/model.ts': 'export interface FaceModel { vertexCount: number }\n',
  'server/trpc/router.ts': "import { RUN_STATUSES } from '../../workers/contract';\nexport const appRouter = { statuses: RUN_STATUSES };\nexport type AppRouter = typeof appRouter;\n",
  'app/api/trpc/route.ts': "import { appRouter } from '@/server/trpc/router';\nexport const GET = () => appRouter;\n",
  'workers/util/index.ts': "export { mulberry32 } from './random';\n",
  'workers/util/random.ts': 'export function mulberry32(seed: number): () => number { return () => seed; }\n',
  'server/trpc/procedures.ts': "import { workspaceOfRun } from '../dashboards/scope';\nexport const runProcedure = workspaceOfRun;\n",
  'server/dashboards/scope.ts': 'export async function workspaceOfRun(id: string): Promise<string> { return id; }\n',
  'server/trpc/routers/runs.ts': "import { runProcedure } from '../procedures';\nexport const runsRouter = { runProcedure };\n",
  'server/storage/serve.ts': 'export const serve = (key: string) => key;\n',
  'server/auth/roles.ts': "export const ROLES = ['viewer'] as const;\n",
};

describe('import boundaries (dependency-cruiser, DESIGN.md rules)', () => {
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('passes a tree that follows the rules (type imports may reach inside a package)', () => {
    const dir = tree({
      ...base,
      'workers/analyses/noise.ts':
        "import { createRng } from '../faces';\nimport type { FaceModel } from '../faces/model';\nimport type { RunStatus } from '../contract';\n" +
        'export const noise = (m: FaceModel, s: RunStatus) => createRng(m.vertexCount + s.length)();\n',
      'workers/nn/data.ts': "import { mulberry32 } from '../util';\nexport const rng = mulberry32;\n",
      'server/dashboards/artifacts.ts': "import { ROLES } from '../auth/roles';\nimport { serve } from '../storage/serve';\nexport const route = () => serve(ROLES[0]);\n",
      'workers/functions/save.ts': "import { writeFileSync } from 'node:fs';\nexport const save = writeFileSync;\n",
      'app/components/Status.tsx': "import type { AppRouter } from '@/server/trpc/router';\nimport type { RunStatus } from '@/workers/contract';\nexport type Props = { router?: AppRouter; status: RunStatus };\n",
    });
    const r = check(dir);
    expect(r.report).toMatch(/no dependency violations found/);
    expect(r.code).toBe(0);
  }, 30_000);

  it('fails on each forbidden import and names the rule', () => {
    const dir = tree({
      ...base,
      'workers/analyses/leak.ts': "import { appRouter } from '../../server/trpc/router';\nexport const leak = appRouter;\n",
      'workers/analyses/ui.ts': "import { useState } from 'react';\nexport const ui = useState;\n",
      'workers/analyses/deep.ts': "import { createRng } from '../faces/rng';\nexport const deep = createRng;\n",
      'server/dashboards/mesh.ts': "import type { FaceModel } from '../../workers/faces/model';\nimport { createRng } from '../../workers/faces';\nexport const mesh = (m: FaceModel) => createRng(m.vertexCount);\n",
      'app/components/Face.tsx': "import { createRng } from '@/workers/faces';\nexport const face = createRng;\n",
      'app/components/Runs.tsx': "import { RUN_STATUSES } from '@/workers/contract';\nimport { appRouter } from '@/server/trpc/router';\nexport const runs = [RUN_STATUSES, appRouter];\n",
      'workers/util/seeded.ts': "import { createRng } from '../faces';\nexport const seeded = createRng;\n",
      'server/dashboards/leakyScope.ts': "import { runProcedure } from '../trpc/procedures';\nexport const scoped = runProcedure;\n",
      'server/trpc/routers/comments.ts': "import { runsRouter } from './runs';\nexport const commentsRouter = runsRouter;\n",
      'server/storage/authorised.ts': "import { ROLES } from '../auth/roles';\nexport const authorised = ROLES;\n",
      'workers/analyses/disk.ts': "import { readFileSync } from 'node:fs';\nimport { readFile } from 'fs/promises';\nexport const disk = [readFileSync, readFile];\n",
    });
    const r = check(dir);
    expect(r.code).not.toBe(0);
    for (const rule of [
      'workers-not-to-web-tier', 'workers-no-web-frameworks', 'workers-package-through-index', 'server-only-workers-contract',
      'app-no-workers', 'app-no-workers-contract-code', 'app-server-through-trpc-types',
      'workers-util-is-a-leaf', 'workers-libraries-no-fs', 'server-trpc-on-top', 'routers-not-each-other', 'storage-at-the-bottom',
    ]) expect(r.report, rule).toContain(rule);
    // 12 forbidden edges: leak, react, deep, the server's type and value imports of faces, Face.tsx, Runs.tsx x2,
    // util → faces, dashboards → trpc, router → router, storage → auth, a library → node:fs and fs/promises
    expect(r.report).toMatch(/x 14 dependency violations/);
  }, 30_000);
});
