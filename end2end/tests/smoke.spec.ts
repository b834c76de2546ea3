import { test, expect } from '../fixtures';

test('overview hydrates and re-checks system health through a server function', async ({
  hydratedPage,
}, testInfo) => {
  const page = await hydratedPage('/');
  await expect(page).toHaveTitle('Overview · MM Portal');
  await expect(page.getByTestId('db-state')).toHaveText('reachable');
  await expect(page.getByTestId('checks-done')).toHaveText('Checked when the page loaded.');

  // The button only works once the WebAssembly is running: a click re-runs the health check
  // through the `system_health` server function.
  await page.getByTestId('check-health').click();
  await expect(page.getByTestId('checks-done')).toHaveText('Re-checked once since the page loaded.');
  await page.getByTestId('check-health').click();
  await expect(page.getByTestId('checks-done')).toHaveText('Re-checked 2 times since the page loaded.');
  await expect(page.getByTestId('health-details')).toContainText('sqlite');

  await page.screenshot({ path: testInfo.outputPath('overview.png'), fullPage: true });
  await testInfo.attach('overview', { path: testInfo.outputPath('overview.png'), contentType: 'image/png' });
});

test('the navigation menu opens on a narrow screen', async ({ hydratedPage, page }) => {
  await page.setViewportSize({ width: 420, height: 800 });
  await hydratedPage('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeHidden();
  await page.getByRole('button', { name: 'Toggle navigation' }).click();
  await expect(nav).toBeVisible();
  await expect(page.getByRole('button', { name: 'Toggle navigation' })).toHaveAttribute('aria-expanded', 'true');
});

test('an unknown address shows the 404 page with a 404 status', async ({ page }, testInfo) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId('not-found')).toContainText('Page not found');
  await expect(page).toHaveTitle('Page not found · MM Portal');
  await page.screenshot({ path: testInfo.outputPath('not-found.png') });
});

test('healthz reports the database as JSON', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
  expect(response.headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const body = await response.json();
  expect(body.status).toBe('ok');
  expect(body.mode).toBe('sandbox');
  expect(body.database).toMatchObject({ backend: 'sqlite', reachable: true });
});
