import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { baseUrl, launchBrowser, screenshot } from './support/browser';
import {
  dropConnection,
  restoreConnection,
  trackWebSockets,
} from './support/socket-control';

/**
 * Two people, two browsers, one conversation: everything goes through the built dashboard, the
 * real REST API and the real socket, against a fresh embedded database. The steps build on each
 * other, in order.
 */
describe('InstantChat in the browser', () => {
  let browser: Browser;
  let adaPage: Page;
  let gracePage: Page;
  const contexts: BrowserContext[] = [];
  const runId = Date.now().toString(36);
  const ada = {
    displayName: 'Ada Lovelace',
    email: `ada.${runId}@example.com`,
    password: 'analytical-engine-1843',
  };
  const grace = {
    displayName: 'Grace Hopper',
    email: `grace.${runId}@example.com`,
    password: 'cobol-compiler-1959',
  };
  /** Uncaught errors in any page: a broken bundle must not hide behind a flow that happens to pass. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    adaPage = await openPage();
    gracePage = await openPage();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
  });

  async function openPage(): Promise<Page> {
    const context = await browser.newContext({
      baseURL: baseUrl(),
      viewport: { width: 1280, height: 800 },
    });
    contexts.push(context);
    await trackWebSockets(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  async function register(page: Page, person: typeof ada): Promise<void> {
    await page.goto('/register');
    await page.getByLabel('Your name').fill(person.displayName);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByTestId('submit-button').click();
    await page.waitForURL('**/inbox');
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.getByTestId('message-input').fill(text);
    await page.getByTestId('message-input').press('Enter');
  }

  const messageWithText = (page: Page, text: string): Locator =>
    page.getByTestId('message-text').filter({ hasText: text });

  const connectionStatus = (page: Page, status: string): Locator =>
    page.locator(`[data-testid="connection-status"][data-status="${status}"]`);

  const graceRowOfAda = (): Locator =>
    gracePage
      .getByTestId('conversation-item')
      .filter({ hasText: ada.displayName });

  it('registers two people, each landing on an empty, live inbox', async () => {
    await register(adaPage, ada);
    await register(gracePage, grace);

    for (const [page, person] of [
      [adaPage, ada],
      [gracePage, grace],
    ] as const) {
      expect(await page.getByTestId('current-user').innerText()).toBe(
        person.displayName,
      );
      await connectionStatus(page, 'connected').waitFor();
      await page.getByTestId('conversation-list-empty').waitFor();
    }
  });

  it('opens a draft conversation through the people picker, which Grace does not see until Ada writes', async () => {
    await adaPage.getByTestId('new-conversation-button').click();
    await adaPage.getByTestId('user-search').fill('Grace');
    await adaPage
      .getByTestId('user-result')
      .filter({ hasText: grace.displayName })
      .click();

    await adaPage.waitForURL(/\/inbox\/new\/[0-9a-f]{24}$/);
    await adaPage
      .getByTestId('conversation-header')
      .filter({ hasText: grace.displayName })
      .waitFor();
    await adaPage.getByTestId('draft-note').waitFor();
    expect(await graceRowOfAda().count()).toBe(0);
    await screenshot(adaPage, '01-ada-opens-conversation');
  });

  it('delivers a message live, with an unread badge on the other side', async () => {
    await send(adaPage, 'Hi Grace, the compiler works!');
    await adaPage
      .locator('[data-testid="message"][data-status="sent"]')
      .filter({ hasText: 'the compiler works' })
      .waitFor();

    const row = graceRowOfAda();
    await row
      .getByTestId('conversation-preview')
      .filter({ hasText: 'Hi Grace, the compiler works!' })
      .waitFor();
    expect((await row.getByTestId('unread-badge').innerText()).trim()).toMatch(
      /^1\b/,
    );
    await screenshot(gracePage, '02-grace-sees-unread-badge');
  });

  it('clears the badge when opened, and shows typing and the answer live', async () => {
    await graceRowOfAda().click();
    await messageWithText(gracePage, 'Hi Grace, the compiler works!').waitFor();
    await graceRowOfAda()
      .getByTestId('unread-badge')
      .waitFor({ state: 'detached' });

    await gracePage.getByTestId('message-input').pressSequentially('Wonderful');
    await adaPage
      .getByTestId('typing-indicator')
      .filter({ hasText: `${grace.displayName} is typing` })
      .waitFor();
    await send(gracePage, 'Wonderful news, Ada!');

    await messageWithText(adaPage, 'Wonderful news, Ada!').waitFor();
    await adaPage
      .getByTestId('typing-indicator')
      .filter({ hasText: 'typing' })
      .waitFor({ state: 'detached' });
    await screenshot(adaPage, '03-ada-sees-reply-live');
    await screenshot(gracePage, '04-grace-conversation');
  });

  it('catches up on messages sent while the connection was down', async () => {
    await dropConnection(adaPage);
    // The browser reports the network gone, so the pill says Offline rather than Reconnecting.
    await connectionStatus(adaPage, 'offline').waitFor();
    await screenshot(adaPage, '05-ada-reconnecting');

    await send(gracePage, 'Sent while you were offline');
    await gracePage
      .locator('[data-testid="message"][data-status="sent"]')
      .filter({ hasText: 'Sent while you were offline' })
      .waitFor();
    expect(
      await messageWithText(adaPage, 'Sent while you were offline').count(),
    ).toBe(0);

    await restoreConnection(adaPage);
    await connectionStatus(adaPage, 'connected').waitFor({ timeout: 30_000 });
    await messageWithText(adaPage, 'Sent while you were offline').waitFor();
    await screenshot(adaPage, '06-ada-caught-up');
  });

  it('keeps the history across a reload, oldest first', async () => {
    await adaPage.reload();
    await messageWithText(adaPage, 'Sent while you were offline').waitFor();
    expect(await adaPage.getByTestId('message-text').allInnerTexts()).toEqual([
      'Hi Grace, the compiler works!',
      'Wonderful news, Ada!',
      'Sent while you were offline',
    ]);
  });

  it('fits a phone screen: one pane at a time, with a way back to the list', async () => {
    await adaPage.setViewportSize({ width: 390, height: 844 });
    await adaPage
      .getByTestId('conversation-item')
      .first()
      .waitFor({ state: 'hidden' });
    await messageWithText(adaPage, 'Wonderful news, Ada!').waitFor();
    await screenshot(adaPage, '07-phone-conversation');

    await adaPage.getByRole('link', { name: 'Back to conversations' }).click();
    await adaPage.getByTestId('conversation-item').first().waitFor();
    await adaPage
      .getByTestId('conversation-pane')
      .waitFor({ state: 'detached' });
    await screenshot(adaPage, '08-phone-inbox');
    await adaPage.setViewportSize({ width: 1280, height: 800 });
  });

  it('refuses a wrong password with a clear message', async () => {
    const stranger = await openPage();
    await stranger.goto('/login');
    await stranger.getByLabel('Email').fill(ada.email);
    await stranger.getByLabel('Password').fill('not-the-password');
    await stranger.getByTestId('submit-button').click();

    const error = stranger.getByTestId('auth-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/invalid|incorrect|wrong/i);
    expect(new URL(stranger.url()).pathname).toBe('/login');
    await screenshot(stranger, '09-wrong-password');
  });

  it('signs out back to the sign-in page', async () => {
    await gracePage.getByTestId('logout-button').click();
    await gracePage.waitForURL('**/login');
    await gracePage.goto('/inbox');
    await gracePage.waitForURL('**/login?returnUrl=%2Finbox');
  });

  it('raised no errors in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
