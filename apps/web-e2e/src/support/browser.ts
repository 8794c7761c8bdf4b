import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type Page,
  type ViewportSize,
  chromium,
} from 'playwright-core';
import type { Person } from './api-client';
import { WORKSPACE_ROOT } from './api-server';

export const SCREENSHOT_DIR = join(WORKSPACE_ROOT, 'dist/e2e-screenshots');
const README_SCREENSHOT_DIR = join(WORKSPACE_ROOT, 'docs/screenshots');

/** The system Chromium, headless, with the flags it needs to run as root in a container. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export function baseUrl(): string {
  const url = process.env['E2E_BASE_URL'];
  if (!url) {
    throw new Error(
      'E2E_BASE_URL is not set: run through `npx nx e2e web-e2e` (its global setup starts the API)',
    );
  }
  return url;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({
    path: join(SCREENSHOT_DIR, `${name}.png`),
    fullPage: true,
  });
}

/**
 * The README's pictures (docs/screenshots/): rewritten only on request
 * (`UPDATE_README_SCREENSHOTS=true`), so a test run leaves the committed files alone; every run
 * still saves them under dist/e2e-screenshots/. The viewport as it is, not the full page.
 */
export async function readmeScreenshot(
  page: Page,
  name: string,
): Promise<void> {
  if (process.env['UPDATE_README_SCREENSHOTS'] === 'true') {
    mkdirSync(README_SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(README_SCREENSHOT_DIR, `${name}.png`) });
  }
  await screenshot(page, name);
}

export const DESKTOP: ViewportSize = { width: 1280, height: 800 };
export const PHONE: ViewportSize = { width: 390, height: 844 };

/**
 * The README's pictures of a page at 1280 px and 390 px (`<name>-desktop`, `<name>-phone`), back
 * at the desktop size after; says whether the phone layout scrolled sideways. `settle` runs
 * before each picture (e.g. to scroll a thread to its latest message).
 */
export async function readmeScreenshotsAtBothSizes(
  page: Page,
  name: string,
  settle?: (page: Page) => Promise<void>,
): Promise<{ phoneOverflows: boolean }> {
  await settle?.(page);
  await readmeScreenshot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await settle?.(page);
  await readmeScreenshot(page, `${name}-phone`);
  const phoneOverflows = await page.evaluate(
    () => document.documentElement.scrollWidth > window.innerWidth,
  );
  await page.setViewportSize(DESKTOP);
  return { phoneOverflows };
}

/**
 * Every page of the context starts signed in as `person` (the session the dashboard keeps in
 * localStorage), for a second tab or a later visit without clicking through the form again.
 */
export async function keepSignedIn(
  context: BrowserContext,
  person: Person,
): Promise<void> {
  const session = { accessToken: person.accessToken, user: person.user };
  await context.addInitScript((stored) => {
    if (!localStorage.getItem('instantchat.session')) {
      localStorage.setItem('instantchat.session', stored);
    }
  }, JSON.stringify(session));
}
