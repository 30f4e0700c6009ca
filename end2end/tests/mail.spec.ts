import type { Locator, Page } from '@playwright/test';
import path from 'node:path';
import { test, expect, signUp, sendMail, startServer, holdPosts } from './fixtures';

/** The signed-in user's mailbox address, read from the Mail page's folder list. */
async function ownAddress(page: Page): Promise<string> {
  return (await page.getByTestId('mail-address').textContent())!.replace(/^.*?:\s*/, '').trim();
}

/** Signs up, opens Mail and starts a message to one's own address; returns the address. */
async function composeToSelf(page: Page): Promise<string> {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  await page.getByTestId('compose').click();
  await page.getByTestId('compose-to-input').fill(address);
  await page.getByTestId('compose-to-input').press('Enter');
  return address;
}

/** Send waits out the undo window (10 s for a new account), offering Undo, then says it went. */
async function expectSent(page: Page) {
  const notice = page.getByTestId('mail-notice');
  await expect(notice).toContainText('Sending…');
  await expect(notice.getByTestId('undo-send')).toBeVisible();
  await expect(notice).toHaveText(/Message sent\./, { timeout: 20_000 });
}

test('receive a message, read it, search for it, delete it and restore it', async ({ page, server }) => {
  await signUp(page);
  await page.goto('/mail');
  const addressLine = page.getByTestId('mail-address');
  await expect(addressLine).toContainText('@');
  const address = (await addressLine.textContent())!.replace(/^.*?:\s*/, '').trim();

  await sendMail(server.smtp, address, [
    'From: Grace Hopper <grace@example.org>',
    `To: ${address}`,
    'Subject: Compiler meeting',
    'Message-ID: <compiler-1@example.org>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Shall we meet on Thursday to talk about the compiler?',
    '.leading dot survives',
  ].join('\n'));
  await page.reload();

  const inbox = page.getByTestId('folder').filter({ hasText: 'Inbox' });
  await expect(inbox.getByTestId('unread')).toHaveText('1');
  const item = page.getByTestId('message').filter({ hasText: 'Compiler meeting' });
  await expect(item).toContainText('Grace Hopper');
  await item.click();
  await expect(page.getByTestId('reader-subject')).toHaveText('Compiler meeting');
  await expect(page.getByTestId('reader-body')).toContainText('meet on Thursday');
  await expect(page.getByTestId('reader-body')).toContainText('.leading dot survives');
  // Reading it marks it read.
  await expect(inbox.getByTestId('unread')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/mail-reading.png' });

  // Search.
  await page.getByRole('searchbox', { name: 'Search mail' }).fill('thursd');
  await page.getByRole('button', { name: 'Search mail' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'Compiler meeting' })).toHaveCount(1);
  await page.getByRole('searchbox', { name: 'Search mail' }).fill('nothing-like-this');
  await page.getByRole('button', { name: 'Search mail' }).click();
  await expect(page.getByText('No messages here.')).toBeVisible();

  // Delete: to the Trash; delete again: gone, but restorable.
  await inbox.click();
  await page.getByTestId('message').filter({ hasText: 'Compiler meeting' }).click();
  await page.getByTestId('delete-message').click();
  await expect(page.getByText('No messages here.')).toBeVisible();
  await page.getByTestId('folder').filter({ hasText: 'Trash' }).click();
  await page.getByTestId('message').filter({ hasText: 'Compiler meeting' }).click();
  await page.getByTestId('delete-message').click();
  await expect(page.getByText('No messages here.')).toBeVisible();
  await page.getByTestId('deleted-mail').click();
  await page.getByTestId('message').filter({ hasText: 'Compiler meeting' }).click();
  await page.getByTestId('restore').click();
  await inbox.click();
  await expect(page.getByTestId('message').filter({ hasText: 'Compiler meeting' })).toHaveCount(1);
});

test('HTML mail shows sanitized in a sandboxed frame, remote images only on request', async ({ page, server }) => {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  await sendMail(server.smtp, address, [
    'From: News <news@example.org>',
    `To: ${address}`,
    'Subject: Newsletter',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<h1 onclick="document.title=1">Big news</h1><script>document.title="pwned"</script>',
    '<img src="https://tracker.example/pixel.gif" alt="pixel">',
  ].join('\n'));
  await page.reload();
  await page.getByTestId('message').filter({ hasText: 'Newsletter' }).click();
  const frame = page.frameLocator('[data-testid=reader-html]');
  await expect(frame.getByRole('heading', { name: 'Big news' })).toBeVisible();
  await expect(frame.locator('script')).toHaveCount(0);
  await expect(page.getByTestId('images-blocked')).toBeVisible();
  await page.getByRole('button', { name: 'Show images' }).click();
  await expect(page.getByTestId('images-blocked')).toHaveCount(0);
  await expect(page.getByTestId('reader-html')).toHaveAttribute('src', /images=true/);
  expect(await page.title()).not.toBe('pwned');
});

test('reply to a message, find the reply in Sent, search for it, delete and restore it', async ({ page, server }) => {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  await sendMail(server.smtp, address, [
    'From: Ada Lovelace <ada@example.org>',
    `To: ${address}`,
    'Subject: Engine notes',
    'Message-ID: <engine-1@example.org>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Here are my notes on the analytical engine.',
  ].join('\n'));
  await page.reload();
  await page.getByTestId('message').filter({ hasText: 'Engine notes' }).click();
  await expect(page.getByTestId('reader-body')).toContainText('analytical engine');

  await page.getByTestId('reply').click();
  const composer = page.getByTestId('composer');
  await expect(composer).toBeVisible();
  await expect(composer.getByTestId('recipient')).toHaveText(/ada@example\.org/);
  await expect(page.getByTestId('compose-subject')).toHaveValue('Re: Engine notes');
  const body = page.getByTestId('compose-body');
  await expect(body).toHaveValue(/> Here are my notes on the analytical engine\./);
  await body.press('Control+Home');
  await body.pressSequentially('Thank you, these are wonderful.');
  await page.screenshot({ path: 'test-results/mail-reply.png' });
  await page.getByTestId('send').click();
  await expect(composer).toHaveCount(0);
  // ada@example.org is on another server: the reply goes to the outbox (no relay configured).
  await expectSent(page);

  await page.getByTestId('folder').filter({ hasText: 'Sent' }).click();
  const sent = page.getByTestId('message').filter({ hasText: 'Re: Engine notes' });
  await expect(sent).toHaveCount(1);
  await sent.click();
  await expect(page.getByTestId('reader-body')).toContainText('Thank you, these are wonderful.');
  await expect(page.getByTestId('reader-body')).toContainText('> Here are my notes');
  await expect(page.getByTestId('delivery')).toHaveAttribute('data-state', 'queued');
  await expect(page.getByTestId('delivery')).toContainText('ada@example.org');
  // The conversation links the reply with the message it answers.
  await expect(page.getByTestId('conversation')).toContainText('2 messages');

  // The original is marked answered; search finds the reply.
  await page.getByRole('searchbox', { name: 'Search mail' }).fill('wonderful');
  await page.getByRole('button', { name: 'Search mail' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'Re: Engine notes' })).toHaveCount(1);

  // Delete it from Sent (to the Trash), then for good, then restore it back into Sent.
  await page.getByTestId('folder').filter({ hasText: 'Sent' }).click();
  await page.getByTestId('message').filter({ hasText: 'Re: Engine notes' }).click();
  await page.getByTestId('delete-message').click();
  await page.getByTestId('folder').filter({ hasText: 'Trash' }).click();
  await page.getByTestId('message').filter({ hasText: 'Re: Engine notes' }).click();
  await page.getByTestId('delete-message').click();
  await page.getByTestId('deleted-mail').click();
  await page.getByTestId('message').filter({ hasText: 'Re: Engine notes' }).click();
  await page.getByTestId('restore').click();
  await page.getByTestId('folder').filter({ hasText: 'Sent' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'Re: Engine notes' })).toHaveCount(1);
});

test('write to yourself with an attachment: the draft saves itself, the message arrives', async ({ page }) => {
  const address = await composeToSelf(page);
  await expect(page.getByTestId('recipient')).toHaveText(new RegExp(address.replace('.', '\\.')));
  await page.getByTestId('compose-subject').fill('Packing list');
  await page.getByTestId('compose-body').fill('Do not forget the tent.');
  await page.getByTestId('compose-attach').setInputFiles({
    name: 'list.txt', mimeType: 'text/plain', buffer: Buffer.from('tent\nstove\n'.repeat(2000)),
  });
  await expect(page.getByTestId('compose-attachment')).toContainText('list.txt');
  await expect(page.getByTestId('compose-attachment').locator('progress')).toHaveCount(0);
  // Saved automatically a moment after typing stops.
  await expect(page.getByTestId('draft-status')).toContainText('Draft saved', { timeout: 10_000 });
  const drafts = page.getByTestId('folder').filter({ hasText: 'Drafts' });
  await expect(drafts).toBeVisible();
  await page.screenshot({ path: 'test-results/mail-compose.png' });
  await page.getByTestId('send').click();
  await expectSent(page);

  const item = page.getByTestId('message').filter({ hasText: 'Packing list' });
  await expect(item).toHaveCount(1);
  await item.click();
  await expect(page.getByTestId('reader-body')).toContainText('Do not forget the tent.');
  await expect(page.getByTestId('attachment')).toHaveText('list.txt');
  await drafts.click();
  await expect(page.getByText('No messages here.')).toBeVisible();

  // Answer it: the inbox then holds a conversation of two, shown as one row on request.
  const inbox = page.getByTestId('folder').filter({ hasText: 'Inbox' });
  await inbox.click();
  await page.getByTestId('message').filter({ hasText: 'Packing list' }).click();
  await page.getByTestId('reply').click();
  await page.getByTestId('send').click();
  await expectSent(page);
  await inbox.click();
  await expect(page.getByTestId('message')).toHaveCount(2);
  await page.getByTestId('threads-toggle').check();
  await expect(page.getByTestId('message')).toHaveCount(1);
  await expect(page.getByTestId('message').getByTestId('thread-count')).toHaveText('2');
});

test('a saved draft is reopened from Drafts and sent without errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.request().method()} ${new URL(r.url()).pathname}: ${r.status()}`); });
  const address = await composeToSelf(page);
  await page.getByTestId('compose-subject').fill('Half written');
  await page.getByTestId('compose-body').fill('To be finished later.');
  await expect(page.getByTestId('draft-status')).toContainText('Draft saved', { timeout: 10_000 });
  await page.getByTestId('close-composer').click();

  const drafts = page.getByTestId('folder').filter({ hasText: 'Drafts' });
  await drafts.click();
  await page.getByTestId('message').filter({ hasText: 'Half written' }).click();
  await page.getByTestId('edit-draft').click();
  await page.getByTestId('send').click();
  await expectSent(page);
  await expect(page.getByText('No messages here.')).toBeVisible();
  await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'Half written' })).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('a filter made in Settings files arriving mail into the Archive', async ({ page, server }) => {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  // Settings → Mail opens on signatures and replies; filters are one of its parts, with an
  // address of their own.
  await page.goto('/settings/mail');
  const parts = page.getByRole('navigation', { name: 'Mail' });
  await expect(parts.getByRole('link', { name: 'Signatures and replies' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('signatures')).toBeVisible();
  await expect(page.getByTestId('new-filter')).toHaveCount(0);
  await parts.getByRole('link', { name: 'Filters' }).click();
  await expect(page).toHaveURL(/\/settings\/mail\/filters$/);
  await expect(parts.getByRole('link', { name: 'Filters' })).toHaveAttribute('aria-current', 'page');
  // The Settings tab stays on Mail.
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Mail' }))
    .toHaveAttribute('aria-current', 'page');
  await page.getByTestId('new-filter').click();
  const editor = page.getByTestId('filter-editor');
  await editor.getByTestId('filter-name').fill('Newsletters');
  const condition = editor.getByTestId('filter-condition');
  await condition.locator('select').first().selectOption('subject');
  await condition.locator('input').fill('newsletter');
  await editor.getByTestId('filter-action').locator('select').nth(1).selectOption('archive');
  await editor.getByRole('button', { name: 'Add action' }).click();
  await page.getByTestId('save-filter').click();
  await expect(page.getByTestId('filter')).toHaveCount(1);
  await expect(page.getByTestId('filter')).toContainText('Newsletters');

  await sendMail(server.smtp, address, [
    'From: Shop <shop@example.org>', `To: ${address}`, 'Subject: Weekly Newsletter',
    'Content-Type: text/plain; charset=utf-8', '', 'Deals of the week.',
  ].join('\n'));
  await page.goto('/mail');
  await expect(page.getByText('No messages here.')).toBeVisible();
  const archive = page.getByTestId('folder').filter({ hasText: 'Archive' });
  // The second action (mark read) ran too: no unread count on the Archive.
  await expect(archive.getByTestId('unread')).toHaveCount(0);
  await archive.click();
  await expect(page.getByTestId('message').filter({ hasText: 'Weekly Newsletter' })).toHaveCount(1);
});

test('own folders: create one, file a message in it, find it by date, empty the Trash', async ({ page, server }) => {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  for (const subject of ['Trip receipts', 'Old newsletter']) {
    await sendMail(server.smtp, address, [
      'From: Bank <bank@example.org>', `To: ${address}`, `Subject: ${subject}`,
      'Content-Type: text/plain; charset=utf-8', '', 'Details inside.',
    ].join('\n'));
  }
  await page.reload();
  await page.getByTestId('new-folder').click();
  await page.getByTestId('folder-name').fill('Receipts');
  await page.getByTestId('folder-name').press('Enter');
  const receipts = page.getByTestId('folder').filter({ hasText: 'Receipts' });
  await expect(receipts).toBeVisible();

  await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
  await page.getByTestId('message').filter({ hasText: 'Trip receipts' }).click();
  await page.getByTestId('move').selectOption({ label: 'Receipts' });
  await receipts.click();
  await expect(page.getByTestId('message').filter({ hasText: 'Trip receipts' })).toHaveCount(1);
  await expect(page.getByTestId('rename-folder')).toBeVisible();

  // Date range: today finds both, a range in the past finds nothing.
  const today = new Date().toISOString().slice(0, 10);
  await page.getByRole('searchbox', { name: 'Search mail' }).fill('details');
  await page.getByTestId('search-options').locator('summary').click();
  await page.getByTestId('search-from').fill(today);
  await page.getByTestId('search-to').fill(today);
  await page.getByRole('button', { name: 'Search mail' }).click();
  await expect(page.getByTestId('message')).toHaveCount(2);
  await page.getByTestId('search-from').fill('2020-01-01');
  await page.getByTestId('search-to').fill('2020-12-31');
  await page.getByRole('button', { name: 'Search mail' }).click();
  await expect(page.getByText('No messages here.')).toBeVisible();

  // Delete the other one, then empty the Trash (explicitly, after confirming).
  await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
  await page.getByTestId('message').filter({ hasText: 'Old newsletter' }).click();
  await page.getByTestId('delete-message').click();
  await page.getByTestId('folder').filter({ hasText: 'Trash' }).click();
  await expect(page.getByTestId('message')).toHaveCount(1);
  page.on('dialog', (d) => { throw new Error(`unexpected browser dialog: ${d.message()}`); });
  await page.getByTestId('empty-trash').click();
  const ask = page.getByRole('dialog');
  await expect(ask).toContainText('Empty the Trash?');
  await ask.getByRole('button', { name: 'Empty Trash' }).click();
  await expect(ask).toBeHidden();
  await expect(page.getByText('No messages here.')).toBeVisible();
  await page.getByTestId('deleted-mail').click();
  await expect(page.getByTestId('message').filter({ hasText: 'Old newsletter' })).toHaveCount(1);
});

test('the filter list: order, on/off and delete are saved, and a reload shows them', async ({ page }) => {
  await signUp(page);
  await page.goto('/settings/mail/filters');
  const rows = page.getByTestId('filter');
  for (const [i, name] of ['Receipts', 'Newsletters'].entries()) {
    await page.getByTestId('new-filter').click();
    const editor = page.getByTestId('filter-editor');
    await editor.getByTestId('filter-name').fill(name);
    await editor.getByTestId('filter-condition').locator('input').fill(name.toLowerCase());
    await page.getByTestId('save-filter').click();
    await expect(rows).toHaveCount(i + 1);
  }
  await expect(rows.locator('.name')).toHaveText(['Receipts', 'Newsletters']);
  await rows.nth(1).getByRole('button', { name: 'Move up' }).click();
  await expect(rows.locator('.name')).toHaveText(['Newsletters', 'Receipts']);
  await expect(rows.nth(0).getByRole('button', { name: 'Move up' })).toBeDisabled();
  await rows.nth(1).getByRole('checkbox').uncheck();
  await expect(rows.nth(1).getByRole('checkbox')).not.toBeChecked();
  await page.reload();
  await expect(rows.locator('.name')).toHaveText(['Newsletters', 'Receipts']);
  await expect(rows.nth(0).getByRole('checkbox')).toBeChecked();
  await expect(rows.nth(1).getByRole('checkbox')).not.toBeChecked();
  await rows.nth(0).getByRole('button', { name: 'Delete' }).click();
  await expect(rows.locator('.name')).toHaveText(['Receipts']);
  await page.reload();
  await expect(rows.locator('.name')).toHaveText(['Receipts']);
});

test('an administrator finds the DKIM record to publish and rotates the key in two steps', async ({ browser }) => {
  const own = await startServer();
  const context = await browser.newContext({ baseURL: own.url });
  const page = await context.newPage();
  try {
    await signUp(page);
    await page.goto('/settings/admin');
    const card = page.getByTestId('admin-dkim');
    const keys = card.getByTestId('dkim-key');
    await expect(keys).toHaveCount(1);
    await expect(keys.first()).toContainText('Signs mail now');
    await expect(keys.first().getByTestId('dkim-name')).toHaveText(/^ks\d{8}[0-9a-f]{4}\._domainkey\./);
    await expect(keys.first().getByTestId('dkim-value')).toHaveText(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
    const first = (await keys.first().getByTestId('dkim-name').textContent())!;

    // Step 1: a new key, whose record is shown before anything signs with it.
    await card.getByRole('button', { name: 'Prepare a new key' }).click();
    await expect(keys).toHaveCount(2);
    await expect(keys.filter({ hasText: 'Prepared' })).toHaveCount(1);
    await expect(card).toContainText('Switch only once the new record is visible in DNS');
    await page.screenshot({ path: 'test-results/mail-dkim.png', fullPage: true });

    // Step 2: switch; the old key stays listed as retired, and a reload shows the same.
    await card.getByRole('button', { name: 'Switch to the new key' }).click();
    await expect(keys.filter({ hasText: 'Retired' })).toContainText(first);
    await expect(keys.filter({ hasText: 'Signs mail now' })).not.toContainText(first);
    await expect(card.getByRole('button', { name: 'Prepare a new key' })).toBeVisible();
    await page.reload();
    await expect(keys.filter({ hasText: 'Retired' })).toContainText(first);

    // Someone who is not an administrator sees no keys.
    const other = await (await browser.newContext({ baseURL: own.url })).newPage();
    await signUp(other);
    await other.goto('/settings/admin');
    await expect(other.getByText("Only the server's administrators")).toBeVisible();
    await expect(other.getByTestId('admin-dkim')).toHaveCount(0);
  } finally {
    await context.close();
    await own.stop();
  }
});

test('the first account administers addresses: creates a team address and uses it', async ({ browser }) => {
  // A server of its own, so this test's account is the first one there.
  const own = await startServer();
  const context = await browser.newContext({ baseURL: own.url });
  const page = await context.newPage();
  try {
    const account = await signUp(page);
    await page.goto('/settings/admin');
    await page.getByTestId('new-address').fill('team');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const team = page.getByTestId('admin-address').filter({ hasText: /^team@/ });
    await expect(team).toHaveCount(1);
    await team.getByTestId('grant-email').fill(account.email);
    await team.getByRole('button', { name: 'Add' }).click();
    // The permission picker also lists "Read and send as": look at the row's people.
    const teamPeople = page.getByTestId('admin-address').filter({ hasText: /^team@/ }).locator('li');
    await expect(teamPeople.filter({ hasText: account.email })).toContainText('Read and send as');
    await page.screenshot({ path: 'test-results/mail-admin.png', fullPage: true });

    // The team's folders join the user's own in one list, and it can send as the team.
    await page.goto('/mail');
    await expect(page.getByTestId('mail-address')).toHaveCount(2);
    await page.getByTestId('compose').click();
    const from = page.getByTestId('compose-from');
    await expect(from.locator('option')).toHaveCount(2);

    // Deleting the address takes its mail along: the app asks for the address typed out.
    page.on('dialog', (d) => { throw new Error(`unexpected browser dialog: ${d.message()}`); });
    await page.goto('/settings/admin');
    const teamRow = page.getByTestId('admin-address').filter({ hasText: /^team@/ });
    const teamAddress = (await teamRow.locator('strong').textContent())!.trim();
    await teamRow.getByRole('button', { name: 'Delete', exact: true }).click();
    const ask = page.getByRole('dialog');
    await expect(ask).toContainText(`Deleting ${teamAddress} also deletes its 0 messages`);
    const confirmDelete = ask.getByRole('button', { name: 'Delete', exact: true });
    await expect(confirmDelete).toBeDisabled();
    await ask.getByLabel('Address to delete').fill('team@wrong.example');
    await expect(confirmDelete).toBeDisabled();
    await ask.getByLabel('Address to delete').fill(teamAddress);
    await confirmDelete.click();
    await expect(ask).toBeHidden();
    await expect(page.getByTestId('admin-address').filter({ hasText: /^team@/ })).toHaveCount(0);

    // Access is taken back from the row; creating a taken address says so and keeps the text.
    await page.getByTestId('new-address').fill('desk');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const desk = page.getByTestId('admin-address').filter({ hasText: /^desk@/ });
    await expect(desk).toHaveCount(1);
    await expect(page.getByTestId('new-address')).toHaveValue('');
    await desk.getByTestId('grant-email').fill(account.email);
    await desk.getByRole('button', { name: 'Add' }).click();
    const deskPerson = desk.locator('li').filter({ hasText: account.email });
    await expect(deskPerson).toContainText('Read and send as');
    await deskPerson.getByRole('button', { name: 'Remove access' }).click();
    await expect(deskPerson).toHaveCount(0);
    await page.reload();
    await expect(desk).toHaveCount(1);
    await expect(deskPerson).toHaveCount(0);
    await page.getByTestId('new-address').fill('desk');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveCount(1);
    await expect(page.getByTestId('new-address')).toHaveValue('desk');
  } finally {
    await context.close();
    await own.stop();
  }
});

test.describe('on a device whose clock is in UTC', () => {
  test.use({ timezoneId: 'UTC' });

  test('mail times are shown in the profile time zone, not the device one', async ({ page, server }) => {
    await signUp(page);
    await page.goto('/settings');
    await page.getByLabel('Time zone', { exact: true }).selectOption('Asia/Tokyo');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    await page.goto('/mail');
    const address = await ownAddress(page);
    await sendMail(server.smtp, address, [
      'From: Ada <ada@example.org>',
      `To: ${address}`,
      'Subject: Tokyo time',
      'Date: Tue, 01 Dec 2026 10:00:00 +0000',
      '',
      'Written at 10:00 UTC, which is 19:00 in Tokyo.',
    ].join('\n'));
    await page.reload();
    await page.getByTestId('message').filter({ hasText: 'Tokyo time' }).click();
    const when = page.getByTestId('reader-date');
    await expect(when).toHaveText(/Dec 1, 2026.*7:00\sPM/);
  });
});

test('deleting says where the message went, Undo brings it back, the Trash restores', async ({ page, server }) => {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  for (const subject of ['First thought', 'Second thought']) {
    await sendMail(server.smtp, address, [`From: ada@example.org`, `To: ${address}`, `Subject: ${subject}`, '', 'Hello.'].join('\n'));
  }
  await page.reload();
  const inbox = page.getByTestId('folder').filter({ hasText: 'Inbox' });
  const first = page.getByTestId('message').filter({ hasText: 'First thought' });

  // Delete, then Undo: back in the Inbox, not in the Trash.
  await first.click();
  await page.getByTestId('delete-message').click();
  await expect(page.getByTestId('mail-notice')).toContainText('Moved to Trash.');
  await expect(first).toHaveCount(0);
  await page.getByTestId('undo-delete').click();
  await expect(page.getByTestId('mail-notice')).toHaveCount(0);
  await expect(first).toHaveCount(1);

  // Delete again, then restore from the Trash with one click.
  await first.click();
  await page.getByTestId('delete-message').click();
  await page.getByTestId('folder').filter({ hasText: 'Trash' }).click();
  await page.getByTestId('message').filter({ hasText: 'First thought' }).click();
  await page.getByTestId('restore').click();
  await expect(page.getByTestId('message').filter({ hasText: 'First thought' })).toHaveCount(0);
  await inbox.click();
  await expect(first).toHaveCount(1);

  // Deleting from the Trash says so; Undo brings it back into the Trash's former folder.
  await page.getByTestId('message').filter({ hasText: 'Second thought' }).click();
  await page.getByTestId('delete-message').click();
  await page.getByTestId('folder').filter({ hasText: 'Trash' }).click();
  await page.getByTestId('message').filter({ hasText: 'Second thought' }).click();
  await page.getByTestId('delete-message').click();
  await expect(page.getByTestId('mail-notice')).toContainText('Message deleted.');
  await page.getByTestId('undo-delete').click();
  await inbox.click();
  await expect(page.getByTestId('message').filter({ hasText: 'Second thought' })).toHaveCount(1);
});

test('folders are named in the page, not in a browser prompt', async ({ page }) => {
  await signUp(page);
  await page.goto('/mail');
  page.on('dialog', (d) => { throw new Error(`unexpected browser dialog: ${d.message()}`); });
  await page.getByTestId('new-folder').click();
  // Saving an empty name says what is missing.
  await page.getByTestId('folder-name').fill('   ');
  await page.getByTestId('folder-name-form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toHaveText('Folder name');
  await page.getByTestId('folder-name').fill('Receipts');
  await page.getByTestId('folder-name').press('Enter');
  const receipts = page.getByTestId('folder').filter({ hasText: 'Receipts' });
  await expect(receipts).toHaveCount(1);
  await expect(page.getByTestId('folder-name-form')).toHaveCount(0);

  await receipts.click();
  await page.getByTestId('rename-folder').click();
  await expect(page.getByTestId('folder-name')).toHaveValue('Receipts');
  await page.getByTestId('folder-name').fill('Invoices');
  await page.getByTestId('folder-name').press('Enter');
  const invoices = page.getByTestId('folder').filter({ hasText: 'Invoices' });
  await expect(invoices).toHaveCount(1);
  await expect(receipts).toHaveCount(0);

  // Deleting asks in the page too; Cancel keeps the folder.
  await invoices.click();
  await page.getByTestId('delete-folder').click();
  const ask = page.getByRole('dialog');
  await expect(ask).toContainText('Delete this folder and its subfolders?');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(invoices).toHaveCount(1);
  await page.getByTestId('delete-folder').click();
  await ask.getByRole('button', { name: 'Delete folder' }).click();
  await expect(invoices).toHaveCount(0);
});

test('rich text: a link is added through the app\'s own box and arrives as a link', async ({ page }) => {
  await composeToSelf(page);
  page.on('dialog', (d) => { throw new Error(`unexpected browser dialog: ${d.message()}`); });
  await page.getByTestId('compose-subject').fill('Linked');
  await page.getByTestId('rich-text').check();
  const editor = page.getByTestId('compose-rich');
  await editor.click();
  await editor.pressSequentially('Read the docs today');
  // Select the word "docs", as a user would with the mouse.
  await editor.evaluate((el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const node = walker.nextNode()!;
    const at = node.textContent!.indexOf('docs');
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 4);
    getSelection()!.removeAllRanges();
    getSelection()!.addRange(range);
  });
  await page.getByTestId('composer').getByRole('button', { name: 'Insert link' }).click();
  const ask = page.getByRole('dialog');
  const address = ask.getByLabel('Link address (https://…)');
  await expect(address).toBeFocused();
  const insert = ask.getByRole('button', { name: 'Insert link' });
  await address.fill('javascript:alert(1)');
  await expect(insert).toBeDisabled();
  await address.fill('https://docs.example.org/');
  await insert.click();
  await expect(ask).toBeHidden();
  await expect(editor.locator('a[href="https://docs.example.org/"]')).toHaveText('docs');
  await expect(editor).toHaveText('Read the docs today');

  await page.getByTestId('send').click();
  await expectSent(page);
  await page.getByTestId('message').filter({ hasText: 'Linked' }).click();
  const frame = page.frameLocator('[data-testid=reader-html]');
  await expect(frame.getByRole('link', { name: 'docs' })).toHaveAttribute('href', 'https://docs.example.org/');
});

/** Selects `word` in the rich-text area, as a user would with the mouse. */
async function selectWord(editor: Locator, word: string) {
  await editor.evaluate((el, word) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent!.indexOf(word);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + word.length);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
      return;
    }
    throw new Error(`no "${word}" in the editor`);
  }, word);
}

test('rich text: bold, undo and lists come from the editor (no execCommand), and arrive with a plain-text twin', async ({ page }) => {
  // Records any use of the deprecated editing commands.
  await page.addInitScript(() => {
    const used: string[] = [];
    (window as unknown as { execCommands: string[] }).execCommands = used;
    const original = Document.prototype.execCommand;
    Document.prototype.execCommand = function (command: string, ...rest: unknown[]) {
      used.push(command);
      return original.call(this, command, ...(rest as [boolean, string]));
    };
  });
  await composeToSelf(page);
  await page.getByTestId('compose-subject').fill('Formatted');
  await page.getByTestId('rich-text').check();
  const editor = page.getByTestId('compose-rich');
  const tools = page.getByRole('toolbar', { name: 'Formatting' });
  await editor.click();
  await editor.pressSequentially('Plan for Monday');
  await editor.press('Enter');
  await tools.getByRole('button', { name: 'Bulleted list' }).click();
  await editor.pressSequentially('Budget');
  await editor.press('Enter');
  await editor.pressSequentially('Hiring');
  await expect(editor.locator('ul > li')).toHaveText(['Budget', 'Hiring']);

  await selectWord(editor, 'Monday');
  await tools.getByRole('button', { name: 'Bold' }).click();
  await expect(editor.locator('b')).toHaveText('Monday');
  // Undo and redo are the editor's own.
  await editor.press('Control+z');
  await expect(editor.locator('b')).toHaveCount(0);
  await expect(editor.locator('ul > li')).toHaveText(['Budget', 'Hiring']);
  await editor.press('Control+Shift+z');
  await expect(editor.locator('b')).toHaveText('Monday');
  // Bold again on bold text takes it off.
  await selectWord(editor, 'Monday');
  await tools.getByRole('button', { name: 'Bold' }).click();
  await expect(editor.locator('b')).toHaveCount(0);
  await tools.getByRole('button', { name: 'Bold' }).click();
  await expect(editor.locator('b')).toHaveText('Monday');
  // The toolbar shows what is in force where the selection is.
  const bold = tools.getByRole('button', { name: 'Bold' });
  const list = tools.getByRole('button', { name: 'Bulleted list' });
  await expect(bold).toHaveAttribute('aria-pressed', 'true');
  await expect(list).toHaveAttribute('aria-pressed', 'false');
  await selectWord(editor, 'Hiring');
  await expect(bold).toHaveAttribute('aria-pressed', 'false');
  await expect(list).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('composer').screenshot({ path: 'test-results/compose-rich.png' });
  expect(await page.evaluate(() => (window as unknown as { execCommands: string[] }).execCommands)).toEqual([]);

  await page.getByTestId('send').click();
  await expectSent(page);
  await page.getByTestId('message').filter({ hasText: 'Formatted' }).click();
  const frame = page.frameLocator('[data-testid=reader-html]');
  await expect(frame.locator('b')).toHaveText('Monday');
  await expect(frame.locator('li')).toHaveText(['Budget', 'Hiring']);
  // The text/plain part reads as the message does: a line per block, items marked.
  const id = new URL(page.url()).searchParams.get('msg');
  const raw = await (await page.request.get(`/api/mail/messages/${id}/raw`)).text();
  expect(raw).toContain('Plan for Monday\r\n- Budget\r\n- Hiring');
});

test('on a phone the search options fold away, so the list starts higher', async ({ page, server }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  await sendMail(server.smtp, address, ['From: ada@example.org', `To: ${address}`, 'Subject: Pocket note', '', 'Hi.'].join('\n'));
  await page.reload();
  const message = page.getByTestId('message').filter({ hasText: 'Pocket note' });
  await expect(message).toBeVisible();
  // Page coordinates: unfolding may scroll the page.
  const pageTop = () => message.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
  const top = await pageTop();
  await expect(page.getByTestId('search-from')).toBeHidden();
  await page.getByTestId('search-options').locator('summary').click();
  await expect(page.getByTestId('search-from')).toBeVisible();
  // Folded, the options no longer push the list down by their height.
  const unfoldedTop = await pageTop();
  expect(unfoldedTop).toBeGreaterThan(top);
  await page.getByTestId('search-options').locator('summary').click();
  await page.screenshot({ path: 'test-results/mail-390.png' });
});

test('the URL keeps the folder, the open message and the search: reload, back and forward restore them', async ({ page, server }) => {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  for (const [n, subject] of [[1, 'Quarterly figures'], [2, 'Lunch on Friday']] as const) {
    await sendMail(server.smtp, address, [
      'From: Ada <ada@example.org>', `To: ${address}`, `Subject: ${subject}`,
      `Message-ID: <url-${n}@example.org>`, '', `Body of ${subject}.`,
    ].join('\n'));
  }
  await page.reload();
  // The first inbox is the plain address.
  await expect(page).toHaveURL(/\/mail$/);

  await page.getByTestId('message').filter({ hasText: 'Quarterly figures' }).click();
  await expect(page).toHaveURL(/\/mail\?folder=\d+&msg=\d+$/);
  const messageUrl = page.url();
  await page.reload();
  await expect(page.getByTestId('reader-subject')).toHaveText('Quarterly figures');

  // Another folder is a new history entry; Back returns to the open message.
  await page.getByTestId('folder').filter({ hasText: 'Sent' }).click();
  await expect(page).toHaveURL(/\/mail\?folder=\d+$/);
  await expect(page.getByText('No messages here.')).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(messageUrl);
  await expect(page.getByTestId('reader-subject')).toHaveText('Quarterly figures');
  await page.goForward();
  await expect(page.getByText('No messages here.')).toBeVisible();

  // A search with words that need encoding survives a reload, terms and results.
  await page.getByRole('searchbox', { name: 'Search mail' }).fill('lunch friday');
  await page.getByRole('button', { name: 'Search mail' }).click();
  await expect(page).toHaveURL(/\/mail\?q=lunch%20friday$/);
  await page.reload();
  await expect(page.getByRole('searchbox', { name: 'Search mail' })).toHaveValue('lunch friday');
  await expect(page.getByTestId('message')).toHaveCount(1);
  await expect(page.getByTestId('message')).toContainText('Lunch on Friday');

  // A pasted link to the deleted-mail view opens it.
  await page.goto('/mail?view=deleted');
  await expect(page.getByText('Messages deleted from the Trash stay here')).toBeVisible();
});

test('an automatic reply set in Settings answers a colleague once, and Mail says it is on', async ({ page, browser, server }) => {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  await page.goto('/settings/mail');
  const form = page.locator('form.auto-reply');
  await expect(form).toHaveCount(1);
  await form.getByLabel('Reply automatically').check();
  await form.getByLabel('Subject').fill('Away this week');
  await form.getByLabel('Message').fill('Back on Monday.');
  await form.getByLabel('Last day (optional)').fill('2099-12-31');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved.');
  await page.screenshot({ path: 'test-results/mail-auto-reply.png', fullPage: true });
  await page.goto('/mail');
  await expect(page.getByTestId('auto-reply-on-notice')).toContainText(address);

  // A colleague writes twice: one automatic reply arrives in their inbox.
  const context = await browser.newContext({ baseURL: server.url });
  const colleague = await context.newPage();
  try {
    await signUp(colleague);
    await colleague.goto('/mail');
    for (const subject of ['Budget', 'Budget again']) {
      await colleague.getByTestId('compose').click();
      await colleague.getByTestId('compose-to-input').fill(address);
      await colleague.getByTestId('compose-to-input').press('Enter');
      await colleague.getByTestId('compose-subject').fill(subject);
      await colleague.getByTestId('compose-body').fill('Numbers?');
      await colleague.getByTestId('send').click();
      await expectSent(colleague);
    }
    await colleague.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
    const replies = colleague.getByTestId('message').filter({ hasText: 'Away this week' });
    await expect(replies).toHaveCount(1);
    await replies.click();
    await expect(colleague.getByTestId('reader-body')).toContainText('Back on Monday.');
  } finally {
    await context.close();
  }

  // Turned off, the notice goes.
  await page.goto('/settings/mail');
  await form.getByLabel('Reply automatically').uncheck();
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved.');
  await page.goto('/mail');
  await expect(page.getByTestId('mail-address')).toBeVisible();
  await expect(page.getByTestId('auto-reply-on-notice')).toHaveCount(0);
});

test('an alias added in Settings receives mail, and a redirection sends it on to a colleague', async ({ page, browser, server }) => {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  const domain = address.split('@')[1];
  const alias = `alias-${Date.now()}`;
  await page.goto('/settings/mail/accounts');
  const routing = page.locator('.routing');
  await routing.getByPlaceholder('New alias (name before the @)').fill(alias);
  await routing.getByRole('button', { name: 'Add alias' }).click();
  await expect(routing.getByTestId('alias')).toHaveText([new RegExp(`${alias}@`)]);
  await sendMail(server.smtp, `${alias}@${domain}`, ['From: ada@example.org', `To: ${alias}@${domain}`, 'Subject: To the alias', '', 'Hi.'].join('\n'));
  await page.goto('/mail');
  await expect(page.getByTestId('message').filter({ hasText: 'To the alias' })).toHaveCount(1);

  // Redirect to a colleague without keeping a copy: the next message lands with them only.
  const context = await browser.newContext({ baseURL: server.url });
  const colleague = await context.newPage();
  try {
    await signUp(colleague);
    await colleague.goto('/mail');
    const theirs = await ownAddress(colleague);
    await page.goto('/settings/mail/accounts');
    await routing.getByLabel('Redirect all mail to').fill(theirs);
    await routing.getByLabel('Keep a copy here').uncheck();
    await routing.getByRole('button', { name: 'Save' }).click();
    await expect(routing.getByRole('status')).toHaveText('Saved.');
    await page.screenshot({ path: 'test-results/mail-routing.png', fullPage: true });
    await sendMail(server.smtp, address, ['From: ada@example.org', `To: ${address}`, 'Subject: Passed on', '', 'Hi.'].join('\n'));
    await colleague.reload();
    await expect(colleague.getByTestId('message').filter({ hasText: 'Passed on' })).toHaveCount(1);
    await page.goto('/mail');
    await expect(page.getByTestId('message').filter({ hasText: 'To the alias' })).toHaveCount(1);
    await expect(page.getByTestId('message').filter({ hasText: 'Passed on' })).toHaveCount(0);
  } finally {
    await context.close();
  }

  // Removing the alias lists it no more.
  await page.goto('/settings/mail/accounts');
  await routing.getByTestId('alias').getByRole('button', { name: 'Remove' }).click();
  await expect(routing.getByTestId('alias')).toHaveCount(0);
});

test('Undo after Send brings the message back; Send later waits in a list until cancelled or sent now', async ({ page }) => {
  await composeToSelf(page);
  await page.getByTestId('compose-subject').fill('Second thoughts');
  await page.getByTestId('compose-body').fill('First version.');
  await page.getByTestId('send').click();
  const notice = page.getByTestId('mail-notice');
  await expect(notice).toContainText('Sending…');
  await expect(page.getByTestId('composer')).toHaveCount(0);
  await notice.getByTestId('undo-send').click();
  // Back in the composer, as written, and no longer waiting to go.
  await expect(page.getByTestId('compose-subject')).toHaveValue('Second thoughts');
  await expect(page.getByTestId('compose-body')).toHaveValue(/First version\./);
  await expect(page.getByTestId('scheduled-sends')).toHaveCount(0);

  // Send later, tomorrow morning: it waits, listed, across a reload.
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await page.getByTestId('send-later').click();
  await page.getByTestId('schedule-send').click();
  await expect(page.getByRole('alert')).toContainText('Choose the date and time');
  await page.getByTestId('send-at').fill(`${tomorrow}T09:00`);
  await page.screenshot({ path: 'test-results/mail-send-later.png' });
  await page.getByTestId('schedule-send').click();
  await expect(notice).toContainText('will be sent');
  await expect(notice).toContainText('9:00');
  await page.reload();
  const waiting = page.getByTestId('scheduled-sends');
  await expect(waiting).toContainText('Waiting to be sent (1)');
  await waiting.locator('summary').click();
  await expect(waiting.getByTestId('scheduled-send')).toContainText('Second thoughts');
  await page.screenshot({ path: 'test-results/mail-scheduled.png' });

  // Don't send: the draft stays in Drafts.
  await waiting.getByTestId('scheduled-cancel').click();
  await expect(notice).toContainText('stays in Drafts');
  await expect(waiting).toHaveCount(0);
  await page.getByTestId('folder').filter({ hasText: 'Drafts' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'Second thoughts' })).toHaveCount(1);

  // Scheduled again from the draft, then sent now from the list: it arrives once.
  await page.getByTestId('message').filter({ hasText: 'Second thoughts' }).click();
  await page.getByTestId('edit-draft').click();
  await page.getByTestId('send-later').click();
  await page.getByTestId('send-at').fill(`${tomorrow}T10:30`);
  await page.getByTestId('schedule-send').click();
  await expect(notice).toContainText('will be sent');
  await waiting.locator('summary').click();
  await waiting.getByTestId('scheduled-send-now').click();
  await expect(notice).toHaveText(/Message sent\./);
  await expect(waiting).toHaveCount(0);
  await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'Second thoughts' })).toHaveCount(1);

  // With Undo turned off in Settings, Send goes at once.
  await page.goto('/settings');
  const profile = page.locator('form', { has: page.locator('#profile-undo-send') });
  await page.getByLabel('Undo after Send').selectOption('0');
  await profile.getByRole('button', { name: 'Save' }).click();
  await expect(profile.getByRole('status')).toHaveText('Saved.');
  await page.goto('/mail');
  const address = await ownAddress(page);
  await page.getByTestId('compose').click();
  await page.getByTestId('compose-to-input').fill(address);
  await page.getByTestId('compose-to-input').press('Enter');
  await page.getByTestId('compose-subject').fill('Straight away');
  await page.getByTestId('send').click();
  await expect(notice).toHaveText(/Message sent\./);
  await expect(notice.getByTestId('undo-send')).toHaveCount(0);
  await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'Straight away' })).toHaveCount(1);
});

test('several signatures: one starts new messages, another replies, and the composer switches them', async ({ page }) => {
  await signUp(page);
  await page.goto('/mail');
  const address = await ownAddress(page);
  await page.goto('/settings/mail');
  const card = page.getByTestId('signatures');
  await expect(card).toContainText('No signatures yet.');
  const add = card.getByTestId('new-signature');
  const signatures = card.getByTestId('signature');
  for (const [i, [name, text]] of [['Work', 'Ann Smith\nAcme, sales'], ['Short', 'A.']].entries()) {
    await add.getByLabel('Name').fill(name);
    await add.getByLabel('Signature').fill(text);
    await add.getByRole('button', { name: 'Add signature' }).click();
    await expect(signatures).toHaveCount(i + 1);
    await expect(signatures.nth(i).getByLabel('Name')).toHaveValue(name);
  }
  await expect(add.getByLabel('Name')).toHaveValue('');
  // The first became the default for both; replies take the short one.
  await expect(card.getByTestId('signature-for-new').locator('option:checked')).toHaveText('Work');
  await card.getByTestId('signature-for-replies').selectOption({ label: 'Short' });
  await expect(card.getByTestId('signatures-status')).toHaveText('Saved.');
  await page.screenshot({ path: 'test-results/mail-signatures.png', fullPage: true });

  // A new message starts with Work; choosing Short in the composer swaps it.
  await page.goto('/mail');
  await page.getByTestId('compose').click();
  const body = page.getByTestId('compose-body');
  await expect(body).toHaveValue(/-- \nAnn Smith\nAcme, sales/);
  await body.press('Control+Home');
  await body.pressSequentially('Hello,');
  await page.getByTestId('compose-signature').selectOption({ label: 'Short' });
  await expect(body).toHaveValue(/^Hello,\n\n-- \nA\.\n$/);
  await page.getByTestId('compose-to-input').fill(address);
  await page.getByTestId('compose-to-input').press('Enter');
  await page.getByTestId('compose-subject').fill('Signed');
  await page.getByTestId('send').click();
  await expectSent(page);

  // A reply starts with Short, above the quote.
  await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
  await page.getByTestId('message').filter({ hasText: 'Signed' }).click();
  await page.getByTestId('reply').click();
  await expect(body).toHaveValue(/^\n\n-- \nA\.\n\n.*wrote:\n> Hello,/s);
  // With no signature chosen, only the quote (which holds the first one) is left.
  await page.getByTestId('compose-signature').selectOption({ label: 'No signature' });
  await expect(body).toHaveValue(/^\n\n\n[^\n]*wrote:\n> Hello,/);

  // In rich text the signature is a block of its own: placed above the quote, then
  // replaced by the picker rather than added to.
  await page.getByTestId('rich-text').check();
  const rich = page.getByTestId('compose-rich');
  const signature = rich.locator('[data-signature]');
  await expect(rich).toContainText('wrote:');
  await page.getByTestId('compose-signature').selectOption({ label: 'Work' });
  await expect(signature).toContainText('Ann Smith');
  const order = () => rich.evaluate((el) => [el.innerText.indexOf('Ann Smith'), el.innerText.indexOf('wrote:')]);
  const [signed, quoted] = await order();
  expect(signed).toBeGreaterThan(-1);
  expect(signed).toBeLessThan(quoted);
  await page.getByTestId('compose-signature').selectOption({ label: 'Short' });
  await expect(signature).toHaveCount(1);
  await expect(signature).toContainText('A.');
  await expect(rich).not.toContainText('Ann Smith');
  await page.getByTestId('compose-signature').selectOption({ label: 'No signature' });
  await expect(signature).toHaveCount(0);
  await expect(rich).toContainText('wrote:');
});

test('import an .mbox into a folder: the report, the messages, and running it again adds nothing', async ({ page }) => {
  await signUp(page);
  await page.goto('/mail');
  await page.getByTestId('folder').filter({ hasText: 'Archive' }).click();
  const mbox = [
    'From old@example.org Mon Mar  4 10:00:00 2019',
    'From: Old Friend <old@example.org>',
    'Date: Mon, 04 Mar 2019 10:00:00 +0000',
    'Subject: Trip to Lisbon',
    'Message-ID: <lisbon@example.org>',
    'Status: RO',
    '',
    'See you there.',
    '',
    'From old@example.org Tue Mar  5 10:00:00 2019',
    'From: Old Friend <old@example.org>',
    'Date: Tue, 05 Mar 2019 10:00:00 +0000',
    'Subject: Photos',
    'Message-ID: <photos@example.org>',
    'Status: O',
    '',
    '>From the beach.',
    '',
  ].join('\n');
  const file = { name: 'old.mbox', mimeType: 'application/mbox', buffer: Buffer.from(mbox) };
  await page.getByTestId('import-mail').setInputFiles(file);
  const report = page.getByTestId('import-report');
  await expect(report).toHaveText('Messages imported: 2 · already here: 0');
  const list = page.getByTestId('message');
  await expect(list).toHaveCount(2);
  await expect(list.filter({ hasText: 'Photos' })).toHaveClass(/unread/);
  await expect(list.filter({ hasText: 'Trip to Lisbon' })).not.toHaveClass(/unread/);
  await list.filter({ hasText: 'Photos' }).click();
  await expect(page.getByTestId('reader')).toContainText('From the beach.');
  // Reading it reloads the counts; the report stays.
  await expect(list.filter({ hasText: 'Photos' })).not.toHaveClass(/unread/);
  await expect(report).toHaveText('Messages imported: 2 · already here: 0');
  await page.screenshot({ path: 'test-results/mail-import.png', fullPage: true });

  await page.getByTestId('import-mail').setInputFiles(file);
  await expect(report).toHaveText('Messages imported: 0 · already here: 2');
  await expect(list).toHaveCount(2);
});

test('bulk actions on picked messages and keyboard shortcuts', async ({ page }) => {
  await signUp(page);
  await page.goto('/mail');
  await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
  const mbox = ['one', 'two', 'three', 'four', 'five'].map((s, i) => [
    `From x Mon Mar  ${i + 1} 10:00:00 2019`,
    'From: Sender <sender@example.org>',
    `Date: Mon, 0${i + 1} Mar 2019 10:00:00 +0000`,
    `Subject: Message ${s}`,
    'Status: O',
    '',
    `Body ${s}.`,
    '',
  ].join('\n')).join('\n');
  await page.getByTestId('import-mail').setInputFiles({ name: 'five.mbox', mimeType: 'application/mbox', buffer: Buffer.from(mbox) });
  await expect(page.getByTestId('import-report')).toHaveText('Messages imported: 5 · already here: 0');
  const rows = page.getByTestId('message');
  await expect(rows).toHaveCount(5);
  // Newest first: five, four, three, two, one. A click and a shift-click pick a range.
  const picks = page.getByTestId('pick');
  await picks.nth(0).click();
  await picks.nth(2).click({ modifiers: ['Shift'] });
  const bar = page.getByTestId('bulk-bar');
  await expect(bar.getByTestId('bulk-count')).toHaveText('Selected: 3');
  await bar.getByTestId('bulk-read').click();
  await expect(page.getByTestId('mail-notice')).toContainText('Messages changed: 3');
  await expect(bar).toHaveCount(0);
  await expect(page.locator('.message-item.unread')).toHaveCount(2);
  await expect(rows.filter({ hasText: 'Message two' })).toHaveClass(/unread/);
  await expect(rows.filter({ hasText: 'Message five' })).not.toHaveClass(/unread/);

  // Select all, then move them to Archive with the folder picker.
  await picks.nth(4).click();
  await bar.getByTestId('bulk-select-all').click();
  await expect(bar.getByTestId('bulk-count')).toHaveText('Selected: 5');
  await page.screenshot({ path: 'test-results/mail-bulk.png', fullPage: true });
  await bar.getByTestId('bulk-move').selectOption({ label: 'Archive' });
  await expect(page.getByTestId('mail-notice')).toContainText('Messages changed: 5');
  await expect(rows).toHaveCount(0);

  // Keyboard: j/k walk the Archive, e archives nothing new here, # deletes the open one
  // (with Undo) and opens the next, x picks, r replies.
  await page.getByTestId('folder').filter({ hasText: 'Archive' }).click();
  await expect(rows).toHaveCount(5);
  await page.locator('body').press('j');
  await expect(page.getByTestId('reader')).toContainText('Message five');
  await page.keyboard.press('j');
  await expect(page.getByTestId('reader')).toContainText('Message four');
  await page.keyboard.press('k');
  await expect(page.getByTestId('reader')).toContainText('Message five');
  await page.keyboard.press('#');
  await expect(page.getByTestId('mail-notice')).toContainText('Moved to Trash.');
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId('reader')).toContainText('Message four');
  await page.getByTestId('mail-notice').getByRole('button', { name: 'Undo' }).click();
  await expect(rows).toHaveCount(5);
  await page.keyboard.press('x');
  await expect(page.getByTestId('bulk-count')).toHaveText('Selected: 1');
  await page.keyboard.press('x');
  await expect(page.getByTestId('bulk-bar')).toHaveCount(0);
  // Typing in a field is not a shortcut.
  await page.getByRole('searchbox').first().press('j');
  await expect(page.getByTestId('reader')).toContainText('Message four');
  await page.getByTestId('message').filter({ hasText: 'Message four' }).focus();
  await page.keyboard.press('r');
  await expect(page.getByTestId('compose-subject')).toHaveValue('Re: Message four');
});

test('mark as spam from the list, and "Not spam" from the Spam folder brings it back', async ({ page }) => {
  await signUp(page);
  await page.goto('/mail');
  await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
  const mbox = ['From x Mon Mar  1 10:00:00 2019', 'From: Shop <deals@example.org>',
    'Date: Mon, 01 Mar 2019 10:00:00 +0000', 'Subject: Great deals', '', 'Buy now.', ''].join('\n');
  await page.getByTestId('import-mail').setInputFiles({ name: 'one.mbox', mimeType: 'application/mbox', buffer: Buffer.from(mbox) });
  const rows = page.getByTestId('message');
  await expect(rows).toHaveCount(1);
  await page.getByTestId('pick').first().click();
  const bar = page.getByTestId('bulk-bar');
  await expect(bar.getByTestId('bulk-not-spam')).toHaveCount(0);
  await bar.getByTestId('bulk-spam').click();
  await expect(rows).toHaveCount(0);

  await page.getByTestId('folder').filter({ hasText: 'Spam' }).click();
  await expect(rows).toHaveCount(1);
  await page.getByTestId('pick').first().click();
  await expect(bar.getByTestId('bulk-spam')).toHaveCount(0);
  await bar.getByTestId('bulk-not-spam').click();
  await expect(rows).toHaveCount(0);
  await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
  await expect(rows.filter({ hasText: 'Great deals' })).toHaveCount(1);
});

test('bring mail from another account: the form, its progress, and the old mail in the inbox', async ({ browser }) => {
  // The old provider: another ksuite with two messages for bob.
  const old = await startServer(['--mail-domain', 'old.test']);
  const own = await startServer(['--allow-private-targets', '--mail-fetch-ca-file', path.join(old.dataDir, 'tls', 'self-signed.crt')]);
  try {
    const bobPage = await (await browser.newContext({ baseURL: old.url })).newPage();
    const bob = await signUp(bobPage);
    await bobPage.goto('/mail');
    const bobAddress = await ownAddress(bobPage);
    for (const subject of ['Old news', 'Older news']) {
      await sendMail(old.smtp, bobAddress, `From: Friend <friend@example.org>\nTo: ${bobAddress}\nSubject: ${subject}\n\nFrom the old days.\n`);
    }
    await bobPage.goto('/settings/sync');
    await bobPage.getByRole('button', { name: 'Create an application password' }).click();
    const secret = (await bobPage.getByTestId('new-app-password').textContent())!.trim();

    const page = await (await browser.newContext({ baseURL: own.url })).newPage();
    await signUp(page);
    await page.goto('/settings/mail/accounts');
    const card = page.getByTestId('fetch-card');
    await card.getByLabel('IMAP server').fill('localhost');
    await card.getByLabel('Port', { exact: true }).fill(old.imaps.slice(old.imaps.lastIndexOf(':') + 1));
    await card.getByLabel('User name').fill(bob.email);
    await card.getByLabel('Password', { exact: true }).fill(secret);
    await card.getByRole('button', { name: 'Start copying' }).click();
    await expect(card.getByTestId('fetch')).toContainText('Done: 2 new of 2 messages');
    await page.screenshot({ path: 'test-results/mail-fetch.png', fullPage: true });
    await page.goto('/mail');
    await page.getByTestId('folder').filter({ hasText: 'Inbox' }).click();
    await expect(page.getByTestId('message').filter({ hasText: 'Old news' })).toHaveCount(1);
    await expect(page.getByTestId('message').filter({ hasText: 'Older news' })).toHaveCount(1);
  } finally {
    await own.stop();
    await old.stop();
  }
});

test.describe('without the service worker, so the page itself makes every request', () => {
  test.use({ serviceWorkers: 'block' });

  test('a change to an open message that the server refuses is reported, and the message stays', async ({ page, server }) => {
    await signUp(page);
    await page.goto('/mail');
    const address = await ownAddress(page);
    await sendMail(server.smtp, address, ['From: ada@example.org', `To: ${address}`, 'Subject: Keep me', '', 'Hi.'].join('\n'));
    await page.reload();
    await page.getByTestId('message').filter({ hasText: 'Keep me' }).click();
    await expect(page.getByTestId('reader-subject')).toHaveText('Keep me');
    // Flagging used to fail in silence.
    await page.route('**/api/mail/messages/*', (route) => route.request().method() === 'PATCH'
      ? route.fulfill({ status: 503, contentType: 'text/plain', body: 'down for maintenance' })
      : route.continue());
    await page.getByTestId('flag').click();
    const notice = page.getByTestId('mail-notice');
    await expect(notice).toBeVisible();
    await expect(notice).not.toBeEmpty();
    await expect(page.getByTestId('flag')).toHaveText('Flag');
    await expect(page.getByTestId('reader-subject')).toHaveText('Keep me');
    await page.unroute('**/api/mail/messages/*');
    await page.getByTestId('flag').click();
    await expect(page.getByTestId('flag')).toHaveText('Unflag');
  });

  test('when the editor cannot be downloaded, rich text still writes and sends, and says what is missing', async ({ page }) => {
    await page.route('**/rich_editor.lib.js', (route) => route.abort());
    await composeToSelf(page);
    await page.getByTestId('compose-subject').fill('Plainly rich');
    await page.getByTestId('rich-text').check();
    await expect(page.getByTestId('formatting-unavailable')).toContainText('could not be loaded');
    const tools = page.getByRole('toolbar', { name: 'Formatting' });
    await expect(tools.getByRole('button', { name: 'Bold' })).toBeDisabled();
    const editor = page.getByTestId('compose-rich');
    await editor.click();
    await editor.pressSequentially('Still arrives');
    await page.getByTestId('send').click();
    await expectSent(page);
    await page.getByTestId('message').filter({ hasText: 'Plainly rich' }).click();
    await expect(page.frameLocator('[data-testid=reader-html]').locator('body')).toContainText('Still arrives');
  });

  test('a double click on Save makes one filter', async ({ page }) => {
    await signUp(page);
    await page.goto('/settings/mail/filters');
    const posts = await holdPosts(page, '**/api/mail/filters');
    await page.getByTestId('new-filter').click();
    const editor = page.getByTestId('filter-editor');
    await editor.getByTestId('filter-name').fill('Receipts');
    const condition = editor.getByTestId('filter-condition');
    await condition.locator('select').first().selectOption('subject');
    await condition.locator('input').fill('receipt');
    const save = page.getByTestId('save-filter');
    await save.click();
    await expect(save).toBeDisabled();
    await save.click({ force: true });
    posts.release();
    await expect(page.getByTestId('filter')).toHaveCount(1);
    await page.reload();
    await expect(page.getByTestId('filter')).toHaveCount(1);
    expect(posts.count()).toBe(1);
  });
});
