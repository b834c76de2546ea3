import { test, expect } from '../fixtures';

// The front end over the wire: public pages work without WebAssembly, everything over 1 KB
// comes compressed, fingerprinted files are kept a year and pages are re-checked.

test('the signup page works without any WebAssembly, and its files come compressed', async ({ page }) => {
  const requested: string[] = [];
  const uncompressed: string[] = [];
  page.on('response', async (response) => {
    const url = new URL(response.url());
    requested.push(url.pathname);
    const headers = await response.allHeaders();
    const length = (await response.body().catch(() => Buffer.alloc(0))).length;
    if (url.origin === new URL(page.url() || response.url()).origin && length > 1024 && !headers['content-encoding']) {
      uncompressed.push(`${url.pathname} (${length} B)`);
    }
  });
  const response = await page.goto('/signup');
  expect(response?.headers()['cache-control']).toBe('no-cache');
  await expect(page.locator('body')).toHaveAttribute('data-public', 'true');
  await expect(page.getByTestId('connect')).toBeEnabled();
  await expect(page.getByTestId('signup-notice')).toContainText('Ready');
  expect(requested.filter((path) => path.endsWith('.wasm'))).toEqual([]);
  expect(requested.filter((path) => /\/pkg\/mm_portal\./.test(path) && path.endsWith('.js'))).toEqual([]);
  expect(requested).toContainEqual(expect.stringMatching(/^\/pkg\/signup\.[0-9a-f]{16}\.js$/));
  expect(uncompressed).toEqual([]);
});

test('staff pages load the fingerprinted bundle, kept a year, Brotli when asked', async ({ page, request }) => {
  const wasm: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
  });
  await page.goto('/login');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  expect(wasm).toEqual([expect.stringMatching(/^\/pkg\/mm_portal\.[0-9a-f]{16}\.wasm$/)]);

  for (const encoding of ['br', 'gzip']) {
    const asset = await request.get(wasm[0], { headers: { 'accept-encoding': encoding } });
    expect(asset.status()).toBe(200);
    expect(asset.headers()['content-encoding']).toBe(encoding);
    expect(asset.headers()['content-type']).toBe('application/wasm');
    expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers()['vary']).toBe('accept-encoding');
  }
  // A page is compressed on the fly and never kept unchecked.
  const html = await request.get('/login', { headers: { 'accept-encoding': 'br' } });
  expect(html.headers()['content-encoding']).toBe('br');
  expect(html.headers()['cache-control']).toBe('no-cache');
  expect(await html.text()).toContain('<html');
});

test('the status page of an unknown key says so without WebAssembly', async ({ page }) => {
  const response = await page.goto('/status/no-such-key-000000000000');
  expect(response?.status()).toBe(404);
  await expect(page.locator('body')).toHaveAttribute('data-enhanced', 'true');
  await expect(page.getByRole('alert')).toContainText('Status page not found');
});

test('the status page says when it lost the connection and recovers by itself', async ({ page }) => {
  const path = '/status/no-such-key-111111111111';
  await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-enhanced', 'true');
  // The next reads fail: the last checklist stays, with a notice.
  await page.route(`**${path}`, (route) => route.abort('internetdisconnected'));
  await expect(page.getByTestId('status-offline')).toContainText('Connection lost');
  await expect(page.getByRole('alert')).toContainText('Status page not found');
  // Back online: the notice goes at the next read.
  await page.unroute(`**${path}`);
  await expect(page.getByTestId('status-offline')).toHaveCount(0, { timeout: 15_000 });
});
