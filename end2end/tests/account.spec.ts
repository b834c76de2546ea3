import { test, expect } from '../fixtures';
import type { Browser, Page } from '@playwright/test';
import { STAFF_PASSWORD } from '../global-setup';

// My account: any staff member changes their own password. Runs on a fresh account that the
// admin creates through the settings page, so the accounts the other specs sign in with keep
// their passwords.

async function signIn(page: Page, email: string, password: string, next = '/') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('who')).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/// A page of its own (its own cookies: another session).
async function freshPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test('a viewer made by an admin chooses their own password; other sessions end', async ({ page, browser }) => {
  // Several sign-ins and password changes, each an argon2id hash in a debug build: on a
  // loaded 2-core machine this takes longer than the default 30 s.
  test.setTimeout(90_000);
  // The admin creates a viewer and hands over the initial password.
  await signIn(page, 'admin@e2e.test', STAFF_PASSWORD, '/settings');
  const email = `account.viewer.${Date.now()}@e2e.test`;
  await page.getByTestId('new-staff-email').fill(email);
  await page.getByTestId('new-staff-name').fill('Vera Viewer');
  await page.getByTestId('new-staff-role').selectOption('viewer');
  await page.getByTestId('create-staff').click();
  const initial = (await page.getByTestId('initial-password-value').textContent())!.trim();
  expect(initial.length).toBeGreaterThanOrEqual(20);

  // Signed in with it, she is sent to her account page to choose her own first: nothing else
  // opens until she has (the dashboard's pages lead back here).
  const vera = await freshPage(browser);
  await signIn(vera, email, initial, '/wabas');
  await expect(vera).toHaveURL(/\/account\?next=%2Fwabas$/);
  await expect(vera.getByTestId('who')).toContainText('Vera Viewer');
  await vera.goto('/wabas');
  await expect(vera).toHaveURL(/\/account\?next=%2Fwabas$/);
  await expect(vera.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await vera.screenshot({ path: 'test-results/account-banner.png' });
  // She is signed in on a second device too.
  const phone = await freshPage(browser);
  await signIn(phone, email, initial, '/wabas');

  await expect(vera.getByTestId('account-email')).toHaveText(email);
  await expect(vera.getByTestId('account-role')).toContainText('Viewer');
  await expect(vera.getByTestId('must-change-notice')).toBeVisible();
  await expect(vera.getByTestId('must-change-banner')).toHaveCount(0);
  await expect(vera.getByTestId('who')).toHaveAttribute('aria-current', 'page');

  const submit = async (current: string, next: string, confirm: string) => {
    await vera.getByTestId('current-password').fill(current);
    await vera.getByTestId('new-password').fill(next);
    await vera.getByTestId('confirm-password').fill(confirm);
    await vera.getByTestId('change-password-submit').click();
  };
  const mine = 'vera picks purple kites';

  // Mistakes are explained, field by field, and keep what was typed.
  await submit(initial, mine, 'vera picks purple kite');
  await expect(vera.getByTestId('password-result')).toContainText('The confirmation does not match the new password');
  await expect(vera.getByTestId('new-password')).toHaveValue(mine);
  await submit(initial, 'short', 'short');
  await expect(vera.getByTestId('password-result')).toContainText('The new password must have at least 12 characters.');
  await submit('not the right one', mine, mine);
  await expect(vera.getByTestId('password-result')).toHaveText('The current password is not correct.');
  // From the top: a full-page shot taken while scrolled draws the sticky header mid-page.
  await vera.evaluate(() => window.scrollTo(0, 0));
  await vera.screenshot({ path: 'test-results/account-error.png', fullPage: true });

  // The change: she stays signed in, the form empties, the reminders go.
  await submit(initial, mine, mine);
  await expect(vera.getByTestId('password-result')).toContainText('Your password was changed. You stay signed in here; 1 other session of your account was signed out.');
  await expect(vera.getByTestId('must-change-notice')).toHaveCount(0);
  await expect(vera.getByTestId('password-changed')).not.toContainText('not since');
  await expect(vera.getByTestId('current-password')).toHaveValue('');
  // From the top: a full-page shot taken while scrolled draws the sticky header mid-page.
  await vera.evaluate(() => window.scrollTo(0, 0));
  await vera.screenshot({ path: 'test-results/account.png', fullPage: true });
  await vera.screenshot({ path: 'test-results/account-viewport.png' });
  await vera.getByTestId('continue').click();
  await expect(vera).toHaveURL(/\/wabas$/);
  await expect(vera.getByTestId('who')).toContainText('Vera Viewer');
  await expect(vera.getByTestId('must-change-banner')).toHaveCount(0);
  await vera.reload();
  await expect(vera.getByTestId('who')).toContainText('Vera Viewer');

  // The other device is signed out.
  await phone.goto('/wabas');
  await expect(phone.getByTestId('sign-in-required')).toBeVisible();

  // The old password no longer signs in; the new one does, without any reminder.
  await phone.goto('/login');
  await phone.locator('#email').fill(email);
  await phone.locator('#password').fill(initial);
  await phone.getByTestId('sign-in').click();
  await expect(phone.getByTestId('login-error')).toHaveText('Wrong email or password.');
  await signIn(phone, email, mine, '/wabas');
  await expect(phone.getByTestId('must-change-banner')).toHaveCount(0);

  // The admin sees the change in the audit log.
  await page.goto('/audit');
  const row = page.getByTestId('audit-table').locator('tr', { hasText: 'staff.change_own_password' }).first();
  await expect(row).toContainText(email);
  await expect(page.getByTestId('audit-table')).not.toContainText(mine);
});

test('staff of every role reach their account from the header', async ({ page }) => {
  for (const role of ['operator', 'admin']) {
    await signIn(page, `${role}@e2e.test`, STAFF_PASSWORD, '/wabas');
    await expect(page.getByTestId('must-change-banner')).toHaveCount(0);
    await page.getByTestId('who').click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByTestId('account-email')).toHaveText(`${role}@e2e.test`);
    await expect(page.getByTestId('account-role')).toContainText(role === 'admin' ? 'Admin' : 'Operator');
    await expect(page.getByTestId('must-change-notice')).toHaveCount(0);
    await expect(page.getByTestId('change-password')).toBeVisible();
    await page.getByTestId('sign-out').click();
    await expect(page).toHaveURL(/signed_out=1/);
  }
  // Signed out, the page asks to sign in.
  await page.goto('/account');
  await expect(page.getByTestId('sign-in-required')).toBeVisible();
});

test('an operator turns email alerts off and on again on My account', async ({ page }) => {
  await signIn(page, 'operator@e2e.test', STAFF_PASSWORD, '/account');
  const toggle = page.getByTestId('mail-alerts-toggle');
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  await page.getByTestId('mail-alerts-save').click();
  await expect(page.getByTestId('mail-alerts-result')).toHaveText('Alerts are off.');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('mail-alerts-toggle')).not.toBeChecked();
  await page.getByTestId('mail-alerts-toggle').check();
  await page.getByTestId('mail-alerts-save').click();
  await expect(page.getByTestId('mail-alerts-result')).toHaveText('Alerts are on.');
  await page.screenshot({ path: 'test-results/account-mail-alerts.png', fullPage: true });
});
