import { test, expect, newAccount, signUp } from './fixtures';

test('sign up, navigate, switch language, log out and log in again', async ({ page }) => {
  const account = newAccount();
  await page.goto('/');
  // Without a session the shell sends us to the login page.
  await expect(page).toHaveURL(/\/login$/);
  await page.getByRole('link', { name: 'Sign up' }).click();

  await page.getByLabel('Your name').fill(account.name);
  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/mail$/);
  await expect(page.getByTestId('user-name')).toHaveText(account.name);
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Calendar' }).click();
  await expect(page).toHaveURL(/\/calendar$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Calendar');

  // Switch to French: the shell is translated at once and the choice is saved.
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/settings/profile') && r.ok());
  await page.getByTestId('language-select').selectOption('fr');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Calendrier');
  await expect(page.getByRole('navigation', { name: 'Navigation principale' })
    .getByRole('link', { name: 'Paramètres' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await saved;
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Calendrier');

  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
  // The session is gone server-side too.
  const me = await page.request.get('/api/me');
  expect(me.status()).toBe(401);

  await page.getByLabel('Adresse e-mail').fill(account.email);
  await page.getByLabel('Mot de passe').fill('not the password');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('alert')).toHaveText("L'adresse e-mail ou le mot de passe est incorrect.");

  await page.getByLabel('Mot de passe').fill(account.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/mail$/);
  await expect(page.getByTestId('user-name')).toHaveText(account.name);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mail');
});

test('settings change the theme and time zone', async ({ page }) => {
  const account = newAccount();
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(account.name);
  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/mail$/);
  // Two identities, each named: the mailbox address is not the sign-in address.
  const mailbox = await page.getByTestId('mail-address').textContent();
  expect(mailbox).not.toContain(account.email);
  await expect(page.getByTestId('mailbox-hint')).toBeHidden(); // folded: phones keep the list high
  await page.getByTestId('mail-address').click();
  await expect(page.getByTestId('mailbox-hint')).toContainText(`You still sign in to ksuite with ${account.email}`);

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Dark').check();
  const zones = page.getByLabel('Time zone', { exact: true });
  await zones.selectOption('Asia/Tokyo');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const me = await (await page.request.get('/api/me')).json();
  expect(me.user.time_zone).toBe('Asia/Tokyo');
  expect(me.user.theme).toBe('dark');

  // The ~600 zones can be searched: a partial name narrows the list, one match is chosen.
  const search = page.getByRole('searchbox', { name: 'Find a time zone (city or region)' });
  await search.fill('new y');
  await expect(zones).toHaveValue('America/New_York');
  await search.fill('america/');
  expect(await zones.locator('option').count()).toBeLessThan(200);
  await search.fill('no such place');
  await expect(zones.locator('option', { hasText: 'No time zone matches.' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  expect((await (await page.request.get('/api/me')).json()).user.time_zone).toBe('America/New_York');

  // What goes into the organization directory, which colleagues' phones list too.
  await page.getByLabel('Job title').fill('Head of sales');
  await page.getByLabel('Work phone').fill('+33 1 23 45 67 89');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await page.reload();
  await expect(page.getByLabel('Job title')).toHaveValue('Head of sales');
  const after = await (await page.request.get('/api/me')).json();
  expect(after.user.directory).toEqual({ phone: '+33 1 23 45 67 89', title: 'Head of sales', department: '' });
});

test('sign-up errors are shown clearly', async ({ page }) => {
  const account = newAccount();
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(account.name);
  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toContainText('Choose a stronger password.');
  await expect(page).toHaveURL(/\/signup$/);
});

test('works at 360 px wide without horizontal scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const account = newAccount();
  await page.goto('/signup');
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.getByLabel('Your name').fill(account.name);
  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/mail$/);
  for (const name of ['Mail', 'Calendar', 'Contacts', 'Links', 'Settings']) {
    await page.getByRole('navigation').getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
    expect(await overflow()).toBeLessThanOrEqual(0);
  }
  // The settings tabs fit too.
  for (const tab of ['Security', 'Sync devices']) {
    await page.getByRole('link', { name: tab }).click();
    await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
    expect(await overflow()).toBeLessThanOrEqual(0);
  }
  // The tab bar sits at the bottom on phones.
  const nav = await page.getByRole('navigation', { name: 'Main navigation' }).boundingBox();
  expect(nav!.y).toBeGreaterThan(600);
  await page.screenshot({ path: 'test-results/shell-360.png' });
});

test('no console errors for a visitor or on each app for a signed-in user', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  // A visitor: the start-up session check must not be a failed request.
  for (const path of ['/', '/login', '/signup']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  }
  expect(errors).toEqual([]);
  await signUp(page);
  for (const [path, heading] of [['/mail', /Mail/], ['/calendar', /Calendar/], ['/contacts', /Contacts/], ['/links', /[Ll]inks/], ['/settings', /Settings/]] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 }).first()).toHaveText(heading);
  }
  expect(errors).toEqual([]);
  // An address no page answers says so inside the app, with the way back; moving between
  // pages from there works as from anywhere.
  await page.goto('/settings/nowhere');
  await expect(page.getByTestId('not-found')).toContainText('404');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Calendar' }).click();
  await expect(page.getByRole('heading', { level: 1 }).first()).toHaveText(/Calendar/);
  await page.goBack();
  await expect(page.getByTestId('not-found')).toBeVisible();
  await page.getByTestId('not-found').getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 }).first()).toHaveText(/Mail/);
  await expect(page).toHaveURL(/\/$/);
});

test.describe('a visitor from Paris with a French browser', () => {
  test.use({ timezoneId: 'Europe/Paris', locale: 'fr-FR' });

  test('signs up into their own time zone and language', async ({ page }) => {
    const account = newAccount();
    await page.goto('/signup');
    await page.getByLabel('Votre nom').fill(account.name);
    await page.getByLabel('Adresse e-mail').fill(account.email);
    await page.getByLabel('Mot de passe').fill(account.password);
    await page.getByRole('button', { name: 'Créer le compte' }).click();
    await expect(page).toHaveURL(/\/mail$/);
    const me = await (await page.request.get('/api/me')).json();
    expect(me.user.time_zone).toBe('Europe/Paris');
    expect(me.user.language).toBe('fr');
  });
});

test('each language loads only its own texts, and a reload never shows English first', async ({ page }) => {
  const localeRequests: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/locales/')) localeRequests.push(new URL(r.url()).pathname); });
  // Every heading text the page ever draws, from the first mutation on.
  await page.addInitScript(() => {
    (window as any).__headings = [];
    new MutationObserver(() => {
      for (const h of document.querySelectorAll('h1')) (window as any).__headings.push(h.textContent);
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await page.goto('/login');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log in to ksuite');
  expect(localeRequests).toEqual([]); // English is built in

  const loginButton: Record<string, string> = { de: 'Anmelden', it: 'Accedi', es: 'Iniciar sesión', pt: 'Iniciar sessão' };
  for (const [lang, label] of Object.entries(loginButton)) {
    await page.getByTestId('language-select').selectOption(lang);
    await expect(page.getByRole('button', { name: label, exact: true })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
  }
  expect(localeRequests).toEqual(['/locales/de.json', '/locales/it.json', '/locales/es.json', '/locales/pt.json']);

  await page.getByTestId('language-select').selectOption('de');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bei ksuite anmelden');
  const seen: string[] = await page.evaluate(() => (window as any).__headings);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.filter((h) => h !== 'Bei ksuite anmelden')).toEqual([]);
});
