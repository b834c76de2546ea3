import { test, expect } from '../fixtures';
import type { Page } from '@playwright/test';

// Embedded Signup end to end against the built-in Meta simulator: the public page loads the
// sandbox SDK, FB.login opens the simulator's popup, the popup posts WA_EMBEDDED_SIGNUP events
// and returns a code, the server exchanges it and runs the onboarding pipeline, and the status
// page follows it live.

async function openSignup(hydratedPage: (path: string) => Promise<Page>, path = '/signup') {
  const page = await hydratedPage(path);
  const connect = page.getByTestId('connect');
  await expect(connect).toBeEnabled();
  await expect(page.getByTestId('signup-notice')).toContainText('Ready');
  return { page, connect };
}

async function openPopup(page: Page) {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect').click()]);
  await popup.waitForLoadState('domcontentloaded');
  await expect(popup.locator('#wizard')).toBeVisible();
  return popup;
}

test.afterEach(async ({ request }) => {
  await request.delete('/sandbox/api/faults');
});

test('happy path: signup to ONBOARDED with the status page updating live', async ({ hydratedPage }) => {
  const { page } = await openSignup(hydratedPage, '/signup/spring-sale');
  // The optional email: the status link and "ready" are mailed there (MAIL.md).
  const email = `happy-${Date.now()}@shoes.test`;
  await page.getByTestId('admin-email').fill(email);
  await page.screenshot({ path: 'test-results/signup-page.png', fullPage: true });
  const popup = await openPopup(page);
  await popup.screenshot({ path: 'test-results/sandbox-popup.png' });
  await popup.locator('#business').fill('Happy Path Shoes');
  await popup.locator('#phone').fill('+55 11 95555 0101');
  await popup.locator('#finish').click();

  await page.waitForURL(/\/status\//);
  await expect(page.locator('body')).toHaveAttribute('data-enhanced', 'true');
  await expect(page.getByTestId('check-connected')).toHaveAttribute('data-state', 'done');
  await page.screenshot({ path: 'test-results/status-in-progress.png', fullPage: true });
  // The rest arrives while the page is open: pipeline jobs and Meta's terms webhook.
  await expect(page.getByTestId('check-webhooks')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('check-number')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('check-number')).toContainText('registered');
  await expect(page.getByTestId('check-terms')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(page.getByTestId('status-card')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('status-headline')).toHaveText("You're ready to send marketing messages");
  await expect(page.getByTestId('status-card')).toContainText('Happy Path Shoes');
  await page.screenshot({ path: 'test-results/status-ready.png', fullPage: true });

  // Without SMTP the sandbox catches both mails on its outbox page.
  await expect(async () => {
    await page.goto('/sandbox/mail');
    const mails = page.locator(`[data-testid="mail"]:has-text("${email}")`);
    await expect(mails.and(page.locator('[data-kind="status_link"]'))).toHaveCount(1, { timeout: 1000 });
    await expect(mails.and(page.locator('[data-kind="ready"]'))).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.locator(`[data-testid="mail"][data-kind="status_link"]:has-text("${email}")`)).toContainText('/status/');
  await page.screenshot({ path: 'test-results/sandbox-mail.png', fullPage: true });
});

test('coexistence: the number is not registered and the checklist says why', async ({ hydratedPage }) => {
  const { page } = await openSignup(hydratedPage);
  const popup = await openPopup(page);
  await popup.locator('#business').fill('Coexistence Bakery');
  await popup.locator('#coexistence').check();
  await popup.locator('#finish').click();
  await page.waitForURL(/\/status\//);
  const number = page.getByTestId('check-number');
  await expect(number).toHaveAttribute('data-state', 'done');
  await expect(number).toContainText('WhatsApp Business app');
  await expect(page.getByTestId('status-card')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
});

test('cancel at a step: the page says where, and a new attempt is possible', async ({ hydratedPage }) => {
  const { page } = await openSignup(hydratedPage);
  const popup = await openPopup(page);
  await popup.locator('summary').click();
  await popup.locator('#cancel-step').selectOption('WABA_SELECTION');
  await popup.locator('#cancel').click();
  await expect(page.getByTestId('signup-notice')).toContainText('WABA_SELECTION');
  await expect(page.getByTestId('connect')).toBeEnabled();
});

test('an error reported in the popup is shown to the admin', async ({ hydratedPage }) => {
  const { page } = await openSignup(hydratedPage);
  const popup = await openPopup(page);
  await popup.locator('summary').click();
  await popup.locator('#error-event').selectOption('ERROR');
  await popup.locator('#report').click();
  await expect(page.getByTestId('signup-notice')).toContainText('Meta reported a problem');
  await expect(page.getByTestId('connect')).toBeEnabled();
});

test('a message from a foreign origin is ignored', async ({ hydratedPage, baseURL }) => {
  const { page } = await openSignup(hydratedPage);
  // The same origin's host under another name is a different origin: it must not count.
  const foreign = baseURL!.replace('127.0.0.1', 'localhost');
  const other = await page.context().newPage();
  await other.goto(`${foreign}/healthz`);
  await other.evaluate(() => {
    window.opener; // not the signup page's opener: post to it by name instead
  });
  await page.evaluate(() => {
    (window as any).__eventsSent = 0;
    const original = window.fetch;
    window.fetch = (input: any, init?: any) => {
      if (String(input).includes('signup_event')) (window as any).__eventsSent += 1;
      return original(input, init);
    };
  });
  // A window on the foreign origin, opened by the signup page (as Meta's popup is), posts a
  // perfect FINISH event to its opener. (A frame cannot be used: the portal's pages may not be
  // framed, and the signup page frames only its own origin and Meta's.)
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    page.evaluate((src) => { window.open(src, 'foreign'); }, `${foreign}/healthz`),
  ]);
  await expect(popup.locator('body')).toContainText('status');
  await popup.evaluate(() => {
    const event = { type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { waba_id: '1', phone_number_id: '2', business_id: '3' } };
    window.opener.postMessage(JSON.stringify(event), '*');
  });
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as any).__eventsSent)).toBe(0);
  await expect(page.getByTestId('signup-notice')).not.toContainText('Connecting');
  // The same message from the accepted origin is forwarded (the check can fail).
  await page.evaluate(() => {
    const event = { type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { waba_id: '1', phone_number_id: '2', business_id: '3' } };
    window.postMessage(JSON.stringify(event), window.location.origin);
  });
  await expect.poll(() => page.evaluate(() => (window as any).__eventsSent)).toBe(1);
  await popup.close();
  await other.close();
});

test('transient Graph errors are retried to success', async ({ hydratedPage, request }) => {
  const armed = await request.post('/sandbox/api/faults', {
    data: { operation: 'register', kind: 'transient', count: 2 },
  });
  expect(armed.status()).toBe(204);
  const { page } = await openSignup(hydratedPage);
  const popup = await openPopup(page);
  await popup.locator('#business').fill('Flaky Network Co');
  await popup.locator('#finish').click();
  await page.waitForURL(/\/status\//);
  await expect(page.getByTestId('check-number')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(page.getByTestId('status-card')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
});

test('a permanent Graph error stops the pipeline with a clear message', async ({ hydratedPage, request }) => {
  await request.post('/sandbox/api/faults', {
    data: { operation: 'subscribe', kind: 'permanent', count: 1 },
  });
  const { page } = await openSignup(hydratedPage);
  const popup = await openPopup(page);
  await popup.locator('#business').fill('Permission Problems Ltd');
  await popup.locator('#finish').click();
  await page.waitForURL(/\/status\//);
  const webhooks = page.getByTestId('check-webhooks');
  await expect(webhooks).toHaveAttribute('data-state', 'failed');
  await expect(webhooks).toContainText('Graph error 200');
  await expect(page.getByTestId('status-headline')).toContainText('problem');
  await page.screenshot({ path: 'test-results/status-failed.png', fullPage: true });
});

test('over the per-network limit, the page says how long to wait and tries again', async ({ page, hydratedPage }) => {
  // The server's answer when an address has started too many sessions (429 + Retry-After),
  // faked for the first start only: the shared test portal's real budget stays untouched.
  let limited = false;
  await page.route('**/api/signup_start', async (route) => {
    if (limited) return route.continue();
    limited = true;
    await route.fulfill({
      status: 429,
      headers: { 'retry-after': '2', 'content-type': 'application/json' },
      body: '{"RateLimited":2}',
    });
  });
  await hydratedPage('/signup');
  const notice = page.getByTestId('signup-notice');
  await expect(notice).toContainText('Too many attempts from your network. Trying again in 2 s');
  await expect(notice).toHaveAttribute('data-kind', 'warn');
  await expect(page.getByTestId('connect')).toBeEnabled({ timeout: 10_000 });
  await expect(notice).toContainText('Ready');
});

test('an expired code is refused with a plain message and a fresh session', async ({ hydratedPage, request }) => {
  await request.post('/sandbox/api/faults', {
    data: { operation: 'exchange', kind: 'transient', count: 0 },
  });
  const { page } = await openSignup(hydratedPage);
  // Create the signup in the simulator with a code that is already dead, then hand it to
  // the page's login callback path through the real server function.
  const created = await request.post('/sandbox/api/signups', {
    data: { business_name: 'Slow Admin Inc', phone_number: '+55 11 97777 0000', code_lifetime_seconds: 0 },
  });
  const { code } = await created.json();
  await page.waitForTimeout(50);
  const nonce = await page.evaluate(async () => {
    const r = await fetch('/api/signup_start', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    return r.json();
  });
  const answer = await page.evaluate(async ([nonce, code]) => {
    const r = await fetch('/api/signup_complete', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ nonce, code }).toString(),
    });
    return { status: r.status, body: await r.text() };
  }, [nonce, code]);
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.body).toContain('expired');
  // The nonce was used: a replay is refused too.
  const replay = await page.evaluate(async ([nonce, code]) => {
    const r = await fetch('/api/signup_complete', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ nonce, code }).toString(),
    });
    return { status: r.status, body: await r.text() };
  }, [nonce, code]);
  expect(replay.body).toContain('already completed');
});

/// A page with nothing of the portal on it: only the simulator's SDK, loaded like Meta's,
/// and a button that launches FB.login with `extras`. Resolves to the popup.
async function plainPageLaunch(page: Page, extras: object) {
  await page.goto('/healthz');
  await page.setContent(`<!doctype html><html><body><button id="go">Login</button></body></html>`);
  await page.evaluate(() => {
    (window as any).received = { events: [], login: null };
    window.addEventListener('message', (event) => {
      if (event.origin !== window.location.origin) return;
      try {
        const data = JSON.parse(event.data);
        if (data.type === 'WA_EMBEDDED_SIGNUP') (window as any).received.events.push(data);
      } catch {}
    });
    return new Promise<void>((resolve) => {
      (window as any).fbAsyncInit = () => {
        (window as any).FB.init({ appId: '100000000000001', version: 'v23.0' });
        resolve();
      };
      const script = document.createElement('script');
      script.src = '/sandbox/sdk.js';
      document.head.appendChild(script);
    });
  });
  await page.evaluate((extras) => {
    document.getElementById('go')!.addEventListener('click', () => {
      (window as any).FB.login((response: any) => { (window as any).received.login = response; }, {
        config_id: '200000000000002',
        response_type: 'code',
        override_default_response_type: true,
        extras,
      });
    });
  }, extras);
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#go')]);
  await popup.waitForLoadState('domcontentloaded');
  return popup;
}

test('the SDK stand-in works from a plain page: FB.init, FB.login, events and the code (the seeds\' v3 launch)', async ({ page }) => {
  const popup = await plainPageLaunch(page, {
    setup: {}, sessionInfoVersion: '3', features: [{ name: 'marketing_messages_lite' }], version: 'v3',
  });
  await expect(popup.locator('#wizard')).toBeVisible();
  // The seeds' payload is the deprecated v3, still accepted, with its MM feature.
  await expect(popup.getByTestId('es-version')).toHaveAttribute('data-version', 'v3');
  await expect(popup.getByTestId('es-version')).toContainText('deprecated');
  await expect(popup.locator('#mm-terms')).toBeVisible();
  await popup.locator('#business').fill('Plain Page Pottery');
  await popup.locator('#finish').click();
  await expect.poll(() => page.evaluate(() => (window as any).received.login?.status)).toBe('connected');
  const received = await page.evaluate(() => (window as any).received);
  expect(received.login.authResponse.code.length).toBeGreaterThan(50);
  expect(received.events).toHaveLength(1);
  expect(received.events[0].event).toBe('FINISH');
  expect(received.events[0].data.waba_id).toMatch(/^\d+$/);
  expect(received.events[0].data.phone_number_id).toMatch(/^\d+$/);
});

test('the simulator checks the launch shape: v4 as Meta prints it works, v2 and v4 with features are refused', async ({ page }) => {
  // v4 (Meta's Implementation page): extras hold only the pre-fill; MM API comes from the
  // login configuration, so the terms are offered.
  let popup = await plainPageLaunch(page, { setup: {} });
  await expect(popup.locator('#wizard')).toBeVisible();
  await expect(popup.getByTestId('es-version')).toHaveAttribute('data-version', 'v4');
  await expect(popup.locator('#mm-terms')).toBeVisible();
  await popup.close();
  // features without a version is v2, deprecated: refused with the reason.
  popup = await plainPageLaunch(page, { setup: {}, features: [{ name: 'marketing_messages_lite' }], sessionInfoVersion: '3' });
  await expect(popup.locator('#fatal')).toBeVisible();
  await expect(popup.locator('#fatal')).toContainText('v2');
  await expect(popup.locator('#wizard')).toBeHidden();
  await popup.close();
  // v4 has no features.
  popup = await plainPageLaunch(page, { version: 'v4-public-preview', features: [{ name: 'marketing_messages_lite' }] });
  await expect(popup.locator('#fatal')).toContainText('not part of Embedded Signup v4');
  await popup.close();
  popup = await plainPageLaunch(page, { version: 'v9' });
  await expect(popup.locator('#fatal')).toContainText('Unknown Embedded Signup version');
  await popup.close();
});
