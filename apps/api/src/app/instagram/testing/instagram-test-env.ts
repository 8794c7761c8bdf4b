import type {
  AuthResponseDto,
  InstagramLoginMethod,
} from '@instantchat/contracts';
import { getConnectionToken } from '@nestjs/mongoose';
import type { LoggerService } from '@nestjs/common';
import type { Connection } from 'mongoose';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
// Test support, imported by specs only: like them, it drives the real Meta sandbox over HTTP (the
// lint rule admits the sandbox library in `*.spec.ts` files, and this file is their fixture).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  startMetaSandbox,
  type MetaSandbox,
} from '@instantchat/meta-sandbox-server';
import { OAUTH_CALLBACK_PATH } from '@instantchat/meta-platform';
import type { EnvironmentVariables } from '../../config/app-config';
import { createTestApp, type TestApp } from '../../testing/test-app';

export const SANDBOX_APP_ID = 'instagram-e2e-app';
export const SANDBOX_APP_SECRET = 'instagram-e2e-secret-0123456789';
export const SANDBOX_IG_APP_ID = 'instagram-e2e-ig-app';
export const SANDBOX_IG_APP_SECRET = 'instagram-e2e-ig-secret-0123456789';
export const CLIENT_URL = 'http://dashboard.example.test';
export const CALLBACK_PATH = OAUTH_CALLBACK_PATH;

/** The sandbox's seeded Pages and their Instagram professional accounts. */
export const BLUE_JACKET = {
  pageId: '109876543210001',
  accountId: '17841405822304914',
  username: 'bluejacket.store',
};
export const CORNER_BAKERY = {
  pageId: '109876543210002',
  accountId: '17841405822304915',
  username: 'corner.bakery',
};
export const PAGE_WITHOUT_INSTAGRAM = '109876543210003';
/** Instagram Login only: a professional account without a Facebook Page. */
export const SOLO_STUDIO = {
  accountId: '17841405822304916',
  username: 'solo.studio',
};

/** Everything the API logged, one entry per call, whatever the level. */
class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  private record =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) =>
      this.lines.push(
        [level, message, ...rest]
          .map((part) =>
            typeof part === 'string' ? part : JSON.stringify(part ?? null),
          )
          .join(' '),
      );
  log = this.record('log');
  error = this.record('error');
  warn = this.record('warn');
  debug = this.record('debug');
  verbose = this.record('verbose');
  fatal = this.record('fatal');
}

/** What a browser saw going through the connect flow. */
export interface BrowserConnectRun {
  /** Meta's dialog URL the API answered. */
  authorizationUrl: string;
  /** Where the dialog sent the browser back to (the API's callback, with `code` or `error`). */
  callbackUrl: URL;
  /** Where the API finally sent the browser (the dashboard's connect page). */
  landing: URL;
}

export interface InstagramTestEnv {
  sandbox: MetaSandbox;
  testApp: TestApp;
  /**
   * The variables the API was started with (PORT aside): a second instance started with them and
   * the same MONGO_URI and TOKEN_ENCRYPTION_KEY (pass both in `overrides`) shares its data.
   */
  variables: EnvironmentVariables;
  /**
   * Every line the API logged since boot, at every level (debug included); with
   * `structuredLogs`, pino's JSON lines at LOG_LEVEL instead.
   */
  logs: string[];
  /** Every response body and Location header a browser or client saw through these helpers. */
  seenByClients: string[];
  /** POST/GET/DELETE the sandbox's control API. */
  control(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }>;
  /** The API's own database, for reading documents as stored. */
  database(): Connection;
  /**
   * Every token the sandbox issued since the env started, resets included: none may appear in a
   * response, URL, log or document.
   */
  issuedTokens(): string[];
  /** Plays the person: asks the API for the URL, opens Meta's dialog, submits it, follows redirects. */
  connectInBrowser(
    user: AuthResponseDto,
    options: {
      method?: InstagramLoginMethod;
      /** The dialog's radio choice, e.g. `{ page_id: BLUE_JACKET.pageId }`. */
      choose?: Record<string, string>;
      action?: 'approve' | 'cancel';
    },
  ): Promise<BrowserConnectRun>;
  /**
   * Asks the API for Meta's consent URL as the env's one browser does, keeping the browser-binding
   * cookie it sets (every later `openCallback` sends it back).
   */
  startConnect(
    user: AuthResponseDto,
    method?: InstagramLoginMethod,
  ): Promise<{ status: number; body: unknown; setCookie: string[] }>;
  /**
   * Opens a callback URL again, as a browser's back button or a replaying attacker would: from the
   * env's browser (with its cookie), or from `another` browser that never started a flow.
   */
  openCallback(
    url: URL | string,
    from?: { browser: 'same' | 'another' },
  ): Promise<URL>;
  close(): Promise<void>;
}

/** A free loopback port, so the API's redirect URI can be registered with the sandbox before boot. */
async function reservePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The API (real HTTP, embedded database) wired to an in-process Meta sandbox, with the API's log
 * recorded. The sandbox records webhooks without sending them.
 */
export async function startInstagramTestEnv(
  /** Variables set on top of the env's own, given the sandbox (e.g. its Instagram Login hosts). */
  overrides: (sandbox: MetaSandbox) => EnvironmentVariables = () => ({}),
  /** `structuredLogs`: keep the app's own pino logging and record its output lines. */
  { structuredLogs = false }: { structuredLogs?: boolean } = {},
): Promise<InstagramTestEnv> {
  const port = await reservePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sandbox = await startMetaSandbox({
    appId: SANDBOX_APP_ID,
    appSecret: SANDBOX_APP_SECRET,
    instagramAppId: SANDBOX_IG_APP_ID,
    instagramAppSecret: SANDBOX_IG_APP_SECRET,
    redirectUris: [publicUrl + CALLBACK_PATH],
  });
  const variables: EnvironmentVariables = {
    PUBLIC_URL: publicUrl,
    CLIENT_URL,
    META_APP_ID: SANDBOX_APP_ID,
    META_APP_SECRET: SANDBOX_APP_SECRET,
    META_GRAPH_URL: sandbox.graphUrl,
    META_OAUTH_DIALOG_URL: sandbox.oauthDialogUrl,
    META_IG_APP_ID: SANDBOX_IG_APP_ID,
    META_IG_APP_SECRET: SANDBOX_IG_APP_SECRET,
    META_IG_OAUTH_URL: sandbox.instagramOAuthUrl,
    META_IG_API_URL: sandbox.instagramApiUrl,
    META_IG_GRAPH_URL: sandbox.instagramGraphUrl,
    ...overrides(sandbox),
  };
  const logger = new RecordingLogger();
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logger.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  let testApp: TestApp;
  try {
    testApp = await createTestApp(
      { PORT: String(port), ...variables },
      structuredLogs ? { logDestination } : {},
    );
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
  // Replaces the boot-time logger (LOG_LEVEL=error) for everything logged from here on, at every
  // level, so the leak checks also see debug lines.
  if (!structuredLogs) testApp.app.useLogger(logger);
  const seenByClients: string[] = [];

  const everIssued = new Set<string>();
  const collectIssuedTokens = () => {
    for (const token of sandbox.world.tokens.keys()) everIssued.add(token);
    return [...everIssued];
  };
  const control: InstagramTestEnv['control'] = async (method, path, body) => {
    if (path === '/reset') collectIssuedTokens();
    const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };

  // The one browser the env plays: the cookie that binds its flows (oauth-browser-binding).
  let browserCookie: string | undefined;
  const startConnect: InstagramTestEnv['startConnect'] = async (
    user,
    method,
  ) => {
    const call = request(testApp.http)
      .get('/api/instagram/auth/instagram')
      .query(method ? { method } : {})
      .set('Authorization', `Bearer ${user.accessToken}`);
    if (browserCookie) call.set('Cookie', browserCookie);
    const started = await call;
    const rawSetCookie = started.headers['set-cookie'] as unknown;
    const setCookie = Array.isArray(rawSetCookie)
      ? (rawSetCookie as string[])
      : [];
    if (setCookie[0]) browserCookie = setCookie[0].split(';')[0];
    seenByClients.push(started.text);
    return { status: started.status, body: started.body, setCookie };
  };

  const openCallback: InstagramTestEnv['openCallback'] = async (
    url,
    from = { browser: 'same' },
  ) => {
    const response = await fetch(url, {
      redirect: 'manual',
      headers:
        from.browser !== 'another' && browserCookie
          ? { cookie: browserCookie }
          : {},
    });
    const location = response.headers.get('location');
    seenByClients.push(location ?? '', await response.clone().text());
    if (response.status !== 302 || !location)
      throw new Error(
        `The callback answered ${response.status} without a redirect: ${await response.text()}`,
      );
    return new URL(location);
  };

  return {
    sandbox,
    testApp,
    variables,
    logs: logger.lines,
    seenByClients,
    control,
    database: () => testApp.app.get<Connection>(getConnectionToken()),
    issuedTokens: collectIssuedTokens,
    startConnect,
    openCallback,
    async connectInBrowser(user, { method, choose = {}, action = 'approve' }) {
      const started = await startConnect(user, method);
      if (started.status !== 200)
        throw new Error(
          `auth/instagram answered ${started.status}: ${JSON.stringify(started.body)}`,
        );
      const authorizationUrl = (started.body as { url: string }).url;

      const callbackUrl = await answerMetaDialog(
        authorizationUrl,
        choose,
        action,
      );
      const landing = await openCallback(callbackUrl);
      return { authorizationUrl, callbackUrl, landing };
    },
    async close() {
      await testApp.close();
      await sandbox.stop();
    },
  };
}

/**
 * Plays the person in Meta's dialog: opens it, picks `choose`, presses approve or cancel.
 * @returns where the dialog sends the browser back to (the API's callback).
 */
export async function answerMetaDialog(
  authorizationUrl: string,
  choose: Record<string, string>,
  action: 'approve' | 'cancel' = 'approve',
): Promise<URL> {
  const dialog = await fetch(authorizationUrl);
  const html = await dialog.text();
  if (dialog.status !== 200)
    throw new Error(`Meta's dialog answered ${dialog.status}: ${html}`);
  const form = readForm(html, new URL(authorizationUrl));
  const button = action === 'approve' ? form.primary : form.secondary;
  const submitted = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...form.hidden,
      ...choose,
      [button.name]: button.value,
    }).toString(),
    redirect: 'manual',
  });
  const callback = submitted.headers.get('location');
  if (submitted.status !== 302 || !callback)
    throw new Error(
      `The dialog did not redirect (HTTP ${submitted.status}): ${await submitted.text()}`,
    );
  return new URL(callback);
}

interface FormButton {
  name: string;
  value: string;
}

/** The dialog's form as a browser reads it: where it posts, its hidden fields, its two buttons. */
function readForm(
  html: string,
  page: URL,
): {
  action: string;
  hidden: Record<string, string>;
  primary: FormButton;
  secondary: FormButton;
} {
  const action = /<form[^>]*\baction="([^"]*)"/i.exec(html)?.[1];
  if (action === undefined) throw new Error('The dialog has no form');
  const attribute = (tag: string, name: string) => {
    const value = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)?.[1];
    return value === undefined ? undefined : unescapeHtml(value);
  };
  const hidden: Record<string, string> = {};
  for (const [tag] of html.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(tag, 'name');
    if (attribute(tag, 'type') === 'hidden' && name)
      hidden[name] = attribute(tag, 'value') ?? '';
  }
  const button = (className: string): FormButton => {
    for (const [tag] of html.matchAll(/<button\b[^>]*>/gi)) {
      const name = attribute(tag, 'name');
      if (attribute(tag, 'class')?.split(/\s+/).includes(className) && name)
        return { name, value: attribute(tag, 'value') ?? '' };
    }
    throw new Error(`The dialog has no ${className} button`);
  };
  return {
    action: new URL(unescapeHtml(action), page).toString(),
    hidden,
    primary: button('primary'),
    secondary: button('secondary'),
  };
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
