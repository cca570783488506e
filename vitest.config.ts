import { defineConfig } from 'vitest/config';
import path from 'node:path';

// One runner for the whole suite. Suites live in tests/<area>/; Playwright's e2e specs are run
// from a vitest wrapper (tests/e2e/*.test.ts) so that `npm test` covers everything.
export default defineConfig({
  resolve: { alias: { '@': path.resolve(__dirname) } },
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**/*.spec.ts', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
