import { createHmac } from 'node:crypto';
import { test, expect } from '../fixtures';
import type { Browser, Page } from '@playwright/test';
import { STAFF_PASSWORD } from '../global-setup';

// Two-factor sign-in: a staff member sets it up on My account with the key the page shows
// (the test is the authenticator app: RFC 6238 below), saves the recovery codes, signs out
// and signs in again with a code. Runs on a fresh account the admin creates, so the accounts
// the other specs sign in with keep signing in with their password alone.

/** RFC 4648 base32, as authenticator apps read the key. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** RFC 6238: HMAC-SHA1 over the 30-second step, dynamic truncation, 6 digits. */
function totp(secret: string, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, '0');
}

test('the RFC 6238 helper computes the RFC test vector', () => {
  // Appendix B: secret "12345678901234567890", 59 s → 94287082 (the last 6 digits).
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  expect(totp(secret, 59_000)).toBe('287082');
});

async function signIn(page: Page, email: string, password: string, next = '/') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByTestId('sign-in').click();
}

async function freshPage(browser: Browser, width = 1280, height = 900): Promise<Page> {
  return (await browser.newContext({ viewport: { width, height } })).newPage();
}

test('a staff member sets up two-factor sign-in and signs in with a code', async ({ page, browser }) => {
  test.setTimeout(90_000);
  // The admin creates an operator and hands over the initial password.
  await signIn(page, 'admin@e2e.test', STAFF_PASSWORD, '/settings');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const email = `two.factor.${Date.now()}@e2e.test`;
  await page.getByTestId('new-staff-email').fill(email);
  await page.getByTestId('new-staff-name').fill('Tess Twofactor');
  await page.getByTestId('create-staff').click();
  const initial = (await page.getByTestId('initial-password-value').textContent())!.trim();

  // She chooses her own password first (an admin saw that one).
  const tess = await freshPage(browser);
  await signIn(tess, email, initial, '/wabas');
  await expect(tess).toHaveURL(/\/account\?next=%2Fwabas$/);
  await expect(tess.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const mine = 'tess keeps seven tulips';
  await tess.getByTestId('current-password').fill(initial);
  await tess.getByTestId('new-password').fill(mine);
  await tess.getByTestId('confirm-password').fill(mine);
  await tess.getByTestId('change-password-submit').click();
  await expect(tess.getByTestId('password-result')).toContainText('Your password was changed');

  // Set-up: the key (and its QR code) for the app, then a first code.
  await expect(tess.getByTestId('two-factor-state')).toHaveText('Off');
  await tess.getByTestId('two-factor-begin').click();
  const secret = (await tess.getByTestId('totp-secret').textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(tess.locator('.qr svg')).toBeVisible();
  await tess.evaluate(() => window.scrollTo(0, 0));
  await tess.screenshot({ path: 'test-results/two-factor-setup.png', fullPage: true });
  // A wrong code is explained; the right one turns it on.
  const now = totp(secret);
  await tess.getByTestId('enrol-code').fill(now === '000000' ? '111111' : '000000');
  await tess.getByTestId('two-factor-confirm').click();
  await expect(tess.getByTestId('confirm-result')).toContainText('not right');
  await tess.getByTestId('enrol-code').fill(now);
  await tess.getByTestId('two-factor-confirm').click();
  await expect(tess.getByTestId('two-factor-result')).toContainText('Two-factor sign-in is on');
  await expect(tess.getByTestId('recovery-code')).toHaveCount(10);
  const recovery = (await tess.getByTestId('recovery-code').first().textContent())!.trim();
  expect(recovery).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  await expect(tess.getByTestId('two-factor-state')).toHaveText('On');
  await expect(tess.getByTestId('recovery-left')).toContainText('10 unused recovery codes left');
  await tess.evaluate(() => window.scrollTo(0, 0));
  await tess.screenshot({ path: 'test-results/two-factor-enabled.png', fullPage: true });
  await tess.setViewportSize({ width: 390, height: 844 });
  await tess.screenshot({ path: 'test-results/two-factor-enabled-phone.png', fullPage: true });
  await tess.setViewportSize({ width: 1280, height: 900 });

  // Sign out; the password alone now leads to the second step.
  await tess.getByTestId('sign-out').click();
  await expect(tess).toHaveURL(/signed_out=1/);
  await signIn(tess, email, mine, '/wabas');
  await expect(tess).toHaveURL(/\/login\/two-factor\?next=%2Fwabas$/);
  await expect(tess.getByTestId('two-factor-login')).toBeVisible();
  await tess.screenshot({ path: 'test-results/two-factor-login.png' });
  // The enrolment's code was used: it does not work twice.
  await tess.getByTestId('two-factor-code').fill(now);
  await tess.getByTestId('verify-code').click();
  await expect(tess.getByTestId('login-error')).toContainText('not right, or was used already');
  await tess.setViewportSize({ width: 390, height: 844 });
  await tess.screenshot({ path: 'test-results/two-factor-login-phone.png' });
  await tess.setViewportSize({ width: 1280, height: 900 });
  // The next step's code (an app a little ahead of the clock) signs in.
  await tess.getByTestId('two-factor-code').fill(totp(secret, Date.now() + 30_000));
  await tess.getByTestId('verify-code').click();
  await expect(tess).toHaveURL(/\/wabas$/);
  await expect(tess.getByTestId('who')).toContainText('Tess Twofactor');

  // The admin sees it on the staff accounts page and in the audit log, without secrets.
  await page.goto('/settings');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const row = page.getByTestId('staff-row').filter({ hasText: email });
  await expect(row.getByTestId('staff-two-factor')).toBeVisible();
  await expect(page.getByTestId('two-factor-rule')).toHaveText('optional');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/two-factor-accounts.png', fullPage: true });
  await page.goto('/audit');
  const audit = page.getByTestId('audit-table');
  await expect(audit.locator('tr', { hasText: 'staff.two_factor_enabled' }).first()).toContainText(email);
  await expect(audit).not.toContainText(secret);
  await expect(audit).not.toContainText(recovery);
});
