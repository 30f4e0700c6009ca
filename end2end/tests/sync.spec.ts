import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test, expect, signUp, holdPosts } from './fixtures';

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret, as an authenticator app computes it. */
function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const n = (h.readUInt32BE(o) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

test('sync assistant: create an application password, sync with it, download the Apple profile, revoke', async ({ page, request, baseURL }) => {
  const account = await signUp(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'Sync devices' }).click();
  await expect(page).toHaveURL(/\/settings\/sync$/);
  await expect(page.getByTestId('sync-username')).toHaveText(account.email);
  await expect(page.getByTestId('sync-caldav')).toHaveText(`${baseURL}/dav/calendars/${account.email}/`);

  await page.getByRole('button', { name: 'Create an application password' }).click();
  const secret = (await page.getByTestId('new-app-password').textContent())!.trim();
  expect(secret).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);

  // A device signs in with it (HTTP Basic, the way CalDAV clients do).
  const auth = { Authorization: 'Basic ' + Buffer.from(`${account.email}:${secret}`).toString('base64') };
  const propfind = () => request.fetch('/dav/', { method: 'PROPFIND', headers: { ...auth, Depth: '0' } });
  expect((await propfind()).status()).toBe(207);

  // An event the device writes shows in the web calendar (starting now: always today).
  const start = new Date();
  const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//e2e//EN', 'BEGIN:VEVENT', 'UID:from-phone',
    `DTSTAMP:${stamp(new Date())}`, `DTSTART:${stamp(start)}`, 'DURATION:PT30M', 'SUMMARY:Dentist (from the phone)',
    'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
  // The default calendar's address, found the way clients do: PROPFIND on the home.
  const home = `/dav/calendars/${account.email}/`;
  const listing = await (await request.fetch(home, { method: 'PROPFIND', headers: { ...auth, Depth: '1' } })).text();
  const calendar = [...listing.matchAll(/<d:href>([^<]+)<\/d:href>/g)].map((m) => m[1]).find((h) => h.length > home.length);
  expect(calendar).toBeTruthy();
  const put = await request.fetch(`${calendar}from-phone.ics`,
    { method: 'PUT', headers: { ...auth, 'Content-Type': 'text/calendar' }, data: ics });
  expect(put.status()).toBe(201);
  await page.goto('/calendar');
  await expect(page.getByTestId('event').filter({ hasText: 'Dentist (from the phone)' }).first()).toBeVisible();
  await page.goto('/settings/sync');

  // The Apple profile sets up both accounts.
  await page.getByText('Apple (macOS, iPhone, iPad)').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('apple-profile').click()]);
  expect(download.suggestedFilename()).toBe('ksuite.mobileconfig');
  const profile = readFileSync((await download.path())!, 'utf8');
  expect(profile).toContain('com.apple.caldav.account');
  expect(profile).toContain('com.apple.carddav.account');
  expect(profile).toContain(account.email);
  await page.screenshot({ path: 'test-results/sync-assistant.png', fullPage: true });

  // Listed under Security with its last use; revoking it stops the device.
  await page.getByRole('link', { name: 'Security' }).click();
  const item = page.getByTestId('app-passwords').locator('li', { hasText: 'Sync device' });
  await expect(item).toContainText('Last used');
  await item.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByText('No application passwords yet.')).toBeVisible();
  expect((await propfind()).status()).toBe(401);
});

test('two-factor authentication: turn on, log in with a code, then with a recovery code', async ({ page }) => {
  const account = await signUp(page);
  await page.goto('/settings/security');
  const card = page.getByTestId('two-factor');
  await card.getByRole('button', { name: 'Turn on' }).click();
  await expect(card.locator('.qr svg')).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  // Confirm with the box empty says what is missing; the box is big enough to read.
  await card.getByRole('button', { name: 'Confirm' }).click();
  await expect(card.getByRole('alert')).toHaveText('Enter the 6-digit code your authenticator app shows.');
  expect((await card.getByLabel('Authentication code').boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await card.getByLabel('Authentication code').fill('000000');
  await card.getByRole('button', { name: 'Confirm' }).click();
  await expect(card.getByRole('alert')).toBeVisible();
  await card.getByLabel('Authentication code').fill(totp(secret));
  await card.getByRole('button', { name: 'Confirm' }).click();
  // allTextContents does not wait: wait for the ten codes to be shown first.
  const codeItems = page.getByTestId('recovery-codes').locator('code');
  await expect(codeItems).toHaveCount(10);
  const codes = await codeItems.allTextContents();
  await page.screenshot({ path: 'test-results/two-factor-codes.png', fullPage: true });
  await card.getByRole('button', { name: 'Done' }).click();
  await expect(card).toContainText('On. Logging in asks for a code');

  // Log out and back in: the password alone is not enough.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  const codeField = page.getByLabel('Authentication code');
  await expect(codeField).toBeFocused();
  await codeField.fill('123456');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('not right');
  // The code used to confirm is spent; a recovery code works once.
  await codeField.fill(codes[0]);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/mail$/);
  await page.goto('/settings/security');
  await expect(page.getByTestId('two-factor')).toContainText('Recovery codes left: 9');
});

test('sync assistant: the mail apps section gives servers and steps a mail app can sign in with', async ({ page }) => {
  const account = await signUp(page);
  await page.goto('/settings/sync');
  await expect(page.getByRole('heading', { name: 'Mail apps' })).toBeVisible();
  const host = (await page.getByTestId('mail-host').textContent())!.trim();
  const imap = (await page.getByTestId('mail-imap').textContent())!.trim();
  expect(imap).toMatch(/^\d+ · SSL\/TLS$/);
  await expect(page.getByTestId('mail-smtp')).toHaveText(/^\d+ · SSL\/TLS$/);
  await expect(page.getByTestId('mail-username')).toHaveText(account.email);
  await expect(page.getByTestId('mail-self-signed')).toBeVisible();
  await expect(page.getByTestId('mail-client-steps')).toHaveCount(4);
  await page.getByText('Outlook (Windows, Mac)').click();
  const [port] = imap.split(' ');
  await expect(page.getByTestId('mail-client-steps').first()).toContainText(`port ${port}, encryption SSL/TLS`);

  // A mail app signs in to the IMAP server the page names, with a new application password.
  await page.getByRole('button', { name: 'Create an application password' }).click();
  const secret = (await page.getByTestId('new-app-password').textContent())!.trim();
  const tls = await import('node:tls');
  const answer = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const socket = tls.connect({ host, port: Number(port), rejectUnauthorized: false }, () => {
      socket.write(`a1 LOGIN "${account.email}" "${secret}"\r\na2 LOGOUT\r\n`);
    });
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => { seen += d; });
    socket.on('end', () => resolve(seen));
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`no answer: ${seen}`)), 15000);
  });
  expect(answer).toContain('a1 OK');
});

test.describe('without the service worker, so the page itself makes every request', () => {
  test.use({ serviceWorkers: 'block' });

  test('a write in progress disables its button, and its refusal is shown', async ({ page }) => {
    await signUp(page);
    await page.goto('/settings/sync');
    const posts = await holdPosts(page, '**/api/account/app-passwords');
    const create = page.getByRole('button', { name: 'Create an application password' });
    await create.click();
    // While the answer is on its way, a second click cannot send it again.
    await expect(create).toBeDisabled();
    await create.click({ force: true });
    posts.release();
    await expect(page.getByTestId('new-app-password')).toBeVisible();
    await expect(create).toBeEnabled();
    expect(posts.count()).toBe(1);

    // Revoking one that is already gone says so instead of silently doing nothing.
    await page.route('**/api/account/app-passwords/*', (route) => route.fulfill({
      status: 404, contentType: 'application/json', body: JSON.stringify({ code: 'not_found', message: 'not found' }),
    }));
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByTestId('app-passwords').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect(page.getByTestId('app-passwords').getByRole('alert')).toHaveText('This does not exist (anymore).');
  });
});
