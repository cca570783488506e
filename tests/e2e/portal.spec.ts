import { expect, test, type Page } from '@playwright/test';

// Two people, two browsers: the first creates a workspace and an experiment and invites the
// second as viewer; the second sees the experiment but cannot edit it; both sign out.
// Every page visited is saved as a screenshot under test-results/screenshots/.

const stamp = Date.now().toString(36);
const ada = { email: `ada-${stamp}@example.com`, password: 'analytical-engine-1843' };
const alan = { email: `alan-${stamp}@example.com`, password: 'enigma-machine-1912' };

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

async function signUp(page: Page, who: { email: string; password: string }) {
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Create your account' }).click();
  await expect(page).toHaveURL(/\/home$/);
  await expect(page.getByTestId('current-user')).toHaveText(who.email);
}

test('two users share an experiment with viewer access', async ({ browser }) => {
  const adaCtx = await browser.newContext();
  const alanCtx = await browser.newContext();
  const a = await adaCtx.newPage();
  const b = await alanCtx.newPage();

  // The landing page, and the guard sending a signed-out visitor to sign-in.
  await a.goto('/');
  await expect(a.getByRole('heading', { level: 1 })).toContainText('face network');
  await shot(a, '01-landing');
  await a.goto('/home');
  await expect(a).toHaveURL(/\/sign-in\?next=%2Fhome$/);
  await shot(a, '02-sign-in');

  // A weak password is refused with a message on the field.
  await a.goto('/sign-up');
  await a.getByLabel('Email').fill(ada.email);
  await a.getByLabel('Password').fill('short');
  await a.getByRole('button', { name: 'Create your account' }).click();
  await expect(a.getByText('Password must be at least 10 characters.')).toBeVisible();
  await expect(a.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await shot(a, '03-sign-up-error');

  await signUp(a, ada);
  await signUp(b, alan);
  await shot(a, '04-home');

  // Ada: a workspace, an experiment in it, Alan invited as viewer.
  await a.getByLabel('New workspace').fill('Vision lab');
  await a.getByRole('button', { name: 'Create workspace' }).click();
  await expect(a.getByRole('heading', { level: 1, name: 'Vision lab' })).toBeVisible();
  await a.getByLabel('New experiment').fill('Shape vs texture');
  await a.getByRole('button', { name: 'Create experiment' }).click();
  await expect(a.getByTestId('experiment-name')).toHaveText('Shape vs texture');
  await a.getByLabel('Description').fill('Does the network generalise across shape or texture changes?');
  await a.getByRole('button', { name: 'Save changes' }).click();
  await expect(a.getByText('Saved.')).toBeVisible();
  await shot(a, '05-experiment-editor');
  const experimentUrl = a.url();
  await a.getByRole('link', { name: 'Vision lab' }).click();
  await a.getByLabel('Invite by email').fill(alan.email);
  await a.getByLabel('Role', { exact: true }).selectOption('viewer');
  await a.getByRole('button', { name: 'Invite' }).click();
  await expect(a.getByText(`${alan.email} was invited as viewer`)).toBeVisible();
  await expect(a.getByTestId('member-list')).toContainText(alan.email);
  await a.getByLabel('Search experiments').fill('texture');
  await expect(a.getByTestId('experiment-list')).toContainText('Shape vs texture');
  await shot(a, '06-workspace');

  // Alan: accepts the invitation, then sees the workspace and the experiment, read-only.
  await b.reload();
  await b.getByRole('button', { name: 'Accept the invitation to Vision lab' }).click();
  await expect(b.getByTestId('workspace-list')).toContainText('Vision lab');
  await expect(b.getByTestId('recent-experiments')).toContainText('Shape vs texture');
  await b.getByRole('link', { name: 'Vision lab' }).click();
  await expect(b.getByTestId('my-role')).toHaveText('viewer');
  await expect(b.getByRole('button', { name: 'Create experiment' })).toHaveCount(0);
  await b.getByRole('link', { name: 'Shape vs texture' }).click();
  await expect(b).toHaveURL(experimentUrl);
  await expect(b.getByTestId('read-only-notice')).toBeVisible();
  await expect(b.getByText('Does the network generalise across shape or texture changes?')).toBeVisible();
  await expect(b.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
  await shot(b, '07-experiment-viewer');
  // And the server refuses the edit too.
  const experimentId = experimentUrl.split('/').pop();
  const res = await b.request.post('/api/trpc/experiment.update', { data: { experimentId, config: { name: 'hijacked' } } });
  expect(res.status()).toBe(403);

  // Both sign out; the guard sends them back to sign-in.
  for (const page of [a, b]) {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto('/home');
    await expect(page).toHaveURL(/\/sign-in\?next=/);
  }
  await shot(b, '08-signed-out');
  await adaCtx.close();
  await alanCtx.close();
});
