import { test as base, expect, type Page } from '@playwright/test';

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
