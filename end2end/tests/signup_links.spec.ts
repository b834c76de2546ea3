import { test, expect, ftl } from '../fixtures';
import type { Page } from '@playwright/test';
import { STAFF_PASSWORD } from '../global-setup';

// Signup links: an operator makes a link for one customer on /signup-links, the business opens
// it, Meta's window (the simulator's) opens pre-filled, the signup completes, and the WABA page
// shows the partner's customer id. A revoked link gets a page that says so.

async function signIn(page: Page, role: string, next: string) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.locator('#email').fill(`${role}@e2e.test`);
  await page.locator('#password').fill(STAFF_PASSWORD);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('who')).toContainText(`E2E ${role}`);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function makeLink(page: Page, customer: string, business: string) {
  await page.getByTestId('link-customer').fill(customer);
  await page.getByTestId('link-business').fill(business);
  await page.locator('#link_code').fill('55');
  await page.locator('#link_number').fill('11 94444 0101');
  await page.locator('#link_country').fill('br');
  await page.getByTestId('create-link').click();
  const url = (await page.getByTestId('new-link-url').textContent())!.trim();
  expect(url).toMatch(/\/signup\/link\/[A-Za-z0-9_-]{32}$/);
  return new URL(url).pathname;
}

test('a signup link made on the staff page carries the customer id to the WABA page', async ({ page }) => {
  test.setTimeout(90_000);
  const customer = `crm-${Date.now()}`;
  const business = `Linked Lemons ${Date.now()}`;
  await signIn(page, 'operator', '/signup-links');
  const path = await makeLink(page, customer, business);
  const row = page.getByTestId('link-row').filter({ hasText: customer });
  await expect(row.getByTestId('link-state')).toHaveText('Active');
  await expect(row.getByTestId('link-signups')).toHaveText('0 started, 0 connected');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: 'test-results/signup-links.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/signup-links-phone.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // The business opens the link: the signup page, and Meta's window opens pre-filled.
  await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-enhanced', 'true');
  await expect(page.getByTestId('connect')).toBeEnabled();
  await expect(page.getByTestId('signup-notice')).toContainText('Ready');
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect').click()]);
  await popup.waitForLoadState('domcontentloaded');
  await expect(popup.locator('#business')).toHaveValue(business);
  await expect(popup.locator('#phone')).toHaveValue('+55 11944440101');
  await popup.locator('#finish').click();
  await page.waitForURL(/\/status\//);
  await expect(page.getByTestId('check-connected')).toHaveAttribute('data-state', 'done');

  // Staff see the customer id on the WABA page, and the link used.
  await page.goto(`/wabas?q=${encodeURIComponent(business)}`);
  await page.getByTestId('waba-row').getByRole('link', { name: business }).first().click();
  await expect(page.getByTestId('customer-id')).toHaveText(customer);
  await page.goto('/signup-links');
  await expect(row.getByTestId('link-state')).toHaveText('Used');
  await expect(row.getByTestId('link-signups')).toHaveText('1 started, 1 connected');

  // Used up: opening it again says so instead of offering the button.
  await page.goto(path);
  await expect(page.getByTestId('link-refused')).toContainText('already used');
  await expect(page.getByTestId('connect')).toHaveCount(0);
});

test('a revoked link gets a page that says so', async ({ page }) => {
  const customer = `revoked-${Date.now()}`;
  await signIn(page, 'operator', '/signup-links');
  const path = await makeLink(page, customer, 'Withdrawn Walnuts');
  const row = page.getByTestId('link-row').filter({ hasText: customer });
  await row.getByTestId('revoke-link').click();
  await expect(row.getByTestId('link-state')).toHaveText('Revoked');
  await page.goto(path);
  await expect(page.getByTestId('link-refused')).toContainText('withdrawn');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/signup-link-refused-phone.png', fullPage: true });
  await page.goto('/signup/link/not-a-real-link');
  await expect(page.getByTestId('link-refused')).toContainText('not valid');
  // The business reads why in its own language (I18N.md): the reason comes from the server.
  const es = ftl('es');
  await page.goto(`${path}?lang=es`);
  await expect(page.getByTestId('link-refused')).toContainText(es['link-refused-revoked']);
  await expect(page.getByTestId('link-refused').locator('h1')).toHaveText(es['link-refused-heading']);
  await expect(page.locator('footer')).toContainText(es['footer-public']);
});
