import { test, expect, signUp, sendMail } from './fixtures';

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
  const address = (await page.getByTestId('mail-address').textContent())!.replace(/^.*?:\s*/, '').trim();
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
