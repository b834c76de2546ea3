import { test as base, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The public pages' texts in `lang`, read from the Fluent file a translator edits
// (app/locales/<lang>/public.ftl), so the tests follow the translations.
export function ftl(lang: string): Record<string, string> {
  const file = readFileSync(join(__dirname, '..', 'app', 'locales', lang, 'public.ftl'), 'utf8');
  const texts: Record<string, string> = {};
  for (const line of file.split('\n')) {
    const match = /^([a-z][a-z0-9-]*) = (.*)$/.exec(line);
    if (match) texts[match[1]] = match[2];
  }
  return texts;
}

// Every test talks to the portal that global-setup.ts started.
export const test = base.extend<{ hydratedPage: (path: string) => Promise<Page> }>({
  baseURL: async ({}, use) => {
    const url = process.env.PORTAL_URL;
    if (!url) throw new Error('PORTAL_URL is not set: run through playwright.config.ts');
    await use(url);
  },
  // Opens a page and waits until clicks reach handlers: a staff page once the WebAssembly has
  // hydrated it, a public page (no WebAssembly) once its script has started.
  hydratedPage: async ({ page }, use) => {
    await use(async (path: string) => {
      await page.goto(path);
      await expect(page.locator('body[data-hydrated="true"], body[data-enhanced="true"]')).toHaveCount(1);
      return page;
    });
  },
});

export { expect };
