import { readFileSync } from 'node:fs';
import { test, expect, signUp, holdPosts } from './fixtures';

test('create a contact, find it, group it, export, delete and re-import', async ({ page }) => {
  await signUp(page);

  await page.getByRole('navigation').getByRole('link', { name: 'Contacts' }).click();
  await page.getByTestId('new-contact').click();
  const form = page.getByTestId('contact-form');
  await form.getByLabel('First name').fill('Grace');
  await form.getByLabel('Last name').fill('Hopper');
  await form.getByLabel('Organization').fill('US Navy');
  await form.getByLabel('E-mail address').fill('grace@example.org');
  await form.getByLabel('Phone').fill('+1 555 0100');
  await form.getByRole('button', { name: 'Save' }).click();
  const list = page.getByTestId('contact-list');
  await expect(list.getByTestId('contact')).toHaveCount(1);

  await page.getByLabel('Search contacts').fill('hopp');
  await expect(list.getByTestId('contact').filter({ hasText: 'Grace Hopper' })).toHaveCount(1);
  await page.getByLabel('Search contacts').fill('5550100');
  await expect(list.getByTestId('contact').filter({ hasText: 'Grace Hopper' })).toHaveCount(1);
  await page.getByLabel('Search contacts').fill('nobody');
  await expect(page.getByText('No contacts yet.')).toBeVisible();
  await page.getByLabel('Search contacts').fill('');

  // Add her to a group, then filter by it.
  await list.getByTestId('contact').first().click();
  await form.getByLabel('New group').fill('Pioneers');
  await form.getByLabel('New group').press('Enter');
  await expect(form.getByRole('checkbox', { name: 'Pioneers' })).toBeChecked();
  await form.getByRole('button', { name: 'Save' }).click();
  await page.locator('#group-select').selectOption('Pioneers');
  await expect(list.getByTestId('contact')).toHaveCount(1);
  await expect(list.getByTestId('contact')).toContainText('Pioneers');
  await page.locator('#group-select').selectOption('');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-vcf').click()]);
  const vcf = readFileSync((await download.path())!, 'utf8');
  expect(vcf).toContain('FN:Grace Hopper');
  expect(vcf).toContain('CATEGORIES:Pioneers');

  await list.getByTestId('contact').first().click();
  page.on('dialog', (d) => { throw new Error(`unexpected browser dialog: ${d.message()}`); });
  // The app's own question box: Cancel (or Escape) keeps the contact, Delete deletes it.
  const ask = page.getByRole('dialog');
  await page.getByTestId('delete-contact').click();
  await expect(ask).toContainText('Delete this contact?');
  await expect(ask.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(ask).toBeHidden();
  await expect(list.getByTestId('contact')).toHaveCount(1);
  await page.getByTestId('delete-contact').click();
  await ask.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('No contacts yet.')).toBeVisible();

  await page.getByTestId('import-vcf').setInputFiles({ name: 'contacts.vcf', mimeType: 'text/vcard', buffer: Buffer.from(vcf) });
  await expect(page.getByRole('status')).toHaveText('Contacts imported: 1 · skipped: 0');
  await expect(list.getByTestId('contact').filter({ hasText: 'Grace Hopper' })).toHaveCount(1);
  await list.getByTestId('contact').first().click();
  await expect(form.getByRole('checkbox', { name: 'Pioneers' })).toBeChecked();
  await page.screenshot({ path: 'test-results/contacts.png' });
});

test('the URL keeps the open contact, the search and the group: reload and back restore them', async ({ page }) => {
  await signUp(page);
  await page.goto('/contacts');
  const form = page.getByTestId('contact-form');
  const list = page.getByTestId('contact-list');
  for (const [first, last, groups] of [['Ada', 'Lovelace', 'Analysts'], ['Alan', 'Turing', '']]) {
    await page.getByTestId('new-contact').click();
    await form.getByLabel('First name').fill(first);
    await form.getByLabel('Last name').fill(last);
    if (groups) {
      await form.getByLabel('New group').fill(groups);
      await form.getByRole('button', { name: 'Add', exact: true }).click();
    }
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(list.getByTestId('contact').filter({ hasText: `${first} ${last}` })).toHaveCount(1);
  }
  // Writing a new contact is not in the URL; an open one is.
  await list.getByTestId('contact').filter({ hasText: 'Ada Lovelace' }).click();
  // The address changes on the next frame: wait for the form it drives, then reload.
  await expect(form.getByLabel('First name')).toHaveValue('Ada');
  await expect(page).toHaveURL(/\/contacts\?contact=[^&]+$/);
  await page.reload();
  await expect(form.getByLabel('First name')).toHaveValue('Ada');

  await list.getByTestId('contact').filter({ hasText: 'Alan Turing' }).click();
  await expect(form.getByLabel('First name')).toHaveValue('Alan');
  await page.goBack();
  await expect(form.getByLabel('First name')).toHaveValue('Ada');

  await page.locator('#group-select').selectOption('Analysts');
  await expect(page).toHaveURL(/[?&]group=Analysts/);
  await expect(list.getByTestId('contact')).toHaveCount(1);
  await page.getByLabel('Search contacts').fill('lace');
  await expect(page).toHaveURL(/[?&]q=lace/);
  await page.reload();
  await expect(page.getByLabel('Search contacts')).toHaveValue('lace');
  await expect(page.locator('#group-select')).toHaveValue('Analysts');
  await expect(list.getByTestId('contact')).toHaveCount(1);
  await expect(list.getByTestId('contact')).toContainText('Ada Lovelace');
});

test('e-mails and phones are rows with a type each, and groups are ticked from the book', async ({ page }) => {
  await signUp(page);
  await page.goto('/contacts');
  const form = page.getByTestId('contact-form');
  const list = page.getByTestId('contact-list');
  const emails = form.getByRole('group', { name: 'E-mail address' });
  const phones = form.getByRole('group', { name: 'Phone' });

  await page.getByTestId('new-contact').click();
  await form.getByLabel('First name').fill('Katherine');
  await form.getByLabel('Last name').fill('Johnson');
  // One empty row to start with; "Add" gives another, "Remove" takes one away.
  await expect(emails.getByRole('textbox')).toHaveCount(1);
  await emails.getByRole('textbox').fill('kj@nasa.example');
  await emails.getByRole('combobox', { name: 'Type' }).selectOption('Work');
  await emails.getByRole('button', { name: 'Add an e-mail address' }).click();
  await emails.getByRole('textbox').nth(1).fill('katherine@home.example');
  await emails.getByRole('combobox', { name: 'Type' }).nth(1).selectOption('Home');
  await emails.getByRole('button', { name: 'Add an e-mail address' }).click();
  await emails.getByRole('textbox').nth(2).fill('typo@example');
  await emails.getByRole('button', { name: 'Remove' }).nth(2).click();
  await expect(emails.getByRole('textbox')).toHaveCount(2);
  await phones.getByRole('textbox').fill('+1 555 0199');
  await phones.getByRole('combobox', { name: 'Type' }).selectOption('Mobile');
  await form.getByLabel('New group').fill('Computers');
  await form.getByLabel('New group').press('Enter');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(list.getByTestId('contact')).toHaveCount(1);

  // Reopened, every row keeps its type, and the export says so in vCard terms.
  await page.reload();
  await list.getByTestId('contact').first().click();
  await expect(emails.getByRole('textbox')).toHaveCount(2);
  await expect(emails.getByRole('textbox').nth(0)).toHaveValue('kj@nasa.example');
  await expect(emails.getByRole('combobox').nth(0)).toHaveValue('work');
  await expect(emails.getByRole('textbox').nth(1)).toHaveValue('katherine@home.example');
  await expect(emails.getByRole('combobox').nth(1)).toHaveValue('home');
  await expect(phones.getByRole('combobox')).toHaveValue('cell');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-vcf').click()]);
  const vcf = readFileSync((await download.path())!, 'utf8');
  expect(vcf).toMatch(/EMAIL;TYPE=work:kj@nasa\.example/);
  expect(vcf).toMatch(/EMAIL;TYPE=home:katherine@home\.example/);
  expect(vcf).toMatch(/TEL;TYPE=cell:\+1 555 0199/);
  expect(vcf).not.toContain('typo@example');

  // A second contact picks the existing group by ticking it; typing its name in another
  // case picks the same group instead of making a second one.
  await page.getByTestId('new-contact').click();
  await form.getByLabel('First name').fill('Dorothy');
  await expect(form.getByRole('checkbox', { name: 'Computers' })).not.toBeChecked();
  await form.getByLabel('New group').fill('computers');
  await form.getByLabel('New group').press('Enter');
  await expect(form.getByRole('checkbox')).toHaveCount(1);
  await expect(form.getByRole('checkbox', { name: 'Computers' })).toBeChecked();
  await form.getByRole('button', { name: 'Save' }).click();
  await page.locator('#group-select').selectOption('Computers');
  await expect(list.getByTestId('contact')).toHaveCount(2);
  // Unticking takes a contact out of the group.
  await list.getByTestId('contact').filter({ hasText: 'Dorothy' }).click();
  await form.getByRole('checkbox', { name: 'Computers' }).uncheck();
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(list.getByTestId('contact')).toHaveCount(1);
  await expect(list.getByTestId('contact')).toContainText('Katherine Johnson');
  await page.screenshot({ path: 'test-results/contact-rows.png' });
});

test.describe('without the service worker, so the page itself makes every request', () => {
  test.use({ serviceWorkers: 'block' });

  test('a double click on Save makes one contact', async ({ page }) => {
    await signUp(page);
    await page.goto('/contacts');
    const posts = await holdPosts(page, '**/api/address-books/*/contacts');
    await page.getByTestId('new-contact').click();
    const form = page.getByTestId('contact-form');
    await form.getByLabel('First name').fill('Margaret');
    await form.getByLabel('Last name').fill('Hamilton');
    const save = form.getByRole('button', { name: 'Save' });
    await save.click();
    await expect(save).toBeDisabled();
    await save.click({ force: true });
    posts.release();
    const list = page.getByTestId('contact-list');
    await expect(list.getByTestId('contact').filter({ hasText: 'Margaret Hamilton' })).toHaveCount(1);
    await page.reload();
    await expect(list.getByTestId('contact').filter({ hasText: 'Margaret Hamilton' })).toHaveCount(1);
    expect(posts.count()).toBe(1);
  });
});

test('an address book is shared from its Share panel, and the colleague sees its contacts', async ({ browser }) => {
  const ownerContext = await browser.newContext();
  const colleagueContext = await browser.newContext();
  try {
    const owner = await ownerContext.newPage();
    const colleague = await colleagueContext.newPage();
    const them = await signUp(colleague);
    const ownerAccount = await signUp(owner);
    await owner.goto('/contacts');
    await owner.getByTestId('new-contact').click();
    const form = owner.getByTestId('contact-form');
    await form.getByLabel('First name').fill('Ada');
    await form.getByLabel('Last name').fill('Lovelace');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(owner.getByTestId('contact-list').getByTestId('contact')).toHaveCount(1);

    const sharing = owner.locator('details.book-sharing').first();
    await sharing.locator('summary').click();
    await sharing.getByLabel('Share with').first().fill(them.email);
    await sharing.getByRole('button', { name: 'Share', exact: true }).click();
    await expect(sharing.getByText(them.email)).toBeVisible();

    const books = await (await colleague.request.get('/api/address-books')).json();
    const sharedBooks = books.filter((b: { kind: string }) => b.kind === 'shared');
    expect(sharedBooks).toHaveLength(1);
    const shared = sharedBooks[0];
    expect(shared.access).toBe('read');
    expect(shared.owner_email).toBe(ownerAccount.email);
    await colleague.goto(`/contacts?book=${shared.id}`);
    await expect(colleague.getByTestId('contact-list').getByTestId('contact').filter({ hasText: 'Ada Lovelace' })).toHaveCount(1);
  } finally {
    await ownerContext.close();
    await colleagueContext.close();
  }
});
