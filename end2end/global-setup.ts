import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

// Starts the built portal on a free port (PORTAL_ADDR=127.0.0.1:0) with a throw-away SQLite
// database, waits for the line that says where it listens, and hands that URL to the tests
// through PORTAL_URL. Returns the teardown, which stops the server with SIGTERM and checks that
// it shut down cleanly.
export const STAFF_PASSWORD = 'e2e staff password 42';

export default async function globalSetup() {
  const root = resolve(__dirname, '..');
  const binary = process.env.PORTAL_BIN ?? join(root, 'target', 'debug', 'mm-portal');
  if (!existsSync(binary)) {
    throw new Error(`portal binary not found at ${binary}: run scripts/build.sh or set PORTAL_BIN`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-portal-e2e-'));
  const env = {
    ...process.env,
    META_MODE: 'sandbox',
    PORTAL_ADDR: '127.0.0.1:0',
    PORTAL_DATA_DIR: dataDir,
    DATABASE_URL: `sqlite://${join(dataDir, 'portal.db')}`,
    LEPTOS_SITE_ROOT: join(root, 'target', 'site'),
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  };
  // One staff account per role, made the way an operator would: `mm-portal admin create`.
  for (const role of ['admin', 'operator', 'viewer']) {
    const made = spawnSync(
      binary,
      ['admin', 'create', '--email', `${role}@e2e.test`, '--name', `E2E ${role}`, '--role', role],
      { cwd: root, env: { ...env, ADMIN_PASSWORD: STAFF_PASSWORD }, encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`admin create ${role} failed: ${made.stderr}`);
  }
  const child = spawn(binary, ['serve'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('portal did not start within 30 s')), 30_000);
    child.once('error', (error) => reject(error));
    child.once('exit', (code) => reject(new Error(`portal exited early with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = line.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1].replace(/\/$/, ''));
      }
    });
  });
  process.env.PORTAL_URL = url;
  process.env.PORTAL_DATA_DIR = dataDir;

  return async () => {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<number | null>((done) => setTimeout(() => done(-1), 10_000)),
    ]);
    rmSync(dataDir, { recursive: true, force: true });
    if (code !== 0) {
      throw new Error(`portal did not shut down cleanly on SIGTERM (exit code ${code})`);
    }
  };
}
