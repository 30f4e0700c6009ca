import { test, expect, signUp, holdPosts } from './fixtures';

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

  // Each occurrence says it repeats.
  await expect(page.locator('[data-date="2026-03-11"]').getByTestId('repeats')).toHaveCount(1);

  // Delete only the occurrence of the 18th: the dialog asks which ones, no browser box.
  page.on('dialog', (d) => { throw new Error(`unexpected browser dialog: ${d.message()}`); });
  await page.locator('[data-date="2026-03-18"]').getByTestId('event').click();
  await expect(dialog.getByLabel('This occurrence')).toBeChecked();
  await dialog.getByTestId('delete-event').click();
  await expect(dialog.getByTestId('confirm-delete')).toContainText('Delete a repeating event');
  await dialog.getByTestId('delete-this').click();
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

  // "This and following" from the 25th of March ends the series on the 11th.
  await page.locator('body').press('ArrowLeft');
  await expect(page.getByTestId('cal-title')).toHaveText('March 2026');
  await page.locator('[data-date="2026-03-25"]').getByTestId('event').click();
  await dialog.getByTestId('delete-event').click();
  await dialog.getByTestId('delete-following').click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('[data-date="2026-03-25"]').getByTestId('event')).toHaveCount(0);
  for (const day of ['04', '11']) {
    await expect(page.locator(`[data-date="2026-03-${day}"]`).getByTestId('event')).toHaveCount(1);
  }
  await page.locator('body').press('ArrowRight');
  await expect(page.getByTestId('cal-title')).toHaveText('April 2026');
  await expect(page.getByTestId('event')).toHaveCount(0);
  // The change is stored: a reload shows the same.
  await page.reload();
  await expect(page.getByTestId('cal-title')).toHaveText('April 2026');
  await expect(page.getByTestId('month-view')).toBeVisible();
  await expect(page.getByTestId('event')).toHaveCount(0);

  // "All events" removes the rest; a single event asks a plain yes/no.
  await page.locator('body').press('ArrowLeft');
  await page.locator('[data-date="2026-03-04"]').getByTestId('event').click();
  await dialog.getByTestId('delete-event').click();
  await dialog.getByTestId('delete-all').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('event')).toHaveCount(0);
});

test('the week view opens at the working day and the editor keeps its buttons on screen', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 850 });
  await signUp(page);
  await page.goto('/calendar?view=week&date=2026-03-02');
  const body = page.getByTestId('time-grid-body');
  await expect(body).toBeVisible();
  // 08:00 is at the top of the scrolled hours, not midnight.
  await expect.poll(() => body.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  const eight = page.locator('[data-slot="2026-03-04T08"]');
  const top = await body.evaluate((el) => el.getBoundingClientRect().top);
  const slotTop = await eight.evaluate((el) => el.getBoundingClientRect().top);
  expect(Math.abs(slotTop - top)).toBeLessThan(5);

  // A long form (reminders, description) still shows Save without scrolling.
  await eight.click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Title').fill('Planning');
  const save = dialog.getByRole('button', { name: 'Save' });
  const box = (await save.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(850);
  await save.click();
  await expect(dialog).toBeHidden();

  // A single event: Delete asks in the dialog, Cancel keeps it.
  await page.getByTestId('time-grid').getByTestId('event').filter({ hasText: 'Planning' }).click();
  await dialog.getByTestId('delete-event').click();
  await expect(dialog.getByTestId('confirm-delete')).toContainText('Delete this event?');
  await dialog.getByTestId('confirm-delete').getByRole('button', { name: 'Cancel' }).click();
  await dialog.getByTestId('delete-event').click();
  await dialog.getByTestId('delete-confirm').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('time-grid').getByTestId('event')).toHaveCount(0);
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

  // Week view is not offered on a phone; three days leave room for a title.
  await expect(page.getByRole('button', { name: 'Week', exact: true })).toBeHidden();
  await page.getByRole('button', { name: '3 days', exact: true }).click();
  await expect(page).toHaveURL(/view=3days/);
  const event = page.getByTestId('time-grid').getByTestId('event').filter({ hasText: 'Dentist' });
  await expect(event).toHaveCount(1);
  expect((await event.boundingBox())!.width).toBeGreaterThan(80);
  // The bottom tab bar stays on top of the grid.
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  const navBox = (await nav.boundingBox())!;
  const onTop = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('nav') !== null,
    [navBox.x + navBox.width / 2, navBox.y + navBox.height / 2]);
  expect(onTop).toBe(true);
  await page.screenshot({ path: 'test-results/calendar-360-3days.png' });
});

test.describe('without the service worker, so the page itself makes every request', () => {
  test.use({ serviceWorkers: 'block' });

  test('a read still loading when the user leaves the view is aborted', async ({ page }) => {
    await signUp(page);
    await expect(page.getByTestId('mail-address')).toContainText('@');
    // Hold the calendar's events answer, open the calendar, then leave it for Contacts.
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    await page.route('**/api/events?*', async (route) => {
      await held;
      await route.continue().catch(() => { /* the page gave up on it */ });
    });
    const asked = page.waitForRequest((r) => r.url().includes('/api/events?'));
    const failed = page.waitForEvent('requestfailed', (r) => r.url().includes('/api/events?'));
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Calendar' }).click();
    await asked;
    await nav.getByRole('link', { name: 'Contacts' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Contacts');
    const request = await failed;
    expect(request.failure()?.errorText).toMatch(/ABORTED|abort/i);
    release();
    // Coming back loads it again, and it answers.
    await page.unroute('**/api/events?*');
    await nav.getByRole('link', { name: 'Calendar' }).click();
    await expect(page.getByTestId('cal-title')).toBeVisible();
  });

  test('a double click on Create makes one calendar', async ({ page }) => {
    await signUp(page);
    await page.goto('/calendar');
    const posts = await holdPosts(page, '**/api/calendars');
    await page.getByLabel('New calendar').fill('Climbing');
    const create = page.getByRole('button', { name: 'Create', exact: true });
    await create.click();
    await expect(create).toBeDisabled();
    await create.click({ force: true });
    posts.release();
    const list = page.locator('.cal-list');
    await expect(list.getByText('Climbing')).toHaveCount(1);
    await expect(create).toBeEnabled();
    await page.reload();
    await expect(list.getByText('Climbing')).toHaveCount(1);
    expect(posts.count()).toBe(1);
  });
});

test('the calendars shown live in the address: reload, Back and a pasted link keep them', async ({ page, context }) => {
  await signUp(page);
  await page.goto('/calendar?view=week&date=2026-03-02');
  await page.locator('[data-slot="2026-03-04T10"]').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Title').fill('Team sync');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await page.getByLabel('New calendar').fill('Climbing');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  const list = page.locator('.cal-list');
  await expect(list.getByText('Climbing')).toBeVisible();
  const cals = await (await page.request.get('/api/calendars')).json();
  const main = cals.find((c: { name: string }) => c.name === 'Calendar').id;
  const climbing = cals.find((c: { name: string }) => c.name === 'Climbing').id;

  const event = page.getByTestId('time-grid').getByTestId('event').filter({ hasText: 'Team sync' });
  const mainBox = list.getByRole('checkbox', { name: 'Calendar', exact: true });
  await expect(event).toHaveCount(1);
  await mainBox.uncheck();
  await expect(page).toHaveURL(new RegExp(`[?&]cals=${climbing}(&|$)`));
  await expect(page).toHaveURL(/view=week&date=2026-03-02/);
  await expect(event).toHaveCount(0);

  // Moving on keeps the choice; so does a reload.
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await expect(page).toHaveURL(/date=2026-03-09/);
  await expect(page).toHaveURL(new RegExp(`cals=${climbing}`));
  await page.goBack();
  await page.reload();
  await expect(page.getByTestId('time-grid')).toBeVisible();
  await expect(mainBox).not.toBeChecked();
  await expect(event).toHaveCount(0);

  // Back to before the click: both shown again.
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`cals=${main}%2C${climbing}|cals=${main},${climbing}`));
  await expect(mainBox).toBeChecked();
  await expect(event).toHaveCount(1);

  // A pasted address shows what it names, whatever the stored choice.
  const other = await context.newPage();
  await other.goto(`/calendar?view=week&date=2026-03-02&cals=${main}`);
  await expect(other.getByTestId('time-grid').getByTestId('event').filter({ hasText: 'Team sync' })).toHaveCount(1);
  await expect(other.locator('.cal-list').getByRole('checkbox', { name: 'Climbing', exact: true })).not.toBeChecked();
  // A bare /calendar shows the stored choice: the last one made.
  await other.goto('/calendar?view=week&date=2026-03-02');
  await expect(other.locator('.cal-list').getByRole('checkbox', { name: 'Calendar', exact: true })).not.toBeChecked();
});
