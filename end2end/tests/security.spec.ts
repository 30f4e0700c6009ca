import { test, expect, signUp, newAccount, startServer } from './fixtures';

test('change the password and sign out another browser from Settings → Security', async ({ page, browser }) => {
  const account = await signUp(page);
  // A second browser signed in to the same account.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto(page.url().replace(/\/mail$/, '/login'));
  await otherPage.getByLabel('E-mail address').fill(account.email);
  await otherPage.getByLabel('Password').fill(account.password);
  await otherPage.getByRole('button', { name: 'Log in' }).click();
  await expect(otherPage).toHaveURL(/\/mail$/);

  await page.goto('/settings/security');
  await expect(page.getByTestId('session')).toHaveCount(2);
  await expect(page.getByTestId('session').filter({ hasText: 'This browser' })).toHaveCount(1);
  await page.getByTestId('session').filter({ hasNotText: 'This browser' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByTestId('session')).toHaveCount(1);
  expect((await otherPage.request.get('/api/me')).status()).toBe(401);

  const card = page.getByTestId('password-card');
  await card.getByLabel('Current password').fill('not the password');
  await card.getByLabel('New password').fill('a brand new passphrase 42');
  await card.getByRole('button', { name: 'Change password' }).click();
  await expect(card.getByRole('alert')).toContainText('password is wrong');
  await card.getByLabel('Current password').fill(account.password);
  await card.getByRole('button', { name: 'Change password' }).click();
  await expect(card.getByRole('status')).toContainText('password was changed');
  await other.close();
});

test('on an invitation-only server, an administrator invites someone who signs up with the link', async ({ browser }) => {
  // A server of its own, so this test's first account is its administrator.
  const server = await startServer(['--signup', 'invite']);
  try {
    const admin = await (await browser.newContext({ baseURL: server.url })).newPage();
    await signUp(admin);
    await admin.goto('/settings/admin');
    await expect(admin.getByTestId('admin-users')).toBeVisible();

    // Without an invitation, sign-up asks for one.
    const walkIn = await (await browser.newContext({ baseURL: server.url })).newPage();
    await walkIn.goto('/signup');
    const stranger = newAccount();
    await walkIn.getByLabel('Your name').fill(stranger.name);
    await walkIn.getByLabel('E-mail address').fill(stranger.email);
    await walkIn.getByLabel('Password', { exact: true }).fill(stranger.password);
    await walkIn.getByRole('button', { name: 'Create account' }).click();
    await expect(walkIn.getByRole('alert')).toContainText('invitation');
    await expect(walkIn.getByLabel('Invitation code')).toBeVisible();

    await admin.getByTestId('admin-invitations').getByRole('button', { name: 'Create invitation' }).click();
    const link = (await admin.getByTestId('invitation-link').textContent())!.trim();
    expect(link.startsWith(`${server.url}/signup?invite=`)).toBe(true);

    const guest = await (await browser.newContext({ baseURL: server.url })).newPage();
    await guest.goto(link);
    await expect(guest.getByLabel('Invitation code')).not.toHaveValue('');
    const account = newAccount();
    await guest.getByLabel('Your name').fill(account.name);
    await guest.getByLabel('E-mail address').fill(account.email);
    await guest.getByLabel('Password', { exact: true }).fill(account.password);
    await guest.getByRole('button', { name: 'Create account' }).click();
    await expect(guest).toHaveURL(/\/mail$/);
    await admin.reload();
    await expect(admin.getByTestId('admin-invitations')).toContainText('used');
    await expect(admin.getByTestId('admin-user').filter({ hasText: account.email })).toHaveCount(1);
  } finally {
    await server.stop();
  }
});
