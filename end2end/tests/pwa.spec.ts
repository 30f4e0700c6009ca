import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, startServer, signUp, pushToServiceWorker } from './fixtures';

test('manifest is installable: icons of 192, 512 and maskable', async ({ request }) => {
  const manifest = await (await request.get('/manifest.webmanifest')).json();
  expect(manifest.display).toBe('standalone');
  const icons = manifest.icons as { src: string; sizes: string; purpose?: string }[];
  expect(icons.some((i) => i.sizes === '192x192')).toBe(true);
  expect(icons.some((i) => i.sizes === '512x512' && (i.purpose ?? 'any').includes('any'))).toBe(true);
  expect(icons.some((i) => (i.purpose ?? '').includes('maskable'))).toBe(true);
  for (const icon of icons) {
    const r = await request.get(icon.src);
    expect(r.ok(), icon.src).toBe(true);
  }
});

test('the app shell opens offline after one visit', async ({ browser }) => {
  // A server of its own, which we stop to make the network really go away.
  const server = await startServer();
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  try {
    await signUp(page);
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await expect.poll(() => page.evaluate(async () => {
      const [name] = (await caches.keys()).filter((n) => n.startsWith('ksuite-shell-'));
      if (!name) return false;
      // The last file of the precache: every feature's chunk is there.
      return (await (await caches.open(name)).keys()).some((r) => r.url.endsWith('/contacts.bundle'));
    })).toBe(true);
  } finally {
    await server.stop();
  }
  await page.reload();
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'offline' })).toBeVisible();
  // A feature never opened online still opens: its chunk came with the precache.
  await nav.getByRole('link', { name: 'Contacts' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Contacts');
  await context.close();
});

test('a pushed message shows a notification', async ({ browser, server }) => {
  const context = await browser.newContext({ baseURL: server.url });
  await context.grantPermissions(['notifications'], { origin: server.url });
  const page = await context.newPage();
  await page.goto('/login');
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });

  const deliver = await pushToServiceWorker(context, page, server.url);

  // The listener must be in place before the push: the CDP session that delivers it is not
  // ordered with this page's evaluations, so wait for the listener, then push.
  await page.evaluate(() => {
    (window as any).__shown = new Promise<any>((resolve) => {
      navigator.serviceWorker.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'ksuite:notification-shown') resolve(e.data);
      });
    });
  });
  const payload = { title: 'Team meeting', body: 'Starts in 10 minutes', url: '/calendar' };
  await deliver(payload);
  const message = await page.evaluate(() => (window as any).__shown);
  expect(message).toMatchObject(payload);
  const notifications = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, url: n.data.url }));
  });
  expect(notifications).toContainEqual(payload);
  await context.close();
});

const DIST = path.resolve(__dirname, '..', '..', 'dist');

function buildOf(swSource: string): string {
  return swSource.match(/const BUILD = '([0-9a-f]{16})'/)![1];
}

test('the service worker precaches this exact build, and a new deploy offers a reload', async ({ browser }) => {
  // Serve a copy of the app, so a "deploy" can change it while the page is open.
  const root = mkdtempSync(path.join(tmpdir(), 'ksuite-dist-'));
  cpSync(DIST, root, { recursive: true });
  const server = await startServer(['--static-dir', root]);
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  try {
    const sw = readFileSync(path.join(root, 'sw.js'), 'utf8');
    const build = buildOf(sw);
    const html = readFileSync(path.join(root, 'index.html'), 'utf8');
    const wasm = html.match(/\/pkg\/[0-9a-f]{16}\/app_bg\.wasm/)![0];
    const pkg = path.dirname(wasm);
    const chunks = readdirSync(path.join(root, pkg)).filter((f) => f.endsWith('.bundle'));
    expect(chunks).toEqual(expect.arrayContaining(['mail.bundle', 'calendar.bundle', 'composer.bundle']));

    await signUp(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const urls = (await (await caches.open(names[0])).keys()).map((r) => new URL(r.url).pathname);
      return { names, urls };
    });
    expect(cached.names).toEqual([`ksuite-shell-${build}`]);
    expect(cached.urls).toContain(wasm);
    for (const chunk of chunks) expect(cached.urls).toContain(`${pkg}/${chunk}`);
    expect(cached.urls).toContain('/index.html');

    // Deploy: a new build id (the precompressed copies would still be the old file).
    const next = 'f'.repeat(16);
    writeFileSync(path.join(root, 'sw.js'), sw.replace(`const BUILD = '${build}'`, `const BUILD = '${next}'`));
    rmSync(path.join(root, 'sw.js.br'));
    rmSync(path.join(root, 'sw.js.gz'));
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());

    // The open page is told, and keeps working until the user reloads.
    const notice = page.getByTestId('update-ready');
    await expect(notice).toContainText('A new version of ksuite is ready.');
    await notice.getByRole('button', { name: 'Reload' }).click();
    await expect(notice).toBeHidden();
    await expect(page.getByTestId('user-name')).toBeVisible();
    await expect.poll(() => page.evaluate(() => caches.keys())).toEqual([`ksuite-shell-${next}`]);
  } finally {
    await context.close();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

/** The feature chunks (<name>.bundle) the page asked for, in order. */
function chunkRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const m = r.url().match(/\/(\w+)\.bundle$/);
    if (m && !seen.includes(m[1])) seen.push(m[1]);
  });
  return seen;
}

test('each page downloads the shell and its own feature, and the rest only when opened', async ({ page, context }) => {
  await signUp(page);
  const fresh = await context.newPage();
  const chunks = chunkRequests(fresh);
  await fresh.goto('/calendar');
  await expect(fresh.getByRole('heading', { level: 1 })).toHaveText('Calendar');
  expect(chunks).toEqual(['calendar']);

  const nav = fresh.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Contacts' }).click();
  await expect(fresh.getByRole('heading', { level: 1 })).toHaveText('Contacts');
  await nav.getByRole('link', { name: 'Mail' }).click();
  await expect(fresh.getByRole('heading', { level: 1 })).toHaveText('Mail');
  expect(chunks).toEqual(['calendar', 'contacts', 'mail']);
  // Reading mail does not load the composer; writing does.
  await fresh.getByTestId('compose').click();
  await expect(fresh.getByRole('button', { name: 'Send', exact: true })).toBeVisible();
  expect(chunks).toEqual(['calendar', 'contacts', 'mail', 'composer']);
});

test('a page whose code cannot be fetched says so and offers a reload', async ({ browser }) => {
  // A deploy that lost the Links chunk (or a network that drops it).
  const root = mkdtempSync(path.join(tmpdir(), 'ksuite-dist-'));
  cpSync(DIST, root, { recursive: true });
  const [pkg] = readdirSync(path.join(root, 'pkg'));
  for (const suffix of ['', '.br', '.gz']) rmSync(path.join(root, 'pkg', pkg, `links.bundle${suffix}`));
  const server = await startServer(['--static-dir', root]);
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  try {
    await signUp(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Links' }).click();
    const alert = page.getByTestId('chunk-missing');
    await expect(alert).toContainText('This part of ksuite could not be loaded.');
    await expect(alert.getByRole('button', { name: 'Reload' })).toBeVisible();
    // The rest of the app keeps working.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Calendar' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Calendar');
  } finally {
    await context.close();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
