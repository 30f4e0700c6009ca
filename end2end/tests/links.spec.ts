import { readFileSync } from 'node:fs';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { test, expect, signUp } from './fixtures';

test('create a short link, follow it, download and decode its QR code', async ({ page, server }) => {
  await signUp(page);

  await page.getByRole('navigation').getByRole('link', { name: 'Links' }).click();
  await expect(page.getByTestId('link-quota')).toHaveText('50 of 50 new links left this month');

  // A target on this server (the test machine has no internet), but not a short link.
  const target = `${server.url}/login?from=short-link`;
  await page.getByLabel('Address to shorten').fill('javascript:alert(1)');
  await page.getByRole('button', { name: 'Shorten' }).click();
  await expect(page.getByRole('alert')).toContainText('http');

  await page.getByLabel('Address to shorten').fill(target);
  await page.getByLabel('Valid for').selectOption('days7');
  await page.getByRole('button', { name: 'Shorten' }).click();
  const shortUrl = (await page.getByTestId('short-url').textContent())!.trim();
  expect(shortUrl).toMatch(new RegExp(`^${server.url}/l/[2-9a-z]{7}$`));
  await expect(page.getByTestId('link-quota')).toHaveText('49 of 50 new links left this month');
  await expect(page.getByTestId('link-row')).toHaveCount(1);

  // The QR code downloads as PNG and encodes the short URL.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('qr-png').click(),
  ]);
  const file = await download.path();
  const png = PNG.sync.read(readFileSync(file!));
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(decoded?.data).toBe(shortUrl);

  // Following the link lands on the target.
  const visitor = await page.context().browser()!.newPage();
  await visitor.goto(shortUrl);
  await expect(visitor).toHaveURL(target);
  await visitor.close();

  // The visit is counted.
  await page.reload();
  await expect(page.getByTestId('link-row').getByTestId('visits')).toHaveText('1');
});

test('the links page fits a phone screen', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signUp(page);
  await page.goto('/links');
  await page.getByLabel('Address to shorten').fill('https://example.org/a/rather/long/path/that/should/not/overflow/the/screen?x=1');
  await page.getByRole('button', { name: 'Shorten' }).click();
  await expect(page.getByTestId('created-link')).toBeVisible();
  await expect(page.getByTestId('link-row')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/links-360.png', fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('a password-protected link opens in a real browser and lands on another site', async ({ page, server }) => {
  await signUp(page);
  const me = await (await page.request.get('/api/me')).json();
  const created = await page.request.post('/api/links', {
    headers: { 'x-csrf-token': me.csrf_token },
    data: { url: 'https://target.example/welcome?from=ksuite', password: 'open sesame' },
  });
  expect(created.status()).toBe(201);
  const link = await created.json();

  // The target is on another site; this test machine has no internet, so the browser's
  // request for it is answered here — but only if the browser lets the redirect happen.
  const visitor = await page.context().browser()!.newPage();
  await visitor.route('https://target.example/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Target</title><h1>Landed</h1>' }));
  await visitor.goto(link.short_url);
  await expect(visitor.getByRole('heading', { name: 'This link is protected' })).toBeVisible();

  await visitor.getByLabel('Password').fill('wrong');
  await visitor.getByRole('button', { name: 'Continue' }).click();
  await expect(visitor.getByRole('alert')).toContainText('Wrong password');

  await visitor.getByLabel('Password').fill('open sesame');
  await visitor.getByRole('button', { name: 'Continue' }).click();
  await expect(visitor).toHaveURL('https://target.example/welcome?from=ksuite');
  await expect(visitor.getByRole('heading', { name: 'Landed' })).toBeVisible();
  await visitor.close();
});

test('the URL keeps the links search, sort and page: reload and back restore them', async ({ page }) => {
  await signUp(page);
  const me = await (await page.request.get('/api/me')).json();
  for (let i = 1; i <= 23; i++) {
    const created = await page.request.post('/api/links', {
      headers: { 'x-csrf-token': me.csrf_token },
      data: { url: `https://shop.example/item/${i}`, slug: `item-${String(i).padStart(2, '0')}` },
    });
    expect(created.status()).toBe(201);
  }
  await page.goto('/links');
  await expect(page.getByText('Page 1 of 2')).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/\/links\?page=2$/);
  await expect(page.getByTestId('link-list').locator('li')).toHaveCount(3);
  await page.reload();
  await expect(page.getByText('Page 2 of 2')).toBeVisible();
  await expect(page.getByTestId('link-list').locator('li')).toHaveCount(3);
  await page.goBack();
  await expect(page.getByText('Page 1 of 2')).toBeVisible();

  await page.getByLabel('Sort by').selectOption('slug');
  await expect(page).toHaveURL(/\/links\?sort=slug$/);
  await expect(page.getByTestId('link-list').locator('li').first()).toContainText('item-01');
  await page.getByLabel('Search links').fill('item-2');
  await expect(page).toHaveURL(/[?&]q=item-2/);
  await expect(page.getByTestId('link-list').locator('li')).toHaveCount(4); // 20–23
  await page.reload();
  await expect(page.getByLabel('Search links')).toHaveValue('item-2');
  await expect(page.getByLabel('Sort by')).toHaveValue('slug');
  await expect(page.getByTestId('link-list').locator('li')).toHaveCount(4);
});

test('every link in the list offers its QR code, not only right after creating it', async ({ page }) => {
  await signUp(page);
  const me = await (await page.request.get('/api/me')).json();
  const created = await page.request.post('/api/links', {
    headers: { 'x-csrf-token': me.csrf_token },
    data: { url: 'https://example.org/poster', slug: 'poster' },
  });
  expect(created.status()).toBe(201);
  await page.goto('/links');
  const row = page.getByTestId('link-row').filter({ hasText: '/poster' });
  await row.getByTestId('show-qr').click();
  const image = row.getByTestId('link-qr').getByRole('img', { name: /QR code for .*poster/ });
  await expect(image).toBeVisible();
  // The image really loaded (a broken one has no natural width).
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('link', { name: 'QR code (PNG)' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('qr-poster.png');
});

test("a link's target is changed in its row, not in a browser prompt", async ({ page }) => {
  await signUp(page);
  const me = await (await page.request.get('/api/me')).json();
  const created = await page.request.post('/api/links', {
    headers: { 'x-csrf-token': me.csrf_token },
    data: { url: 'https://example.org/old-page', slug: 'moving' },
  });
  expect(created.status()).toBe(201);
  page.on('dialog', (d) => { throw new Error(`unexpected browser dialog: ${d.message()}`); });
  await page.goto('/links');
  const row = page.getByTestId('link-row').filter({ hasText: '/moving' });
  await row.getByTestId('edit-target').click();
  const field = row.getByLabel('New target address');
  await expect(field).toHaveValue('https://example.org/old-page');
  await field.fill('https://example.org/new-page');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row.locator('.target')).toHaveText('https://example.org/new-page');
  await expect(field).toBeHidden();
  const links = await (await page.request.get('/api/links?q=moving')).json();
  expect(links.items[0].url).toBe('https://example.org/new-page');
});

test("the server's refusals read in the user's language, field and limit included", async ({ page, server }) => {
  await signUp(page);
  await page.getByTestId('language-select').selectOption('fr');
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Liens' }).click();
  const target = `${server.url}/login?from=refusals`;
  const refusal = page.getByRole('alert');
  const shorten = async (slug: string) => {
    await page.getByLabel('Adresse à raccourcir').fill(target);
    await page.getByLabel('Nom court personnalisé (facultatif)').fill(slug);
    await page.getByRole('button', { name: 'Raccourcir' }).click();
  };
  await shorten('ab');
  await expect(refusal).toHaveText('Nom court : de 3 à 64 caractères.');
  await shorten('api');
  await expect(refusal).toHaveText('Nom court : réservé. Choisissez-en un autre.');
  await shorten('rendez-vous');
  await expect(page.getByTestId('link-row')).toHaveCount(1);
  await shorten('rendez-vous');
  await expect(refusal).toHaveText('Nom court : déjà pris. Choisissez-en un autre.');
  // In English the server's own sentence is shown as it is.
  await page.getByTestId('language-select').selectOption('en');
  await page.getByLabel('Address to shorten').fill(target);
  await page.getByLabel('Custom short name (optional)').fill('rendez-vous');
  await page.getByRole('button', { name: 'Shorten' }).click();
  await expect(refusal).toHaveText('This short name is already taken. Choose another one.');
});
