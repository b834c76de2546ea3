import { test, expect } from '../fixtures';
import type { Page } from '@playwright/test';
import { STAFF_PASSWORD } from '../global-setup';

// Settings → Partner API: an admin makes a key, the partner's system uses it on /api/v1, the
// admin revokes it and the next call is refused; the token hand-off switch flips.

async function signIn(page: Page, email: string, next: string) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(STAFF_PASSWORD);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('who')).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('an admin makes a scoped key, the API takes it, revoking it ends it', async ({ page }) => {
  await signIn(page, 'admin@e2e.test', '/settings');
  const section = page.getByTestId('api-keys');
  const name = `CRM ${Date.now()}`;
  await section.getByTestId('api-key-name').fill(name);
  // No scope ticked: a clear refusal, nothing made.
  await section.getByTestId('create-api-key').click();
  await expect(section.getByTestId('api-key-error')).toContainText('scope');
  await section.getByTestId('scope-wabas:read').check();
  await section.getByTestId('create-api-key').click();
  const secret = (await section.getByTestId('new-api-key-value').textContent())!.trim();
  expect(secret).toMatch(/^mmp_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
  const prefix = secret.slice(0, 12);
  const row = section.locator(`[data-testid="api-key-row"][data-prefix="${prefix}"]`);
  await expect(row).toContainText(name);
  await expect(row.getByTestId('api-key-state')).toHaveText('Active');

  const call = () =>
    page.request.get('/api/v1/wabas?limit=5', { headers: { authorization: `Bearer ${secret}` } });
  const ok = await call();
  expect(ok.status()).toBe(200);
  const body = await ok.json();
  expect(Array.isArray(body.data)).toBe(true);
  expect('next_cursor' in body).toBe(true);
  const denied = await page.request.post('/api/v1/intents', {
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    data: { filter: {} },
  });
  expect(denied.status()).toBe(403);
  expect((await denied.json()).detail).toContain('intents:write');

  await page.setViewportSize({ width: 1280, height: 900 });
  await section.screenshot({ path: 'test-results/partner-api-settings.png' });
  await page.setViewportSize({ width: 390, height: 844 });
  await section.screenshot({ path: 'test-results/partner-api-settings-phone.png' });
  await page.setViewportSize({ width: 1280, height: 900 });

  await row.getByTestId('revoke-api-key').click();
  await expect(row.getByTestId('api-key-state')).toHaveText('Revoked');
  const refused = await call();
  expect(refused.status()).toBe(401);
  expect(refused.headers()['content-type']).toBe('application/problem+json');

  // The hand-off switch: off by default, turned on and off again.
  const handoff = section.getByTestId('token-handoff');
  await expect(handoff.getByTestId('token-handoff-state')).toHaveText('Off.');
  await handoff.getByTestId('toggle-token-handoff').click();
  await expect(handoff.getByTestId('token-handoff-state')).toHaveText('On.');
  await handoff.getByTestId('toggle-token-handoff').click();
  await expect(handoff.getByTestId('token-handoff-state')).toHaveText('Off.');
});

test('the API reference page lists the routes and the problems', async ({ page }) => {
  await page.goto('/api/v1/docs');
  await expect(page.locator('h1')).toHaveText('MM Portal partner API');
  await expect(page.locator('body')).toContainText('/wabas/{waba_id}/token');
  await expect(page.locator('#problem-missing-scope')).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/api-reference-phone.png', fullPage: false });
});
