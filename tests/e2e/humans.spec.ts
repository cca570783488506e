import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

/**
 * Issue 15.1 end to end, in Chromium: the team creates a participant link on a seeded run's stored
 * stimuli; two participants (a phone and a laptop) complete a short session with the keyboard only:
 * consent (Space, Tab, Enter), then per trial a digit for the face, a digit 1–4 for the
 * confidence, Enter. One reloads mid-session and resumes at the next unanswered trial; one answers
 * the attention checks wrongly and lets one trial run out of time. The team analyses the stored
 * responses: both participants are listed, the inattentive one flagged and excluded, the pooled
 * curves and the reverse-correlation maps (answered "Is this face N?" with Y / N) beside the
 * network's shown. Screenshots: docs/screenshots/humans-participant.png, humans-participant-rc.png,
 * humans-dashboard.png.
 * Needs the seed, which playwright.config.ts runs before the server starts (tests/e2e/humans.seed.ts).
 */

function seed(): { runId: string; email: string; password: string } {
  return JSON.parse(readFileSync(path.join(process.env.E2E_DATA_DIR!, 'humans-e2e.json'), 'utf8'));
}

/** Answers trials with the keyboard until `stopAfter` trials or the end; returns what was done. */
async function answer(page: Page, opts: { attentive: boolean; stopAfter?: number; timeOutTrial?: number; rcScreenshot?: string }) {
  let n = 0;
  let rc = 0;
  for (;;) {
    const done = page.getByTestId('hs-done');
    const trial = page.getByTestId('hs-trial');
    await expect(done.or(trial)).toBeVisible();
    if (await done.isVisible()) return n;
    if (opts.stopAfter !== undefined && n >= opts.stopAfter) return n;
    const index = Number(await trial.getAttribute('data-trial'));
    await expect(page.locator('img.hs-stimulus')).toBeVisible();
    const label = page.getByTestId('hs-label');
    const text = (await label.count()) ? await label.innerText() : '';
    const shown = /face (\d)/.exec(text)?.[1];
    const check = text.startsWith('Check');
    const ask = page.getByTestId('hs-ask');
    if (index === opts.timeOutTrial && !shown) {
      // No key: the time limit stores response −1 and moves on.
    } else if (await ask.count()) {
      // "Is this face N?" on a noise image: Y and N in turn.
      if (rc === 0 && opts.rcScreenshot) await page.screenshot({ path: opts.rcScreenshot, fullPage: true });
      await page.keyboard.press(rc++ % 2 === 0 ? 'y' : 'n');
      await page.keyboard.press('2');
      await page.keyboard.press('Enter');
    } else {
      const face = check && !opts.attentive ? (shown === '3' ? '1' : '3') : (shown ?? '1');
      await page.keyboard.press(face);
      await page.keyboard.press(check ? '4' : '3');
      await page.keyboard.press('Enter');
    }
    await expect(page.getByTestId('hs-done').or(page.locator(`[data-testid="hs-trial"]:not([data-trial="${index}"])`))).toBeVisible({ timeout: 30_000 });
    n++;
  }
}

test('two participants complete a session by keyboard; the dashboard shows their analysed responses', async ({ browser }) => {
  test.setTimeout(600_000);
  mkdirSync('docs/screenshots', { recursive: true });
  const s = seed();
  const team = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  await team.goto('/sign-in');
  await team.getByLabel('Email').fill(s.email);
  await team.getByLabel('Password').fill(s.password);
  await team.getByRole('button', { name: 'Sign in' }).click();
  await expect(team).toHaveURL(/\/home$/);
  await team.goto(`/runs/${s.runId}`);
  await expect(team.getByRole('heading', { name: 'Human observers' })).toBeVisible();
  await team.getByText('New participant link').click();
  await team.getByLabel('Seconds per trial').fill('6');
  await team.getByLabel('Trials (cap)').fill('30');
  await team.getByLabel('Attention checks').fill('2');
  await team.getByRole('button', { name: 'Create link' }).click();
  const link = await team.getByTestId('human-link').first().getAttribute('href');
  expect(link).toMatch(/\/h\/[A-Za-z0-9_-]{22}$/);
  await expect(team.getByTestId('human-state')).toHaveText('open');

  // Participant A on a phone: consent by keyboard, three trials, reload, resume, finish.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const a = await phone.newPage();
  await a.goto(link!);
  await expect(a.getByTestId('consent-text')).toContainText('study of face recognition');
  await expect(a.getByRole('checkbox')).toBeFocused();
  await a.keyboard.press('Space');
  await a.keyboard.press('Tab');
  await a.keyboard.press('Enter');
  await expect(a.getByTestId('hs-trial')).toHaveAttribute('data-trial', '0');
  const codeA = await a.getByTestId('hs-code').innerText();
  expect(await answer(a, { attentive: true, stopAfter: 3 })).toBe(3);
  await a.reload();
  await expect(a.getByTestId('hs-trial')).toHaveAttribute('data-trial', '3');
  await expect(a.getByTestId('hs-code')).toHaveText(codeA);
  await expect(a.locator('img.hs-stimulus')).toBeVisible();
  await a.screenshot({ path: 'docs/screenshots/humans-participant.png', fullPage: true });
  await answer(a, { attentive: true, rcScreenshot: 'docs/screenshots/humans-participant-rc.png' });
  await expect(a.getByTestId('hs-code')).toHaveText(codeA);

  // Participant B on a laptop: fails the attention checks, lets the first test trial time out.
  const laptop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const b = await laptop.newPage();
  await b.goto(link!);
  await expect(b.getByRole('checkbox')).toBeFocused();
  await b.keyboard.press('Space');
  await b.keyboard.press('Tab');
  await b.keyboard.press('Enter');
  await expect(b.getByTestId('hs-trial')).toBeVisible();
  const codeB = await b.getByTestId('hs-code').innerText();
  expect(codeB).not.toBe(codeA);
  await answer(b, { attentive: false, timeOutTrial: 6 });
  await expect(b.getByTestId('hs-done')).toContainText('30 trials');

  // The team analyses the stored responses.
  await team.reload();
  await expect(team.getByTestId('human-counts')).toHaveText('2 participants, 60 responses');
  await team.getByRole('button', { name: 'Analyse responses' }).click();
  await expect(team.getByTestId('human-results')).toBeVisible({ timeout: 120_000 });
  const rows = team.getByTestId('human-participant');
  await expect(rows).toHaveCount(2);
  await expect(team.locator(`[data-testid="human-participant"][data-flagged="true"]`)).toContainText(codeB);
  await expect(team.locator(`[data-testid="human-participant"][data-flagged="false"]`)).toContainText(codeA);
  await expect(team.getByTestId('human-curve')).toHaveCount(2);
  // Reverse correlation: both participants' maps listed, the pooled map (the included participant's 11
  // noise trials) drawn beside the network's on one scale, with prevalence and agreement.
  await expect(team.getByTestId('human-rc-participant')).toHaveCount(2);
  await expect(team.getByTestId('human-prevalence')).toContainText('of 1 included participants');
  await expect(team.getByTestId('human-map-agreement')).toContainText('Pearson r =');
  await expect(team.getByTestId('human-rc-few')).toContainText('Only 11 pooled noise trials');
  const maps = team.getByTestId('human-map');
  await expect(maps.getByTestId('viewer-primary').locator('canvas')).toBeVisible({ timeout: 30_000 });
  await expect(maps.getByTestId('viewer-compare').locator('canvas')).toBeVisible({ timeout: 30_000 });
  await team.getByRole('heading', { name: 'Human observers' }).scrollIntoViewIfNeeded();
  await team.screenshot({ path: 'docs/screenshots/humans-dashboard.png', fullPage: true });

  // A withdrawn link and an unknown one get a page that says so.
  await team.getByRole('button', { name: 'Withdraw link' }).click();
  await expect(team.getByTestId('human-state')).toHaveText('unpublished');
  await a.goto(link!);
  await expect(a.locator('[data-link-state="unpublished"]')).toContainText('withdrawn');
  await a.goto('/h/AAAAAAAAAAAAAAAAAAAAAA');
  await expect(a.locator('[data-link-state="unknown"]')).toContainText('does not exist');
});
