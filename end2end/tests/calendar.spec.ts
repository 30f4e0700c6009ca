import { test, expect, signUp } from './fixtures';

test.use({ timezoneId: 'Europe/Zurich', locale: 'en-GB' });

test('create a weekly event in the week view, see it in the month view, delete one occurrence', async ({ page }) => {
  await signUp(page);

  await page.goto('/calendar?view=week&date=2026-03-02');
  await expect(page.getByTestId('time-grid')).toBeVisible();
  await page.locator('[data-slot="2026-03-04T10"]').click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: 'New event' })).toBeVisible();
  await dialog.getByLabel('Title').fill('Team sync');
  await dialog.getByLabel('Repeat').selectOption('FREQ=WEEKLY');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  const inWeek = page.getByTestId('time-grid').getByTestId('event').filter({ hasText: 'Team sync' });
  await expect(inWeek).toHaveCount(1);
  await expect(inWeek).toContainText('10:00');

  // Month view: every Wednesday of March from the 4th.
  await page.getByRole('button', { name: 'Month', exact: true }).click();
  await expect(page).toHaveURL(/view=month/);
  await expect(page.getByTestId('cal-title')).toHaveText('March 2026');
  for (const day of ['04', '11', '18', '25']) {
    await expect(page.locator(`[data-date="2026-03-${day}"]`).getByTestId('event').filter({ hasText: 'Team sync' })).toHaveCount(1);
  }
  await expect(page.locator('[data-date="2026-03-05"]').getByTestId('event')).toHaveCount(0);

  // Delete only the occurrence of the 18th.
  await page.locator('[data-date="2026-03-18"]').getByTestId('event').click();
  await expect(dialog.getByLabel('This occurrence')).toBeChecked();
  page.once('dialog', (d) => d.accept());
  await dialog.getByTestId('delete-event').click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('[data-date="2026-03-18"]').getByTestId('event')).toHaveCount(0);
  for (const day of ['04', '11', '25']) {
    await expect(page.locator(`[data-date="2026-03-${day}"]`).getByTestId('event')).toHaveCount(1);
  }

  // Keyboard: → goes to the next month, and the series continues there.
  await page.locator('body').press('ArrowRight');
  await expect(page.getByTestId('cal-title')).toHaveText('April 2026');
  await expect(page.locator('[data-date="2026-04-01"]').getByTestId('event').filter({ hasText: 'Team sync' })).toHaveCount(1);
  await page.screenshot({ path: 'test-results/calendar-month.png' });
});

test('phones get the agenda view', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signUp(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Calendar' }).click();
  await expect(page.getByTestId('agenda-view')).toBeVisible();
  await page.getByTestId('new-event').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Title').fill('Dentist');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('agenda-view').getByTestId('event').filter({ hasText: 'Dentist' })).toHaveCount(1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/calendar-360.png', fullPage: true });
});
