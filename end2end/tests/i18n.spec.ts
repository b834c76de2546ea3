import { test, expect } from '../fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The public pages in the business's language: chosen from Accept-Language, changed with the
// switcher (and kept in a cookie), the Facebook SDK loaded in the matching locale, and the
// status page's checklist in the same language. Expected texts are read from the Fluent
// files a translator edits, so the test follows them.

function texts(lang: string): Record<string, string> {
  const file = readFileSync(join(__dirname, '..', '..', 'app', 'locales', lang, 'public.ftl'), 'utf8');
  const map: Record<string, string> = {};
  for (const line of file.split('\n')) {
    const match = /^([a-z][a-z0-9-]*) = (.*)$/.exec(line);
    if (match) map[match[1]] = match[2];
  }
  return map;
}

test.use({ locale: 'es-ES' });

test('a Spanish browser gets the signup page in Spanish, and the switcher changes it for good', async ({ hydratedPage, page }) => {
  const es = texts('es');
  await hydratedPage('/signup');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.locator('h1')).toHaveText(es['signup-heading']);
  await expect(page.getByTestId('connect')).toHaveText(es['signup-connect']);
  await expect(page.getByTestId('connect')).toBeEnabled();
  // signup.js speaks the page's language too.
  await expect(page.getByTestId('signup-notice')).toHaveText(es['js-ready']);
  // Meta's SDK (the simulator's, here) is asked for in the matching locale.
  await expect(page.locator('script[src*="sdk.js"]')).toHaveAttribute('src', /locale=es_LA/);

  const hi = texts('hi');
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

  test('a signup and its live status page, both in Portuguese', async ({ hydratedPage, page }) => {
    const pt = texts('pt-BR');
    await hydratedPage('/signup');
    await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
    await expect(page.getByTestId('signup-notice')).toHaveText(pt['js-ready']);
    await page.screenshot({ path: 'test-results/signup-pt-BR-phone.png', fullPage: true });
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect').click()]);
    await popup.waitForLoadState('domcontentloaded');
    await popup.locator('#business').fill('Padaria Pão Quente');
    await popup.locator('#finish').click();

    await page.waitForURL(/\/status\//);
    await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
    await expect(page.getByTestId('check-connected').locator('strong')).toHaveText(pt['check-connected']);
    await expect(page.getByTestId('check-number')).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId('check-number')).toContainText(pt['number-done']);
    // The live updates re-read the page in the same language.
    await expect(page.getByTestId('status-card')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
    await expect(page.getByTestId('status-headline')).toHaveText(pt['headline-ready']);
    await expect(page.getByTestId('check-ready')).toContainText(pt['badge-done']);
    await page.screenshot({ path: 'test-results/status-pt-BR-phone.png', fullPage: true });
  });
});

test('an unknown ?lang= is ignored and English stays the fallback', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ locale: 'de-DE', baseURL });
  const page = await context.newPage();
  await page.goto('/signup?lang=xx');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('h1')).toHaveText(texts('en')['signup-heading']);
  await context.close();
});
