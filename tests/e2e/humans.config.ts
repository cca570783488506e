import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

/**
 * tests/e2e/humans.spec.ts needs a seeded run (stored stimuli) in the server's fresh database, which
 * only a process started before the server can write (PGlite has one owner): this config runs
 * tests/e2e/humans.seed.ts, then the server, exactly as the base config serves it.
 *   npx playwright test -c tests/e2e/humans.config.ts
 */
process.env.E2E_HUMANS_SEEDED = '1';
const root = process.cwd();

export default defineConfig({
  ...base,
  testDir: root + '/tests/e2e',
  testMatch: 'humans.spec.ts',
  outputDir: root + '/test-results/e2e-humans',
  webServer: { ...(base.webServer as object), cwd: root, command: 'node --import tsx tests/e2e/humans.seed.ts && node scripts/start.mjs' } as typeof base.webServer,
});
