import { test, expect } from '../fixtures';
import type { Page } from '@playwright/test';

// Issue 16: the Content-Security-Policy lets the portal work in a real browser. Every page
// hydrates (inline module script with the response's nonce, WebAssembly), and Embedded Signup
// runs through the simulator's SDK and popup, without a single CSP violation.

function watchViolations(page: Page, violations: string[]) {
  page.on('console', (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) {
      violations.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => violations.push(`${page.url()}: ${error.message}`));
}

test('pages hydrate and Embedded Signup runs under the Content-Security-Policy', async ({ page }) => {
  const violations: string[] = [];
  watchViolations(page, violations);

  const response = await page.goto('/login');
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}'/);
  expect(response?.headers()['x-content-type-options']).toBe('nosniff');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

  await page.goto('/signup');
  await expect(page.locator('body')).toHaveAttribute('data-enhanced', 'true');
  await expect(page.getByTestId('connect')).toBeEnabled();
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect').click()]);
  watchViolations(popup, violations);
  await popup.waitForLoadState('domcontentloaded');
  await expect(popup.locator('#wizard')).toBeVisible();
  await popup.locator('#business').fill('Policy Abiding Ltd');
  await popup.locator('#phone').fill('+55 11 95555 0199');
  await popup.locator('#finish').click();

  await page.waitForURL(/\/status\//);
  await expect(page.locator('body')).toHaveAttribute('data-enhanced', 'true');
  await expect(page.getByTestId('check-connected')).toHaveAttribute('data-state', 'done');
  expect(violations).toEqual([]);
});

test('the portal cannot be framed by another page', async ({ page, baseURL }) => {
  const violations: string[] = [];
  watchViolations(page, violations);
  await page.setContent(`<iframe id="portal" src="${baseURL}/login"></iframe>`);
  await page.waitForTimeout(1000);
  const frame = page.frame({ url: /\/login/ });
  const loaded = frame ? await frame.locator('#email').count().catch(() => 0) : 0;
  expect(loaded).toBe(0);
});
