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
