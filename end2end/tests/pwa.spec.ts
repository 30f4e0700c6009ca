import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, startServer, signUp, sendMail, pushToServiceWorker } from './fixtures';

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
      const shell = names.find((n) => n.startsWith('ksuite-shell-'))!;
      const urls = (await (await caches.open(shell)).keys()).map((r) => new URL(r.url).pathname);
      return { names, urls };
    });
    // The shell and the user's stored answers, both of this build.
    expect(cached.names).toContain(`ksuite-shell-${build}`);
    for (const name of cached.names) expect([`ksuite-shell-${build}`, `ksuite-data-${build}`]).toContain(name);
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
    // A page opened while the new version waits is told at load.
    const other = await context.newPage();
    await other.goto('/mail');
    await expect(other.getByTestId('update-ready')).toContainText('A new version of ksuite is ready.');
    await other.close();
    await notice.getByRole('button', { name: 'Reload' }).click();
    await expect(notice).toBeHidden();
    await expect(page.getByTestId('user-name')).toBeVisible();
    // Every cache of the old build is gone; the new build's shell (and data) remain.
    await expect.poll(async () => (await page.evaluate(() => caches.keys())).filter((n) => !n.startsWith('ksuite-data-')))
      .toEqual([`ksuite-shell-${next}`]);
    await expect.poll(() => page.evaluate(() => caches.keys())).not.toContain(`ksuite-data-${build}`);
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
    // A feature's bundle, or a library fetched by the app when needed (x.lib.js).
    const m = r.url().match(/\/(\w+)\.(?:bundle|lib\.js)$/);
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
  // The event editor and the calendar settings follow on their own once the calendar is up.
  await expect.poll(() => [...chunks]).toEqual(['calendar', 'event_editor', 'calendar_settings']);

  const nav = fresh.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Contacts' }).click();
  await expect(fresh.getByRole('heading', { level: 1 })).toHaveText('Contacts');
  // The contact form at once; the sharing panel once the user's own book is listed.
  await expect.poll(() => [...chunks])
    .toEqual(['calendar', 'event_editor', 'calendar_settings', 'contacts', 'contact_form', 'book_sharing']);
  await nav.getByRole('link', { name: 'Mail' }).click();
  await expect(fresh.getByRole('heading', { level: 1 })).toHaveText('Mail');
  await expect.poll(() => [...chunks])
    .toEqual(['calendar', 'event_editor', 'calendar_settings', 'contacts', 'contact_form', 'book_sharing', 'mail', 'reader', 'mail_tools']);
  // Reading mail does not load the composer; writing does, and its rich-text editor.
  await fresh.getByTestId('compose').click();
  await expect(fresh.getByRole('button', { name: 'Send', exact: true })).toBeVisible();
  await expect.poll(() => [...chunks]).toEqual(['calendar', 'event_editor', 'calendar_settings', 'contacts', 'contact_form',
    'book_sharing', 'mail', 'reader', 'mail_tools', 'composer', 'rich_editor']);

  // Settings → Mail is three pages, each with its own chunk; the filter editor follows the
  // filter list.
  chunks.length = 0;
  await fresh.goto('/settings/mail');
  await expect(fresh.getByTestId('signatures')).toBeVisible();
  expect(chunks).toEqual(['mail_settings']);
  const parts = fresh.getByRole('navigation', { name: 'Mail' });
  await parts.getByRole('link', { name: 'Filters' }).click();
  await expect(fresh.getByTestId('new-filter')).toBeVisible();
  await expect.poll(() => [...chunks]).toEqual(['mail_settings', 'mail_filters', 'filter_editor']);
  await parts.getByRole('link', { name: 'Aliases and accounts' }).click();
  await expect(fresh.getByTestId('fetch-card')).toBeVisible();
  await expect(fresh.getByTestId('routing-card')).toBeVisible();
  expect(chunks).toEqual(['mail_settings', 'mail_filters', 'filter_editor', 'mail_accounts']);
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

/** The names and entry counts of the service worker's stored API answers. */
async function storedAnswers(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let n = 0;
    for (const name of (await caches.keys()).filter((k) => k.startsWith('ksuite-data-'))) {
      n += (await (await caches.open(name)).keys()).length;
    }
    return n;
  });
}

test('the last-read mail folder, message and calendar month open offline', async ({ browser }) => {
  const server = await startServer();
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  let mailUrl = '';
  try {
    await signUp(page);
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    // Mail read through the service worker (a page it controls) is kept for offline reading.
    await page.reload();
    const address = (await page.getByTestId('mail-address').textContent())!.replace(/^.*?:\s*/, '').trim();
    await sendMail(server.smtp, address, [
      'From: Grace Hopper <grace@example.org>', `To: ${address}`, 'Subject: Offline agenda',
      'Message-ID: <offline-1@example.org>', 'Content-Type: text/plain; charset=utf-8', '',
      'Read me on the train.',
    ].join('\n'));
    await page.reload();
    await page.getByTestId('message').filter({ hasText: 'Offline agenda' }).click();
    await expect(page.getByTestId('reader-body')).toContainText('Read me on the train.');
    mailUrl = page.url();

    await page.goto('/calendar?view=week&date=2026-03-02');
    await page.locator('[data-slot="2026-03-04T10"]').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Title').fill('Train to Lyon');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await page.goto('/calendar?view=month&date=2026-03-02');
    await expect(page.locator('[data-date="2026-03-04"]').getByTestId('event')).toContainText('Train to Lyon');
    expect(await storedAnswers(page)).toBeGreaterThan(0);
  } finally {
    await server.stop();
  }

  // The server is gone: the month and the message come from what was last read.
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'offline' })).toBeVisible();
  await expect(page.locator('[data-date="2026-03-04"]').getByTestId('event')).toContainText('Train to Lyon');
  await page.goto(mailUrl);
  await expect(page.getByTestId('message').filter({ hasText: 'Offline agenda' })).toHaveCount(1);
  await expect(page.getByTestId('reader-body')).toContainText('Read me on the train.');
  await page.screenshot({ path: 'test-results/offline-mail.png' });
  await context.close();
});

test('signing out forgets every stored answer', async ({ page }) => {
  await signUp(page);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.reload();
  await expect(page.getByTestId('mail-address')).toContainText('@');
  await expect.poll(() => storedAnswers(page)).toBeGreaterThan(0);
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login/);
  await expect.poll(() => storedAnswers(page)).toBe(0);
});
