import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// The config is loaded by the runner and again by each worker: pick the port and the data folder
// once and pass them down through the environment.
if (!process.env.E2E_PORT) {
  const script = "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  process.env.E2E_PORT = execFileSync(process.execPath, ['-e', script]).toString().trim();
}
if (!process.env.E2E_DATA_DIR) {
  process.env.E2E_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'deeper-e2e-'));
  // Once, in the runner, before the web server opens the database: a user with an experiment and
  // two finished runs holding real maps (tests/e2e/seed.ts), for specs whose subject is not a run.
  // And a team with a finished run holding stored stimuli, for the human-observer sessions
  // (tests/e2e/humans.seed.ts). PGlite has one owner: the seeds run one after the other.
  for (const seed of ['tests/e2e/seed.ts', 'tests/e2e/humans.seed.ts'])
    execFileSync(process.execPath, ['--import', 'tsx', seed], { env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR, LOG_LEVEL: 'warn' }, stdio: 'inherit' });
}
const port = Number(process.env.E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 300_000, // generous: two cores shared with other suites make single steps slow
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium (Playwright's browser download cannot work here). GPU flags stay at their
      // defaults so that software WebGL (SwiftShader) keeps working for the 3D viewer.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    // The production build, as `npm start` serves it, on a free port with a fresh database.
    command: 'node scripts/start.mjs',
    url: `${baseURL}/sign-in`,
    timeout: 420_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: process.env.E2E_DATA_DIR, LOG_LEVEL: 'warn' },
  },
});
