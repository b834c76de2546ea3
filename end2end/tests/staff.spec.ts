import { test, expect, ftl } from '../fixtures';
import type { APIRequestContext, Page } from '@playwright/test';
import { STAFF_PASSWORD } from '../global-setup';

// Staff sign-in, roles, the dashboard and its live updates, against the portal started by
// global-setup.ts (one account per role, created with `mm-portal admin create`).

async function signIn(page: Page, role: string, next = '/') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.locator('#email').fill(`${role}@e2e.test`);
  await page.locator('#password').fill(STAFF_PASSWORD);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('who')).toContainText(`E2E ${role}`);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

// A business signs up through the simulator (no browser, no staff cookie): returns the WABA's
// id. (With a staff session cookie and no Origin header these posts would be refused.)
async function signupThroughApi(request: APIRequestContext, business: string, fault?: object) {
  if (fault) expect((await request.post('/sandbox/api/faults', { data: fault })).status()).toBe(204);
  const nonce = await (await request.post('/api/signup_start', { form: {} })).json();
  const created = await (await request.post('/sandbox/api/signups', {
    data: { business_name: business, phone_number: '+55 11 93333 4444' },
  })).json();
  const done = await request.post('/api/signup_complete', { form: { nonce, code: created.code } });
  expect(done.status()).toBe(200);
  return created.waba_id as string;
}

test.afterEach(async ({ request }) => {
  await request.delete('/sandbox/api/faults');
});

test('staff pages ask for sign-in; the server functions refuse without a session', async ({ page, request }) => {
  await page.goto('/wabas');
  await expect(page.getByTestId('sign-in-required')).toBeVisible();
  const answer = await request.post('/api/dashboard_overview', { form: {} });
  expect(answer.status()).toBe(401);
});

test('wrong passwords are throttled with a clear message', async ({ page }) => {
  for (let i = 0; i < 5; i++) {
    await page.goto('/login');
    await page.locator('#email').fill('nobody-throttle@e2e.test');
    await page.locator('#password').fill(`wrong password ${i}`);
    await page.getByTestId('sign-in').click();
    await expect(page.getByTestId('login-error')).toHaveText('Wrong email or password.');
  }
  await page.locator('#email').fill('nobody-throttle@e2e.test');
  await page.locator('#password').fill('wrong password again');
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('login-error')).toContainText('Too many failed sign-ins');
  await expect(page.getByTestId('login-error')).toContainText('minutes');
});

test('sign in, search and filter the list, open a detail page, sign out', async ({ page, request }) => {
  await signupThroughApi(request, 'Searchable Sandals');
  await signupThroughApi(request, 'Other Owls');
  await signIn(page, 'admin', '/wabas');
  await expect(page).toHaveURL(/\/wabas$/);
  await expect(page.getByTestId('waba-row').first()).toBeVisible();
  await page.getByTestId('search').fill('searchable');
  await page.getByTestId('apply-filters').click();
  await expect(page).toHaveURL(/q=searchable/);
  await expect(page.getByTestId('waba-row')).toHaveCount(1);
  await expect(page.getByTestId('waba-row')).toContainText('Searchable Sandals');
  await page.getByTestId('status-filter').selectOption('INELIGIBLE_COUNTRY_NOT_SUPPORTED');
  await page.getByTestId('apply-filters').click();
  await expect(page.getByTestId('no-wabas')).toBeVisible();
  // Order and the other filters travel in the address, so a view can be bookmarked.
  await page.goto('/wabas');
  await page.getByTestId('sort').selectOption('name');
  await page.getByTestId('coexistence-filter').selectOption('no');
  await page.getByTestId('from-filter').fill('2020-01-01');
  await page.getByTestId('apply-filters').click();
  await expect(page).toHaveURL(/sort=name/);
  await expect(page).toHaveURL(/coexistence=no/);
  const names = await page.getByTestId('waba-row').locator('td:nth-child(2) a').allTextContents();
  expect(names.length).toBeGreaterThan(1);
  expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  await expect(page.getByTestId('export-csv')).toHaveAttribute('href', /coexistence=no.*from=2020-01-01.*sort=name/);
  await page.goto('/wabas?from=yesterday');
  await expect(page.getByTestId('filter-error')).toContainText('YYYY-MM-DD');
  await page.goto('/wabas?q=searchable');
  await page.getByTestId('waba-row').getByRole('link', { name: 'Searchable Sandals' }).first().click();
  await expect(page.getByTestId('waba-name')).toHaveText('Searchable Sandals');
  await expect(page.getByTestId('step-subscribe_webhooks')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('timeline')).toContainText('Connected through Embedded Signup');
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/signed_out=1/);
  await page.goto('/wabas');
  await expect(page.getByTestId('sign-in-required')).toBeVisible();
});

test('Meta offboards a WABA: the list badges and filters it, its page and the status page say why, a reconnect clears it', async ({ page, request, browser }) => {
  const waba = await signupThroughApi(request, 'Offboarded Optics');
  await signIn(page, 'admin', '/wabas?q=offboarded');
  const row = page.getByTestId('waba-row').filter({ hasText: 'Offboarded Optics' });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('connection-badge')).toHaveCount(0);
  expect((await request.post(`/sandbox/api/wabas/${waba}/account-update`, { data: { event: 'ACCOUNT_OFFBOARDED' } })).status()).toBe(202);
  // The open list hears the change.
  await expect(row.getByTestId('connection-badge')).toHaveText('offboarded');
  await page.getByTestId('connection-filter').selectOption('offboarded');
  await page.getByTestId('apply-filters').click();
  await expect(page).toHaveURL(/connection=offboarded/);
  await expect(page.getByTestId('waba-row').filter({ hasText: 'Offboarded Optics' })).toHaveCount(1);
  await page.screenshot({ path: 'test-results/wabas-offboarded.png', fullPage: true });
  await page.getByTestId('waba-row').getByRole('link', { name: 'Offboarded Optics' }).first().click();
  await expect(page.getByTestId('connection-state')).toHaveText('offboarded');
  await expect(page.getByTestId('connection')).toContainText('ACCOUNT_OFFBOARDED');
  await expect(page.getByTestId('timeline')).toContainText('Offboarded after a device change');
  // The business's status page says what to do, in plain words.
  const statusLink = await page.getByTestId('status-page-link').getAttribute('href');
  const business = await browser.newPage({ baseURL: page.url() });
  await business.goto(statusLink!);
  await expect(business.getByTestId('check-connected')).toHaveAttribute('data-state', 'action_needed');
  await expect(business.getByTestId('check-connected')).toContainText('reconnect it');
  await business.setViewportSize({ width: 390, height: 844 });
  await business.screenshot({ path: 'test-results/status-offboarded-phone.png', fullPage: true });
  expect((await request.post(`/sandbox/api/wabas/${waba}/account-update`, { data: { event: 'ACCOUNT_RECONNECTED' } })).status()).toBe(202);
  await expect(page.getByTestId('connection-state')).toHaveText('connected');
  await expect(page.getByTestId('connection')).not.toContainText('ACCOUNT_OFFBOARDED');
  await expect(business.getByTestId('check-connected')).toHaveAttribute('data-state', 'done');
  await business.close();
});

test('the detail page updates live when Meta’s terms webhook arrives', async ({ page, request }) => {
  await signIn(page, 'viewer');
  // Hold the pipeline so the page is open before the simulator onboards the WABA.
  const wabaId = await signupThroughApi(request, 'Live Update Lamps', {
    operation: 'subscribe', kind: 'transient', count: 2,
  });
  await page.goto(`/wabas?q=${wabaId}`);
  await page.getByTestId('waba-row').getByRole('link').first().click();
  await expect(page.getByTestId('waba-name')).toHaveText('Live Update Lamps');
  const badge = page.getByTestId('status-badge').first();
  await expect(badge).not.toHaveText('onboarded');
  await expect(badge).toHaveText('onboarded', { timeout: 20_000 });
  await expect(page.getByTestId('timeline')).toContainText('accepted the Marketing Messages API terms');
});

test('a viewer cannot resume a pipeline, in the UI or by calling the server function', async ({ page, request }) => {
  const wabaId = await signupThroughApi(request, 'Stopped Staplers', {
    operation: 'subscribe', kind: 'permanent', count: 1,
  });
  await signIn(page, 'viewer', `/wabas?q=${wabaId}`);
  await page.getByTestId('waba-row').getByRole('link').first().click();
  await expect(page.getByTestId('step-subscribe_webhooks')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('resume')).toHaveCount(0);
  await expect(page.getByTestId('waba-actions')).toHaveCount(0);
  const id = page.url().split('/').pop()!;
  const answer = await page.evaluate(async (id) => {
    const r = await fetch('/api/resume_onboarding', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `id=${id}`,
    });
    return { status: r.status, body: await r.text() };
  }, id);
  expect(answer.status).toBe(403);
  expect(answer.body).toContain('Forbidden');
});

test('an operator resumes a stopped pipeline and the business’s status page recovers', async ({ page, request }) => {
  const wabaId = await signupThroughApi(request, 'Resumable Rugs', {
    operation: 'subscribe', kind: 'permanent', count: 1,
  });
  await signIn(page, 'operator', `/wabas?q=${wabaId}`);
  await page.getByTestId('waba-row').getByRole('link').first().click();
  await expect(page.getByTestId('step-subscribe_webhooks')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('step-subscribe_webhooks')).toContainText('Graph error 200');
  await page.screenshot({ path: 'test-results/waba-detail-failed.png', fullPage: true });
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('action-result')).toContainText('resumed at the step subscribe_webhooks');
  await expect(page.getByTestId('step-subscribe_webhooks')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('step-await_terms')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(page.getByTestId('timeline')).toContainText('Onboarding resumed');
  // Asking Meta again: the webhook subscription, on its own, without re-running the rest.
  await page.getByTestId('action-resubscribe').click();
  await expect(page.getByTestId('maintenance-result')).toContainText('Re-subscribing');
  await expect(page.getByTestId('timeline')).toContainText('Step subscribe_webhooks run again');
  await expect(page.getByTestId('step-subscribe_webhooks')).toHaveAttribute('data-state', 'done');
  await page.getByTestId('action-refetch_token').click();
  await expect(page.getByTestId('maintenance-result')).toContainText('not onboarded through the Intent API');
  await page.screenshot({ path: 'test-results/waba-detail.png', fullPage: true });
  // The audit log (admins) shows who resumed it.
  await page.getByTestId('sign-out').click();
  await signIn(page, 'admin', '/audit');
  await expect(page.getByTestId('audit-table')).toContainText('onboarding.resume');
  await expect(page.getByTestId('audit-table')).toContainText('operator@e2e.test');
});

test('the overview draws statuses and the funnel', async ({ page }) => {
  await signIn(page, 'admin');
  await expect(page.getByTestId('status-chart')).toBeVisible();
  await expect(page.getByTestId('funnel-chart')).toContainText('Page visits');
  await expect(page.getByTestId('tile-total')).not.toContainText(/^0/);
  await page.screenshot({ path: 'test-results/overview.png', fullPage: true });
  await page.goto('/wabas');
  await page.screenshot({ path: 'test-results/waba-list.png', fullPage: true });
});

test('a business name with markup renders as text', async ({ page, request }) => {
  const wabaId = await signupThroughApi(request, '<img src=x onerror=alert(1)>');
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
  await signIn(page, 'viewer', `/wabas?q=${wabaId}`);
  await expect(page.getByTestId('waba-row')).toContainText('<img src=x onerror=alert(1)>');
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(dialogs).toBe(0);
});

test('a cross-site post with a staff session is refused', async ({ page }) => {
  await signIn(page, 'admin');
  // The browser's cookie, but no same-site Origin: what a forged form on another site sends.
  const forged = await page.request.post('/api/dashboard_overview', {
    form: {},
    headers: { origin: 'https://evil.example' },
  });
  expect(forged.status()).toBe(403);
  const same = await page.request.post('/api/dashboard_overview', {
    form: {},
    headers: { origin: new URL(page.url()).origin },
  });
  expect(same.status()).toBe(200);
});

test('an operator discovers WABAs and asks eligible businesses to onboard, with progress', async ({ page, request }) => {
  for (const name of ['Eligible Eel Shop', 'Eligible Elk Outfitters']) {
    const created = await request.post('/sandbox/api/signups', {
      data: { business_name: name, phone_number: '+55 11 96666 0000', onboarding_status: 'ELIGIBLE', accept_mm_terms: false },
    });
    expect(created.status()).toBe(200);
  }
  await signIn(page, 'operator', '/operations');
  await page.getByTestId('discover').click();
  await expect(page.getByTestId('ops-result')).toContainText('Discovery started');
  await expect(page.getByTestId('candidates')).not.toHaveText('0', { timeout: 20_000 });
  // A selection from the list first: previewed (who is asked, who is left out and why), then sent.
  await page.goto('/wabas?q=Eligible%20Eel');
  await page.getByTestId('intent-selection').click();
  await expect(page).toHaveURL(/\/operations\/intent\?q=Eligible/);
  await expect(page.getByTestId('eligible')).toHaveText('1');
  await page.screenshot({ path: 'test-results/intent-selection.png', fullPage: true });
  await page.getByTestId('send-to-selection').click();
  await expect(page.getByTestId('selection-result')).toContainText('1 Intent API requests queued');
  await expect(page.getByTestId('eligible')).toHaveText('0');
  await expect(page.getByTestId('skipped-reasons')).toContainText(/already/i);
  await page.goto('/operations');
  await expect(page.getByTestId('candidates')).not.toHaveText('0', { timeout: 20_000 });
  await page.getByTestId('invite-eligible').click();
  await expect(page.getByTestId('ops-result')).toContainText('Intent API requests queued');
  await expect(page.getByTestId('batch-counts')).toContainText('0 queued', { timeout: 20_000 });
  await expect(page.getByTestId('batch-counts')).not.toContainText(' 0 sent');
  await expect(page.getByTestId('candidates')).toHaveText('0');
  await page.screenshot({ path: 'test-results/operations.png', fullPage: true });
});

test('an admin changes the Embedded Signup settings and the signup page follows', async ({ page, browser }) => {
  await signIn(page, 'admin', '/settings');
  await page.locator('#partner_name').fill('Acme Messaging Partners');
  await page.getByTestId('feature-type').selectOption('whatsapp_business_app_onboarding');
  await page.getByTestId('save-settings').click();
  await expect(page.getByTestId('settings-result')).toContainText('Saved');
  await page.screenshot({ path: 'test-results/settings.png', fullPage: true });
  // Bad input is refused with the reason, and nothing changes.
  await page.locator('#config_id').fill('not-a-number');
  await page.getByTestId('save-settings').click();
  await expect(page.getByTestId('settings-result')).toContainText('configuration id');

  const visitor = await browser.newPage({ baseURL: page.url() });
  await visitor.goto('/signup?business_name=Prefilled%20Pastries');
  await expect(visitor.getByTestId('connect')).toBeEnabled();
  await expect(visitor.locator('.signup')).toContainText('Acme Messaging Partners');
  const [popup] = await Promise.all([visitor.waitForEvent('popup'), visitor.getByTestId('connect').click()]);
  await expect(popup.locator('#wizard')).toBeVisible();
  await expect(popup.locator('#request-info')).toContainText('featureType whatsapp_business_app_onboarding');
  await expect(popup.locator('#coexistence')).toBeChecked();
  await expect(popup.locator('#business')).toHaveValue('Prefilled Pastries');
  await popup.close();
  await visitor.close();

  // Back to the defaults for the tests that follow.
  await page.goto('/settings');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#partner_name').fill('Sandbox Partner');
  await page.locator('#config_id').fill('200000000000002');
  await page.getByTestId('feature-type').selectOption('');
  await page.getByTestId('save-settings').click();
  await expect(page.getByTestId('settings-result')).toContainText('Saved');
});

test('v4 is the default launch; choosing the deprecated v3 warns and launches the seeds\' shape', async ({ page, browser }) => {
  await signIn(page, 'admin', '/settings');
  await expect(page.getByTestId('es-version')).toHaveValue('v4');
  await expect(page.getByTestId('es-v4-note')).toContainText('Marketing Messages API for WhatsApp');
  await expect(page.getByTestId('es-deprecated')).toHaveCount(0);
  const launch = async () => {
    const visitor = await browser.newPage({ baseURL: page.url() });
    await visitor.goto('/signup');
    await expect(visitor.getByTestId('connect')).toBeEnabled();
    const [popup] = await Promise.all([visitor.waitForEvent('popup'), visitor.getByTestId('connect').click()]);
    await expect(popup.locator('#wizard')).toBeVisible();
    const extras = JSON.parse(new URL(popup.url()).searchParams.get('extras') || '{}');
    const version = await popup.getByTestId('es-version').getAttribute('data-version');
    const terms = await popup.locator('#mm-terms').isVisible();
    await visitor.close();
    return { extras, version, terms };
  };
  // v4: no features and no version in extras; the terms come from the configuration.
  let launched = await launch();
  expect(launched.version).toBe('v4');
  expect(launched.extras.features).toBeUndefined();
  expect(launched.extras.version).toBeUndefined();
  expect(launched.terms).toBe(true);

  await page.getByTestId('es-version').selectOption('v3');
  await page.getByTestId('save-settings').click();
  await expect(page.getByTestId('settings-result')).toContainText('Saved');
  await expect(page.getByTestId('es-deprecated')).toContainText('deprecated by Meta on October 15, 2026');
  await page.screenshot({ path: 'test-results/settings-es-v3-deprecated.png', fullPage: true });
  launched = await launch();
  expect(launched.version).toBe('v3');
  expect(launched.extras.features).toEqual([{ name: 'marketing_messages_lite' }]);
  expect(launched.extras.version).toBe('v3');
  expect(launched.terms).toBe(true);

  // Back to v4 for the tests that follow.
  await page.getByTestId('es-version').selectOption('v4');
  await page.getByTestId('save-settings').click();
  await expect(page.getByTestId('settings-result')).toContainText('Saved');
  await expect(page.getByTestId('es-deprecated')).toHaveCount(0);
});

test('an operator sends a test marketing message and sees its statuses; MM errors are explained', async ({ page, request }) => {
  // A business onboarded end to end through the API (pipeline + terms webhook).
  const nonce = await (await request.post('/api/signup_start', { form: {} })).json();
  const created = await (await request.post('/sandbox/api/signups', {
    data: { business_name: 'Test Send Tapas', phone_number: '+55 11 97777 1234', terms_delay_ms: 0 },
  })).json();
  const key = await (await request.post('/api/signup_complete', { form: { nonce, code: created.code } })).json();
  await expect.poll(async () => {
    const status = await (await request.post('/api/signup_status', { form: { key } })).json();
    return status.ready;
  }, { timeout: 20_000 }).toBe(true);

  await signIn(page, 'operator', `/wabas?q=${created.waba_id}`);
  await page.getByTestId('waba-row').getByRole('link').first().click();
  await expect(page.getByTestId('no-metrics')).toBeVisible();
  // The templates the pipeline listed, each with whether the MM API can send it now.
  const templates = page.getByTestId('templates');
  await expect(templates.locator('[data-name="order_update"]')).toContainText('utility template');
  await expect(templates.locator('[data-name="new_arrivals"]')).toContainText('only approved templates');
  await expect(templates.locator('[data-name="spring_sale"]')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('open-test-send').click();
  // Only ready marketing templates are offered.
  const offered = await page.getByTestId('send-template').locator('option').allTextContents();
  expect(offered).toContain('spring_sale (en_US)');
  expect(offered.join()).not.toContain('order_update');
  expect(offered.join()).not.toContain('new_arrivals');
  await page.locator('#to').fill('+55 11 98888 7777');
  await page.getByTestId('send-test').click();
  await expect(page.getByTestId('send-result')).toContainText('Sent: message wamid.');
  await expect(page.getByTestId('chart-marketing_lite')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('metrics')).toContainText('MM API (marketing_lite)');
  await expect(page.getByTestId('timeline')).toContainText('Test message wamid.');

  // Meta's own count of the same send (template analytics), read on request.
  await page.getByTestId('action-fetch_metrics').click();
  await expect(page.getByTestId('mm-metrics-templates')).toContainText('marketing_text_no_param', { timeout: 20_000 });
  await expect(page.getByTestId('chart-meta_mm_api')).toBeVisible();
  await page.getByTestId('send-template').selectOption('syncing_template');
  await page.getByTestId('send-test').click();
  await expect(page.getByTestId('send-result')).toContainText('still being set up for the MM API');
  await page.screenshot({ path: 'test-results/waba-send.png', fullPage: true });
  // The overview adds up every WABA's statuses, MM API apart from Cloud API marketing.
  await page.goto('/');
  await expect(page.getByTestId('chart-marketing_lite')).toBeVisible();
  await expect(page.getByTestId('signups-chart')).toBeVisible();
  await page.screenshot({ path: 'test-results/overview-metrics.png', fullPage: true });

  // The same business's status page in Brazilian Portuguese, at phone size (I18N.md).
  const pt = ftl('pt-BR');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/status/${key}?lang=pt-BR`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(page.getByTestId('status-headline')).toHaveText(pt['headline-ready']);
  await expect(page.getByTestId('check-connected').locator('strong')).toHaveText(pt['check-connected']);
  await expect(page.getByTestId('check-number')).toContainText(pt['number-done']);
  await expect(page.getByTestId('check-ready')).toContainText(pt['badge-done']);
  await page.screenshot({ path: 'test-results/status-pt-BR-phone.png', fullPage: true });
});

test('an admin adds a staff account and rotates the webhook verify token', async ({ page, browser, request }) => {
  await signIn(page, 'admin', '/settings');
  const email = `new.operator.${Date.now()}@e2e.test`;
  await page.getByTestId('new-staff-email').fill(email);
  await page.getByTestId('new-staff-name').fill('New Operator');
  await page.getByTestId('new-staff-role').selectOption('operator');
  await page.getByTestId('create-staff').click();
  const password = (await page.getByTestId('initial-password-value').textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(20);
  await expect(page.locator(`[data-testid="staff-row"][data-email="${email}"]`)).toBeVisible();

  // The new operator signs in with the initial password, in a browser of their own.
  const other = await browser.newContext();
  const theirs = await other.newPage();
  await theirs.goto('/login');
  await theirs.locator('#email').fill(email);
  await theirs.locator('#password').fill(password);
  await theirs.getByTestId('sign-in').click();
  await expect(theirs.getByTestId('who')).toContainText('New Operator');
  await other.close();

  // Rotation shows the new token once; Meta's handshake accepts it.
  await page.getByTestId('rotate-verify-token').click();
  const token = (await page.getByTestId('new-verify-token-value').textContent())!.trim();
  await expect(page.getByTestId('verify-token-state')).toContainText('Rotated');
  const handshake = await request.get(`/webhooks/meta?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=77`);
  expect(handshake.status()).toBe(200);
  expect(await handshake.text()).toBe('77');
  await page.reload();
  await expect(page.getByTestId('last-verified')).not.toContainText('not');
  await page.screenshot({ path: 'test-results/settings-staff.png', fullPage: true });
});
