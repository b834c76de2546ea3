// The front-end benchmark, driven by `mm-portal bench frontend` (which starts the portal and
// passes PORTAL_URL, BENCH_EMAIL, BENCH_PASSWORD and BENCH_ROUTES, the router's page paths).
//
// For every page: headless Chromium at phone size on Chrome's "slow 4G" profile (150 ms round
// trip, 1.6 Mbit/s down, 750 kbit/s up, CPU slowed 4x) opens it with an empty cache (cold),
// then again (warm), and reports the bytes that crossed the wire each time (compressed sizes,
// headers included) and the time from navigation start until the page is usable:
//   /signup          the "Connect" button is enabled (Facebook SDK and session nonce ready)
//   /status/<key>    the checklist is on screen and its live-update script is running
//   staff pages      the WebAssembly has hydrated the page (clicks reach handlers)
import { chromium } from '@playwright/test';

const base = process.env.PORTAL_URL;
const email = process.env.BENCH_EMAIL;
const password = process.env.BENCH_PASSWORD;
const routes = JSON.parse(process.env.BENCH_ROUTES || '[]');
// Where to put a phone-sized screenshot of each page, if anywhere.
const shots = process.env.BENCH_SCREENSHOTS || '';
if (!base || !email || !password || routes.length === 0) {
  console.error('run through `mm-portal bench frontend`');
  process.exit(2);
}

const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
// Each answers the time since navigation start once the page is usable, else false.
const USABLE = {
  public: () => { const b = document.getElementById('connect'); return !!b && !b.disabled && performance.now(); },
  status: () => document.body.dataset.enhanced === 'true'
    && !!document.querySelector('[data-testid="status-card"] .checklist') && performance.now(),
  staff: () => document.body.dataset.hydrated === 'true' && performance.now(),
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

// Unthrottled set-up: a staff session, a WABA id, and a status page from a real sandbox signup.
const setup = await browser.newContext();
const page = await setup.newPage();
await page.goto(`${base}/login`);
await page.waitForFunction(USABLE.staff);
await page.fill('#email', email);
await page.fill('#password', password);
await page.click('[data-testid="sign-in"]');
await page.waitForSelector('[data-testid="who"]');
const session = await setup.storageState();
await page.goto(`${base}/wabas`);
const wabaHref = await page.locator('[data-testid="waba-row"] a').first().getAttribute('href');
const signup = await browser.newContext();
const business = await signup.newPage();
await business.goto(`${base}/signup`);
await business.waitForFunction(USABLE.public);
const [popup] = await Promise.all([business.waitForEvent('popup'), business.click('#connect')]);
await popup.waitForSelector('#wizard');
await popup.fill('#business', 'Bench Bakery');
await popup.fill('#phone', '+55 11 95555 0777');
await popup.click('#finish');
await business.waitForURL(/\/status\//);
const statusPath = new URL(business.url()).pathname;
await signup.close();

// The router's paths with their parameters filled in; a page whose parameter the bench cannot
// make up (a campaign name, a signup link's token) is measured through its plain sibling.
function concrete(route) {
  if (/[:{]key\}?/.test(route)) return statusPath;
  if (/[:{]id\}?/.test(route)) return wabaHref;
  return /[:{]/.test(route) ? null : route;
}
function kind(path) {
  if (path.startsWith('/status/')) return 'status';
  if (path === '/signup' || path.startsWith('/signup/')) return 'public';
  return 'staff';
}

async function measure(path) {
  const type = kind(path);
  const context = await browser.newContext({ ...PHONE, ...(type === 'staff' ? { storageState: session } : {}) });
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  let bytes = 0;
  let largestUncompressed = 0;
  const encodings = new Map();
  cdp.on('Network.responseReceived', (e) => {
    const enc = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === 'content-encoding');
    encodings.set(e.requestId, enc ? enc[1] : '');
  });
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    if (!encodings.get(e.requestId) && e.encodedDataLength > largestUncompressed) largestUncompressed = e.encodedDataLength;
  });
  const visit = async () => {
    bytes = 0;
    largestUncompressed = 0;
    await tab.goto(`${base}${path}`, { waitUntil: 'commit', timeout: 120_000 });
    const usable = await tab.waitForFunction(USABLE[type], null, { polling: 50, timeout: 120_000 });
    const ms = await usable.jsonValue();
    await tab.waitForLoadState('networkidle', { timeout: 60_000 }).catch(() => {});
    return { ms, bytes, largestUncompressed };
  };
  const cold = await visit();
  const warm = await visit();
  if (shots) {
    const slug = path === '/' ? 'overview' : path.slice(1).replace(/[^A-Za-z0-9]+/g, '-').slice(0, 40);
    await tab.screenshot({ path: `${shots}/${type}-${slug}.png`, fullPage: true });
  }
  await context.close();
  return { path, type, cold, warm };
}

const TARGETS = { public: { kb: 100, s: 2.0 }, status: { kb: null, s: 1.5 }, staff: { kb: 350, warm: 30, s: 3.0 } };
const kb = (n) => (n / 1024).toFixed(1);
console.log('page'.padEnd(28) + 'cold KB'.padStart(9) + 'warm KB'.padStart(9) + 'usable s'.padStart(10) + '  target');
let misses = 0;
for (const route of routes) {
  const path = concrete(route);
  if (!path) continue;
  const r = await measure(path);
  const t = TARGETS[r.type];
  const ok = r.cold.ms / 1000 <= t.s && (t.kb === null || r.cold.bytes / 1024 <= t.kb)
    && (!t.warm || r.warm.bytes / 1024 <= t.warm) && r.cold.largestUncompressed <= 1024;
  if (!ok) misses += 1;
  const target = `≤ ${t.s} s${t.kb ? `, ≤ ${t.kb} KB cold` : ''}${t.warm ? `, ≤ ${t.warm} KB warm` : ''}`;
  const flag = r.cold.largestUncompressed > 1024 ? ` (uncompressed response of ${kb(r.cold.largestUncompressed)} KB)` : '';
  console.log(`${route.padEnd(28)}${kb(r.cold.bytes).padStart(9)}${kb(r.warm.bytes).padStart(9)}${(r.cold.ms / 1000).toFixed(2).padStart(10)}  ${target} ${ok ? 'met' : 'MISSED'}${flag}`);
}
console.log(`pages missing a target: ${misses}`);
await browser.close();
