import { test, expect, ftl } from '../fixtures';
import type { Page } from '@playwright/test';

// The public pages in the business's language: chosen from Accept-Language, changed with the
// switcher (and kept in a cookie), the Facebook SDK loaded in the matching locale, and the
// status page's checklist in the same language. Expected texts are read from the Fluent
// files a translator edits, so the test follows them.

// The shared test portal's per-address budget of signup sessions and code exchanges is
// spent by the signup tests; these ones only look at pages, so their session start is
// answered here (as the rate-limit test in signup.spec does) and costs the budget nothing.
async function fakeSessionStart(page: Page) {
  await page.route('**/api/signup_start', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: '"i18n-test-nonce"' }),
  );
}

test.use({ locale: 'es-ES' });

test('a Spanish browser gets the signup page in Spanish, and the switcher changes it for good', async ({ hydratedPage, page }) => {
  const es = ftl('es');
  await fakeSessionStart(page);
  await hydratedPage('/signup');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.locator('h1')).toHaveText(es['signup-heading']);
  await expect(page.getByTestId('connect')).toHaveText(es['signup-connect']);
  await expect(page.getByTestId('connect')).toBeEnabled();
  // signup.js speaks the page's language too.
  await expect(page.getByTestId('signup-notice')).toHaveText(es['js-ready']);
  // A mistyped email is caught before Meta's window opens, in Spanish.
  await page.getByTestId('admin-email').fill('nombre@');
  await page.getByTestId('connect').click();
  await expect(page.getByTestId('signup-notice')).toHaveText(es['js-email-invalid']);
  await page.getByTestId('admin-email').fill('');
  // Meta's SDK (the simulator's, here) is asked for in the matching locale.
  await expect(page.locator('script[src*="sdk.js"]')).toHaveAttribute('src', /locale=es_LA/);

  const hi = ftl('hi');
  await page.getByTestId('lang-switch').locator('a[data-lang="hi"]').click();
  await expect(page).toHaveURL(/\?lang=hi$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'hi');
  await expect(page.locator('h1')).toHaveText(hi['signup-heading']);
  await expect(page.getByTestId('lang-switch').locator('a[aria-current="true"]')).toHaveAttribute('data-lang', 'hi');
  // The choice is remembered over the browser's language.
  await page.goto('/signup');
  await expect(page.locator('html')).toHaveAttribute('lang', 'hi');
  await expect(page.locator('h1')).toHaveText(hi['signup-heading']);
});

test.describe('in Brazilian Portuguese', () => {
  test.use({ locale: 'pt-BR', viewport: { width: 390, height: 844 } });

  // The status page in Portuguese, with a real signup, is checked at the end of the staff
  // test-send test in staff.spec (it has the signup already).
  test('the signup page and its script messages in Portuguese, at phone size', async ({ hydratedPage, page }) => {
    const pt = ftl('pt-BR');
    await fakeSessionStart(page);
    await hydratedPage('/signup');
    await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
    await expect(page.locator('h1')).toHaveText(pt['signup-heading']);
    await expect(page.getByTestId('signup-notice')).toHaveText(pt['js-ready']);
    await expect(page.locator('script[src*="sdk.js"]')).toHaveAttribute('src', /locale=pt_BR/);
    await page.screenshot({ path: 'test-results/signup-pt-BR-phone.png', fullPage: true });
  });
});

test('an unknown ?lang= is ignored and English stays the fallback', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ locale: 'de-DE', baseURL });
  const page = await context.newPage();
  await fakeSessionStart(page);
  await page.goto('/signup?lang=xx');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('h1')).toHaveText(ftl('en')['signup-heading']);
  await context.close();
});
