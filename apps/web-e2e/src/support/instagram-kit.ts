import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { Person } from './api-client';
import { baseUrl } from './browser';
import { sandboxUrl } from './sandbox-control';

/*
 * What the Instagram browser specs share: logging in, connecting an account through the Meta
 * sandbox's consent pages, disconnecting it, and Meta's CDN drawn locally. The sandbox's control
 * API (contacts, their DMs, what the Send API received) is in sandbox-control.ts.
 */

/** Instagram Login's authorization window on the sandbox. */
export const INSTAGRAM_CONSENT = '/www.instagram.com/oauth/authorize';
/** Facebook Login's consent dialog on the sandbox. */
export const FACEBOOK_CONSENT = '/v26.0/dialog/oauth';

/** Logs in through the dashboard's form, as a person does, and waits for the inbox. */
export async function logIn(page: Page, person: Person): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(person.user.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByTestId('submit-button').click();
  await page.waitForURL('**/inbox');
}

/**
 * Meta's CDNs (profile pictures, DM media, stories) are out of reach here; a drawing stands in for
 * each, as the real picture would: a letter for a profile picture, a landscape for media.
 */
export async function drawMetaCdnLocally(
  context: BrowserContext,
): Promise<void> {
  await context.route('https://scontent.cdninstagram.com/**', (route) =>
    route.fulfill({
      contentType: 'image/svg+xml',
      body: avatarSvg(route.request().url()),
    }),
  );
  await context.route('https://lookaside.fbsbx.com/**', (route) =>
    route.fulfill({ contentType: 'image/svg+xml', body: MEDIA_SVG }),
  );
}

function avatarSvg(url: string): string {
  const name = decodeURIComponent(url.split('/').pop() ?? 'x');
  const letter = name.charAt(0).toUpperCase();
  return `<svg xmlns="http://www.w3.org/2000/svg" width="112" height="112"><rect width="112" height="112" fill="#1e3a8a"/><text x="56" y="72" font-size="48" font-family="sans-serif" fill="#fff" text-anchor="middle">${letter}</text></svg>`;
}

const MEDIA_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160"><rect width="240" height="160" fill="#bae6fd"/><circle cx="185" cy="42" r="22" fill="#fde047"/><path d="M0 160 L75 75 L130 130 L165 98 L240 160 Z" fill="#15803d"/></svg>`;

/** Whether the API hands out Instagram Login's consent URL (503 while it offers only Facebook Login). */
export async function offersInstagramLogin(person: Person): Promise<boolean> {
  const response = await fetch(
    new URL('/api/instagram/auth/instagram?method=instagram', baseUrl()),
    { headers: { authorization: `Bearer ${person.accessToken}` } },
  );
  if (response.status !== 200 && response.status !== 503) {
    throw new Error(`The Instagram Login probe answered ${response.status}`);
  }
  return response.ok;
}

/** The header's Instagram status pill in one state (`connected`, `not_connected`, …). */
export const instagramIndicator = (page: Page, state: string): Locator =>
  page.locator(`[data-testid="instagram-status"][data-state="${state}"]`);

export const accountCard = (page: Page, username: string): Locator =>
  page.locator(
    `[data-testid="instagram-account"][data-username="${username}"]`,
  );

export const connectOutcome = (page: Page): Locator =>
  page.getByTestId('connect-outcome');

/** A message of the open thread by its exact text: its bubble, with `data-status` and `data-channel`. */
export const messageBubble = (page: Page, text: string): Locator =>
  page.getByTestId('message-bubble').filter({
    has: page.getByTestId('message-text').getByText(text, { exact: true }),
  });

/** An attachment (picture, player, story card…) of a kind, inside `scope` (a page or a bubble). */
export const messageAttachment = (
  scope: Page | Locator,
  kind: string,
): Locator =>
  scope.locator(`[data-testid="message-attachment"][data-kind="${kind}"]`);

/** For a picture of a thread: at its latest message, with the pictures in view loaded. */
export async function atLatestMessage(page: Page): Promise<void> {
  const list = page.getByTestId('message-list');
  await list.evaluate((element) =>
    element.scrollTo({ top: element.scrollHeight }),
  );
  await page.waitForFunction(() =>
    Array.from(document.images)
      .filter((image) => {
        const box = image.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      })
      .every((image) => image.complete),
  );
  await list.evaluate((element) =>
    element.scrollTo({ top: element.scrollHeight }),
  );
}

/** Meta's pages keep their own query order and fragments (`#_=_`): match on the path alone. */
export const onSandbox =
  (path: string) =>
  (url: URL): boolean =>
    url.origin === sandboxUrl() && url.pathname === path;

export const backOnConnectPage =
  (query: Record<string, string>) =>
  (url: URL): boolean =>
    url.pathname === '/instagram' &&
    Object.entries(query).every(
      ([name, value]) => url.searchParams.get(name) === value,
    );

/**
 * From the Connect Instagram page: "Connect with Instagram", pick the account on Instagram's
 * authorization window, Allow, and back on the page with Meta's callback's outcome.
 */
export async function connectWithInstagramLogin(
  page: Page,
  username: string,
): Promise<void> {
  await page.getByTestId('connect-instagram').click();
  await approveOnInstagramConsent(page, username);
}

/** On Instagram's authorization window: pick the account, Allow, and back on the dashboard. */
export async function approveOnInstagramConsent(
  page: Page,
  username: string,
): Promise<void> {
  await page.waitForURL(onSandbox(INSTAGRAM_CONSENT));
  await page.getByLabel(new RegExp(`@${escapeRegExp(username)}`)).check();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(
    backOnConnectPage({ status: 'connected', account: username }),
  );
}

/** From the Connect Instagram page, through a Facebook Page on Facebook Login's dialog. */
export async function connectThroughFacebookPage(
  page: Page,
  pageName: string,
  username: string,
): Promise<void> {
  await page.getByTestId('connect-facebook').click();
  await page.waitForURL(onSandbox(FACEBOOK_CONSENT));
  await page.getByLabel(new RegExp(escapeRegExp(pageName))).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(
    backOnConnectPage({ status: 'connected', account: username }),
  );
}

/**
 * On the Connect Instagram page: Disconnect on the account's card, confirm, and wait until the
 * card says disconnected. `inDialog` looks at the confirmation before it is confirmed.
 */
export async function disconnectAccount(
  page: Page,
  username: string,
  inDialog?: (dialog: Locator) => Promise<void>,
): Promise<void> {
  await accountCard(page, username).getByTestId('disconnect-button').click();
  const dialog = page.getByTestId('disconnect-dialog');
  await dialog.waitFor();
  await inDialog?.(dialog);
  await page.getByTestId('disconnect-confirm').click();
  await dialog.waitFor({ state: 'detached' });
  await page
    .getByTestId('instagram-toast')
    .filter({ hasText: `Disconnected @${username}.` })
    .waitFor();
  await accountCard(page, username)
    .and(page.locator('[data-state="disconnected"]'))
    .waitFor();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
