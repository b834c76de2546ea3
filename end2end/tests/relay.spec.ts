import { test, expect } from '../fixtures';
import type { Page } from '@playwright/test';
import { STAFF_PASSWORD } from '../global-setup';

// Settings → Your platform: an admin adds an event endpoint (the sandbox's sink), the portal's
// events reach it signed under Standard Webhooks, the row shows the delivery and its log; it
// pauses and resumes; a relay destination signed like Meta; a refused URL says why.

async function signIn(page: Page, email: string, next: string) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(STAFF_PASSWORD);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('who')).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('an admin sends the portal events to an endpoint and watches them arrive', async ({ page, request, baseURL }) => {
  await signIn(page, 'admin@e2e.test', '/settings');
  const section = page.getByTestId('relay');
  const sink = `e2e-${Date.now()}`;
  const url = new URL(`/sandbox/sink/${sink}`, baseURL).toString();

  // A URL that is not http(s) is refused with the reason.
  await section.getByTestId('events-url').fill('ftp://files.example.com/events');
  await section.getByTestId('create-endpoint').click();
  await expect(section.getByTestId('destination-error')).toContainText('http or https');

  await section.getByTestId('events-url').fill(url);
  await section.getByTestId('events-types').fill('signup.*');
  await section.getByTestId('create-endpoint').click();
  const secret = (await section.getByTestId('new-destination-secret').textContent())!.trim();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
  const row = section.locator(`[data-testid="destination-row"][data-url="${url}"]`);
  await expect(row).toHaveAttribute('data-kind', 'events');
  await expect(row).toContainText('signup.*');

  // The sink checks signatures with the secret; a signup starting is an event.
  const configured = await request.post(`/sandbox/api/sinks/${sink}`, { data: { secret } });
  expect(configured.status()).toBe(200);
  const started = await request.post('/api/signup_start', { form: { campaign: 'e2e-events' } });
  expect(started.status()).toBe(200);
  await expect
    .poll(
      async () => {
        const view = await (await request.get(`/sandbox/api/sinks/${sink}`)).json();
        return view.requests
          .filter((r: { signature: string }) => r.signature === 'valid')
          .map((r: { body: string }) => JSON.parse(r.body))
          .some((e: { type: string; data: { campaign: string } }) =>
            e.type === 'signup.started' && e.data.campaign === 'e2e-events');
      },
      { timeout: 15_000 },
    )
    .toBe(true);

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(row.getByTestId('destination-health')).toContainText('delivered');
  await expect(row.getByTestId('destination-health')).not.toContainText('0 delivered');
  await row.getByTestId('toggle-deliveries').click();
  await expect(row.getByTestId('delivery-log')).toContainText('signup.started');

  // A relay destination for Meta's webhooks, signed like Meta: no secret of its own.
  await section.getByTestId('relay-url').fill(new URL('/sandbox/sink/e2e-relay', baseURL).toString());
  await section.getByTestId('relay-fields').fill('messages, account_update');
  await section.getByTestId('create-relay').click();
  await expect(section.getByTestId('new-destination')).toContainText('signed like Meta');
  const relayRow = section.locator('[data-testid="destination-row"][data-kind="relay"]').first();
  await expect(relayRow).toContainText('account_update, messages');

  await page.setViewportSize({ width: 1280, height: 900 });
  await section.screenshot({ path: 'test-results/relay-settings.png' });
  await page.setViewportSize({ width: 390, height: 844 });
  await section.screenshot({ path: 'test-results/relay-settings-phone.png' });
  await page.setViewportSize({ width: 1280, height: 900 });

  await row.getByTestId('pause-destination').click();
  await expect(row.getByTestId('destination-state')).toContainText('Paused: paused by admin@e2e.test');
  await row.getByTestId('pause-destination').click();
  await expect(row.getByTestId('destination-state')).toHaveText('Active');
  await row.getByTestId('replay-destination').click();
  await expect(section.getByTestId('relay-replayed')).toContainText('will be sent again');

  await relayRow.getByTestId('delete-destination').click();
  await row.getByTestId('delete-destination').click();
  await expect(section.locator(`[data-testid="destination-row"][data-url="${url}"]`)).toHaveCount(0);
});
