import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(__dirname, '..', '..');

export interface KsuiteServer {
  url: string;
  /** The inbound SMTP listener, `host:port`. */
  smtp: string;
  /** The IMAP listener with TLS, `host:port` (its certificate is `tls/self-signed.crt`). */
  imaps: string;
  dataDir: string;
  stop: () => Promise<void>;
}

/** The server binary: `KSUITE_BIN` (`make test` passes the debug build its Rust tests
 * just built, sparing a release build), else the release build `make test-e2e` makes. */
const KSUITE_BIN = process.env.KSUITE_BIN || path.join(ROOT, 'target', 'release', 'ksuite');

/** Starts ksuite on 127.0.0.1:0 with a fresh data directory. */
export async function startServer(extraArgs: string[] = []): Promise<KsuiteServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ksuite-e2e-'));
  const child: ChildProcess = spawn(KSUITE_BIN, [
    'serve', '--listen', '127.0.0.1:0', '--smtp-listen', '127.0.0.1:0', '--imap-listen', '127.0.0.1:0', '--imaps-listen', '127.0.0.1:0', '--submission-listen', '127.0.0.1:0', '--submissions-listen', '127.0.0.1:0', '--data-dir', dataDir,
    // A test may serve its own copy of the app (e.g. to deploy a new version mid-test).
    ...(extraArgs.includes('--static-dir') ? [] : ['--static-dir', path.join(ROOT, 'dist')]), ...extraArgs,
  ], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'warn', KSUITE_SIGNUP_MAX_PER_IP: '10000', KSUITE_SENDER_AUTH_DNS: 'off' } });
  const [url, smtp, imaps] = await new Promise<[string, string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ksuite did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`ksuite exited early with code ${code}`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = line.match(/running at (http:\/\/[^/\s]+).*SMTP on ([^,\s]+).*IMAP on [^,\s]+ and ([^,\s]+) with TLS/);
      if (m) { clearTimeout(timer); resolve([m[1], m[2], m[3]]); }
    });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, smtp, imaps, dataDir, stop };
}

/** Delivers a raw message over SMTP, the way another mail server would. */
export async function sendMail(smtp: string, to: string, raw: string): Promise<void> {
  const [host, port] = [smtp.slice(0, smtp.lastIndexOf(':')), Number(smtp.slice(smtp.lastIndexOf(':') + 1))];
  const socket = createConnection({ host, port });
  socket.setEncoding('utf8');
  let buffer = '';
  const waiters: Array<(line: string) => void> = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      // Multi-line replies ("250-…") end with the line whose code is followed by a space.
      if (/^\d{3} /.test(line)) waiters.shift()?.(line);
    }
  });
  const reply = () => new Promise<string>((r) => waiters.push(r));
  const expectCode = async (code: string, p: Promise<string>) => {
    const line = await p;
    if (!line.startsWith(code)) throw new Error(`SMTP: expected ${code}, got ${line}`);
  };
  const send = (cmd: string, code: string) => { const p = reply(); socket.write(cmd + '\r\n'); return expectCode(code, p); };
  await expectCode('220', reply());
  await send('EHLO e2e.example.org', '250');
  await send('MAIL FROM:<sender@example.org>', '250');
  await send(`RCPT TO:<${to}>`, '250');
  await send('DATA', '354');
  const body = raw.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  await send(body + '\r\n.', '250');
  await send('QUIT', '221');
  socket.end();
}

let counter = 0;
/** A fresh, unique account for each test. */
export function newAccount() {
  counter += 1;
  const id = `${Date.now()}-${counter}`;
  return { email: `user-${id}@example.org`, name: `Test User ${counter}`, password: 'correct horse battery staple' };
}

/** Signs a new account up through the form and waits for the app; returns the account. */
export async function signUp(page: Page) {
  const account = newAccount();
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(account.name);
  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/mail$/);
  return account;
}

/** Delivers push messages to the page's service worker through CDP (the browser half of
 * Web Push: headless Chromium has no vendor push service). */
export async function pushToServiceWorker(context: BrowserContext, page: Page, origin: string) {
  const cdp = await context.newCDPSession(page);
  const registrationId = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: any) => {
      const reg = e.registrations.find((r: any) => !r.isDeleted && r.scopeURL.startsWith(origin));
      if (reg) resolve(reg.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const id = await registrationId;
  return (payload: unknown) => cdp.send('ServiceWorker.deliverPushMessage', {
    origin, registrationId: id, data: JSON.stringify(payload),
  });
}

/** Holds every POST to `url` until `release()`, counting them: a test can click a button
 * twice while the first request is on its way and check that only one was sent. The page
 * must run without the service worker (`serviceWorkers: 'block'`) for routes to see it. */
export async function holdPosts(page: Page, url: string) {
  let posts = 0;
  let release = () => {};
  const held = new Promise<void>((resolve) => { release = resolve; });
  await page.route(url, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    posts += 1;
    await held;
    await route.continue();
  });
  return { release: () => release(), count: () => posts };
}

export const test = base.extend<{}, { server: KsuiteServer }>({
  server: [async ({}, use) => {
    const server = await startServer();
    await use(server);
    await server.stop();
  }, { scope: 'worker' }],
  baseURL: async ({ server }, use) => use(server.url),
});

export { expect };
