import { test, expect, startServer, signUp, pushToServiceWorker } from './fixtures';

test.use({ timezoneId: 'Europe/Zurich', locale: 'en-GB' });
import { createServer, type IncomingMessage } from 'node:http';
import { createECDH, createHmac, createDecipheriv, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP receiver (a chat tool's webhook, a push service) that records POSTs. */
async function receiver() {
  const got: { path: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** Decrypts an RFC 8291 (aes128gcm) Web Push body with the browser's keys. */
function decryptPush(body: Buffer, ecdh: ReturnType<typeof createECDH>, auth: Buffer): any {
  const salt = body.subarray(0, 16);
  const idLen = body[20];
  const serverKey = body.subarray(21, 21 + idLen);
  const ciphertext = body.subarray(21 + idLen);
  const secret = ecdh.computeSecret(serverKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), serverKey, Buffer.from([1])]);
  const ikm = hmac(hmac(auth, secret), keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  const end = plain.lastIndexOf(2); // padding delimiter of the last record
  return JSON.parse(plain.subarray(0, end).toString('utf8'));
}

test('notifications: enable this device, receive an encrypted test push, show it with Snooze', async ({ browser }) => {
  const server = await startServer(['--allow-private-targets']);
  const push = await receiver();
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const context = await browser.newContext({ baseURL: server.url });
  await context.grantPermissions(['notifications'], { origin: server.url });
  // Headless Chromium has no vendor push service: the browser's subscription points at
  // our loopback receiver instead, with keys this test holds.
  const subscription = {
    endpoint: `${push.url}/push/device-1`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
  };
  await context.addInitScript((sub) => {
    const fake = { endpoint: sub.endpoint, toJSON: () => sub };
    (PushManager.prototype as any).subscribe = async () => fake;
    (PushManager.prototype as any).getSubscription = async () => null;
  }, subscription);
  const page = await context.newPage();
  try {
    await signUp(page);
    await page.goto('/settings/notifications');
    await page.getByRole('button', { name: 'Enable on this device' }).click();
    await expect(page.getByTestId('push-status')).toHaveText('Notifications are on for this device.');
    await expect(page.getByTestId('devices').getByRole('listitem')).toHaveCount(1);

    await page.getByRole('button', { name: 'Send a test' }).click();
    await expect(page.getByTestId('push-status')).toHaveText('Sent to 1 of 1 devices.');
    expect(push.got).toHaveLength(1);
    expect(push.got[0].headers['content-encoding']).toBe('aes128gcm');
    expect(String(push.got[0].headers['authorization'])).toMatch(/^vapid t=.+, k=/);
    const payload = decryptPush(push.got[0].body, ecdh, auth);
    expect(payload.body).toBe('Notifications work on this device.');

    // The browser half: the service worker shows a reminder with Open and Snooze.
    const deliver = await pushToServiceWorker(context, page, server.url);
    const reminder = { ...payload, title: 'Design review', body: 'Monday 10:00 · Room 4', url: '/calendar?event=x', token: 'tok', tag: 'k1' };
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    // Delivered again on each poll until shown (same tag: it replaces, never doubles).
    await expect.poll(async () => {
      await deliver(reminder);
      return page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n: any) => ({
          title: n.title, body: n.body, url: n.data.url, actions: (n.actions ?? []).map((a: any) => a.title),
        }));
      });
    }).toContainEqual({ title: 'Design review', body: 'Monday 10:00 · Room 4', url: '/calendar?event=x', actions: ['Open', 'Snooze 10 min'] });

    // Removing the device stops notifications to it.
    await page.getByTestId('devices').getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByText('No device receives notifications yet.')).toBeVisible();
  } finally {
    await context.close();
    await push.close();
    await server.stop();
  }
});

test('integrations: a chat webhook is added, tested, and chosen as an event reminder', async ({ browser }) => {
  const server = await startServer(['--allow-private-targets']);
  const chat = await receiver();
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  try {
    await signUp(page);
    await page.goto('/settings/integrations');
    await page.getByLabel('Name').fill('Team kChat');
    await page.getByLabel('Webhook URL').fill(`${chat.url}/hooks/team`);
    await page.getByLabel('Message').fill('Do not forget %subject% on %date%');
    await page.getByRole('button', { name: 'Add a webhook' }).click();
    const list = page.getByTestId('webhook-list');
    await expect(list.getByText('Team kChat')).toBeVisible();
    await list.getByRole('button', { name: 'Send a test' }).click();
    await expect(page.getByTestId('webhook-status')).toHaveText(/^Delivered/);
    expect(JSON.parse(chat.got[0].body.toString()).text).toMatch(/^Do not forget Test reminder from ksuite on /);
    // The free plan has one webhook.
    await page.getByLabel('Name').fill('Second');
    await page.getByLabel('Webhook URL').fill(`${chat.url}/hooks/two`);
    await page.getByRole('button', { name: 'Add a webhook' }).click();
    await expect(page.getByTestId('webhook-status')).toContainText('Your plan allows 1 webhook');
    // Editing the one there is: its new message goes out on the next test.
    await list.getByRole('button', { name: 'Edit' }).click();
    await expect(page.getByLabel('Name')).toHaveValue('Team kChat');
    await page.getByLabel('Message').fill('Edited: %subject%');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('heading', { name: 'Add a webhook' })).toBeVisible();
    await list.getByRole('button', { name: 'Send a test' }).click();
    await expect.poll(() => chat.got.length).toBe(2);
    expect(JSON.parse(chat.got[1].body.toString()).text).toBe('Edited: Test reminder from ksuite');

    // A new event gets a reminder through that webhook.
    await page.goto('/calendar?view=week&date=2026-03-02');
    await page.locator('[data-slot="2026-03-04T10"]').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Title').fill('Quarterly review');
    const reminders = dialog.getByTestId('reminders');
    await reminders.getByRole('button', { name: 'Add a reminder' }).click();
    await reminders.getByLabel('When').selectOption({ label: '30 minutes before' });
    await reminders.getByLabel('How').selectOption({ label: 'Team kChat' });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await page.getByTestId('time-grid').getByTestId('event').filter({ hasText: 'Quarterly review' }).click();
    await expect(dialog.getByTestId('reminders').getByLabel('When')).toHaveValue('30');
    await expect(dialog.getByTestId('reminders').getByLabel('How')).toHaveValue(/^webhook:\d+$/);
    // Removing it and saving leaves the event without reminders.
    await dialog.getByRole('button', { name: 'Remove reminder' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await page.getByTestId('time-grid').getByTestId('event').filter({ hasText: 'Quarterly review' }).click();
    await expect(dialog.getByTestId('reminders')).toContainText('No reminders.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // The calendar's default reminders fill in new events.
    const settings = page.locator('details.cal-settings').first();
    await settings.locator('summary').click();
    const defaults = settings.getByRole('group', { name: 'Default reminders for new events' });
    await defaults.getByRole('button', { name: 'Add a reminder' }).click();
    await defaults.getByLabel('When').selectOption({ label: '1 hour before' });
    await defaults.getByLabel('How').selectOption({ label: 'E-mail' });
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => {
      const cals = await (await page.request.get('/api/calendars')).json();
      return cals[0].default_reminders;
    }).toEqual([{ before_minutes: 60, channel: 'email' }]);
    await page.locator('[data-slot="2026-03-05T10"]').click();
    await expect(dialog.getByTestId('reminders').getByLabel('When')).toHaveValue('60');
    await expect(dialog.getByTestId('reminders').getByLabel('How')).toHaveValue('email');
  } finally {
    await context.close();
    await chat.close();
    await server.stop();
  }
});
