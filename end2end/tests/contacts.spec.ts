import { readFileSync } from 'node:fs';
import { test, expect, signUp } from './fixtures';

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
  await form.getByLabel('Groups (separated by commas)').fill('Pioneers');
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
  await expect(form.getByLabel('Groups (separated by commas)')).toHaveValue('Pioneers');
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
    if (groups) await form.getByLabel('Groups (separated by commas)').fill(groups);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(list.getByTestId('contact').filter({ hasText: `${first} ${last}` })).toHaveCount(1);
  }
  // Writing a new contact is not in the URL; an open one is.
  await list.getByTestId('contact').filter({ hasText: 'Ada Lovelace' }).click();
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
