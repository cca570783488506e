/**
 * The import rules of ../shared/DESIGN.md ("Which way things flow"), checked by
 * `npm run check:imports` (part of `npm test`, so CI fails on a forbidden import).
 * tests/arch/boundaries.test.ts runs this same configuration on a fixture tree with a forbidden
 * import and expects a failure, so the check cannot silently stop working.
 *
 * Paths are relative to the folder the check runs in (the repository root, or a fixture root).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'workers-not-to-web-tier',
      severity: 'error',
      comment: 'workers/ imports nothing from app/ or server/ (DESIGN.md: workers/ is compute).',
      from: { path: '^workers/' },
      to: { path: '^(app|server)/' },
    },
    {
      name: 'workers-no-web-frameworks',
      severity: 'error',
      comment: 'workers/ never loads the web frameworks: next, react, tRPC, drizzle.',
      from: { path: '^workers/' },
      to: { path: '(^|/)node_modules/(next|react|react-dom|@trpc/[^/]+|drizzle-orm|drizzle-kit)/' },
    },
    {
      name: 'server-only-workers-contract',
      severity: 'error',
      comment: 'server/ imports workers/contract and nothing else of workers/.',
      from: { path: '^server/' },
      to: { path: '^workers/', pathNot: '^workers/contract/' },
    },
    {
      name: 'app-no-workers',
      severity: 'error',
      comment: 'app/ imports nothing of workers/ but the contract types.',
      from: { path: '^app/' },
      to: { path: '^workers/', pathNot: '^workers/contract/' },
    },
    {
      name: 'app-no-workers-contract-code',
      severity: 'error',
      comment: 'app/ may take types from workers/contract (import type), never its code.',
      from: { path: '^app/' },
      to: { path: '^workers/contract/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'app-server-through-trpc-types',
      severity: 'error',
      comment:
        'app/ reaches server/ through tRPC: client code imports types only. Route handlers ' +
        '(app/**/route.ts: trpc, inngest, artifacts) and server components (page.tsx, layout.tsx) run on ' +
        'the server and may call server code.',
      from: { path: '^app/', pathNot: '(^|/)(route\\.ts|page\\.tsx|layout\\.tsx)$' },
      to: { path: '^server/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workers-package-through-index',
      severity: 'error',
      comment:
        'Another workers package is imported through its index.ts. `import type` may reach inside ' +
        '(so that worker threads do not load tfjs through an index).',
      from: { path: '^workers/([^/]+)/' },
      to: {
        path: '^workers/[^/]+/',
        pathNot: ['^workers/$1/', '^workers/[^/]+/(importers/)?index\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workers-util-is-a-leaf',
      severity: 'error',
      comment: 'workers/util (RNGs, linear algebra, sha256, atomic writes) imports no other workers package: all of them may import it.',
      from: { path: '^workers/util/' },
      to: { path: '^workers/', pathNot: '^workers/util/' },
    },
    {
      name: 'workers-libraries-no-fs',
      severity: 'error',
      comment:
        'workers/ libraries do no file I/O (DESIGN.md, workers/IO.md): only the edges (functions/, cli/, main.ts, ' +
        'cli.ts) import node:fs, and the named exceptions: util/files.ts and hash.ts (the I/O primitives the edges ' +
        'call), the wasm loaders (nn/kernels/simd.ts, nn/wasm-threads.ts), the built-in face models and their cache ' +
        '(faces/default-model.ts, faces/ict/ict-model.ts, faces/ict/model-cache.ts) and the HDF5 importer ' +
        '(faces/importers/bfm.ts: h5wasm opens files by path).',
      from: {
        path: '^workers/',
        pathNot: [
          '^workers/(functions|cli)/', '^workers/(main|cli)\\.ts$', '^workers/util/(files|hash)\\.ts$',
          '^workers/nn/(kernels/simd|wasm-threads)\\.ts$', '^workers/faces/(default-model|ict/ict-model|ict/model-cache|importers/bfm)\\.ts$',
        ],
      },
      to: { dependencyTypes: ['core'], path: '^(node:)?fs(/promises)?$' },
    },
    {
      name: 'server-trpc-on-top',
      severity: 'error',
      comment:
        'The tRPC layer (server/trpc) is the top of server/: nothing else in server/ imports it ' +
        '(dashboards, storage, auth, workflows, humans are called by the routers, never the other way).',
      from: { path: '^server/', pathNot: '^server/trpc/' },
      to: { path: '^server/trpc/' },
    },
    {
      name: 'routers-not-each-other',
      severity: 'error',
      comment:
        'A router (server/trpc/routers/<name>.ts) imports no other router: procedure helpers are in ' +
        'server/trpc/procedures.ts, shared inputs in server/trpc/inputs.ts.',
      from: { path: '^server/trpc/routers/([^/]+)\\.ts$' },
      to: { path: '^server/trpc/routers/', pathNot: '^server/trpc/routers/$1\\.ts$' },
    },
    {
      name: 'storage-at-the-bottom',
      severity: 'error',
      comment:
        'server/storage stores and serves bytes; who may read them is decided above it ' +
        '(server/dashboards/artifacts.ts, server/dashboards/public.ts): it imports no auth, tRPC, dashboards or workflows.',
      from: { path: '^server/storage/' },
      to: { path: '^server/(auth|trpc|dashboards|workflows|humans|uploads)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(\\.next|\\.data[^/]*|test-results|node_modules/\\.cache)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
