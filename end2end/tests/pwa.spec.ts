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
      const cache = await caches.open('ksuite-shell-v1');
      return (await cache.keys()).some((r) => r.url.endsWith('.wasm'));
    })).toBe(true);
  } finally {
    await server.stop();
  }
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Main navigation' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'offline' })).toBeVisible();
  await context.close();
});

test('a pushed message shows a notification', async ({ browser, server }) => {
  const context = await browser.newContext({ baseURL: server.url });
  await context.grantPermissions(['notifications'], { origin: server.url });
  const page = await context.newPage();
  await page.goto('/login');
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });

  const deliver = await pushToServiceWorker(context, page, server.url);

  const shown = page.evaluate(() => new Promise<any>((resolve) => {
    navigator.serviceWorker.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'ksuite:notification-shown') resolve(e.data);
    });
  }));
  const payload = { title: 'Team meeting', body: 'Starts in 10 minutes', url: '/calendar' };
  await deliver(payload);
  const message = await shown;
  expect(message).toMatchObject(payload);
  const notifications = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, url: n.data.url }));
  });
  expect(notifications).toContainEqual(payload);
  await context.close();
});
