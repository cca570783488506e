import { defineConfig } from 'vitest/config';
import path from 'node:path';

// The unit and integration suites: tests/<area>/*.test.ts. Playwright's e2e specs (tests/e2e/*.spec.ts)
// are not run by vitest: `npm test` runs `playwright test` after it (package.json).
export default defineConfig({
  resolve: { alias: { '@': path.resolve(__dirname) } },
  test: {
    include: ['tests/**/*.test.ts'],
    // DEEPER_WASM_THREADS & co. reach the libraries through the entry, as in main.ts and cli.ts
    setupFiles: ['tests/runtime-env.setup.ts'],
    exclude: ['tests/e2e/**/*.spec.ts', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
