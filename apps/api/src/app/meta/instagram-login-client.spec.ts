import { OAUTH_CALLBACK_PATH } from '@instantchat/meta-platform';
import {
  allowInInstagramLogin,
  startMetaSandbox,
  type MetaSandbox,
} from '@instantchat/meta-sandbox-server';
import {
  MetaRequestError,
  MetaTokenInvalidError,
  MetaTransientError,
  MetaWindowClosedError,
} from './meta-api.errors';
import { MetaGraphClient } from './meta-graph-client';
import type { InstagramLoginClient } from './instagram-login-client';

const APP_ID = 'client-test-app';
const APP_SECRET = 'client-test-secret-0123456789';
const IG_APP_ID = 'client-test-ig-app';
const IG_APP_SECRET = 'client-test-ig-secret-0123456789';
const REDIRECT_URI = `http://localhost:3000${OAUTH_CALLBACK_PATH}`;
const ACCOUNT = '17841405822304914';
const ACCOUNT_WITHOUT_PAGE = '17841405822304916';
const ANNA = '1914357145407531';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('MetaGraphClient.instagramLogin against the Meta sandbox', () => {
  let sandbox: MetaSandbox;
  let logs: string[];
  let delays: number[];
  let client: InstagramLoginClient;

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  /** The person allows one account in Instagram's window; the code of the redirect. */
  const codeFor = async (accountId = ACCOUNT) => {
    const url = new URL(client.buildAuthorizationUrl('state-ig'));
    const redirect = await allowInInstagramLogin(sandbox.instagramOAuthUrl, {
      clientId: url.searchParams.get('client_id') ?? '',
      redirectUri: url.searchParams.get('redirect_uri') ?? '',
      state: url.searchParams.get('state') ?? '',
      scopes: (url.searchParams.get('scope') ?? '').split(','),
      accountId,
    });
    return redirect.searchParams.get('code') ?? '';
  };
  const connect = async (accountId = ACCOUNT) => {
    const grant = await client.exchangeCode(await codeFor(accountId));
    return (await client.exchangeForLongLivedToken(grant.accessToken))
      .accessToken;
  };
  const annaWrites = (account: string) =>
    control('POST', '/events', {
      type: 'text',
      user: ANNA,
      account,
      text: 'Do you ship abroad?',
    });

  beforeAll(async () => {
    sandbox = await startMetaSandbox({
      appId: APP_ID,
      appSecret: APP_SECRET,
      instagramAppId: IG_APP_ID,
      instagramAppSecret: IG_APP_SECRET,
      redirectUris: [REDIRECT_URI],
    });
  });
  afterAll(() => sandbox.stop());
  beforeEach(async () => {
    await control('POST', '/reset');
    logs = [];
    delays = [];
    client = new MetaGraphClient({
      appId: APP_ID,
      appSecret: APP_SECRET,
      graphUrl: sandbox.graphUrl,
      oauthDialogUrl: sandbox.oauthDialogUrl,
      redirectUri: REDIRECT_URI,
      instagramLogin: {
        appId: IG_APP_ID,
        appSecret: IG_APP_SECRET,
        oauthUrl: sandbox.instagramOAuthUrl,
        apiUrl: sandbox.instagramApiUrl,
        graphUrl: sandbox.instagramGraphUrl,
      },
      timeoutMs: 1_000,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
      logger: { debug: (m) => logs.push(m), warn: (m) => logs.push(m) },
      sleep: async (ms) => {
        delays.push(ms);
      },
    }).instagramLogin;
  });

  it('builds the window URL the sandbox accepts, and walks the whole connect flow', async () => {
    const url = new URL(client.buildAuthorizationUrl('state-ig'));
    expect(`${url.origin}${url.pathname}`).toBe(sandbox.instagramOAuthUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: IG_APP_ID,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'instagram_business_basic,instagram_business_manage_messages',
      state: 'state-ig',
    });
    expect((await fetch(url)).status).toBe(200);

    const grant = await client.exchangeCode(
      await codeFor(ACCOUNT_WITHOUT_PAGE),
    );
    expect(grant).toEqual({
      accessToken: expect.stringMatching(/^IGAA/),
      userId: ACCOUNT_WITHOUT_PAGE,
      permissions: [
        'instagram_business_basic',
        'instagram_business_manage_messages',
      ],
    });
    const long = await client.exchangeForLongLivedToken(grant.accessToken);
    expect(long.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 59 * DAY);

    expect(await client.getAccount(long.accessToken)).toEqual({
      userId: ACCOUNT_WITHOUT_PAGE,
      appScopedId: '26245815432100003',
      username: 'solo.studio',
      name: 'Solo Studio',
      profilePictureUrl: expect.stringMatching(/^https:/),
    });

    await client.subscribeToWebhooks(long.accessToken);
    expect(await client.getWebhookFields(long.accessToken)).toEqual([
      'messages',
      'messaging_postbacks',
      'messaging_seen',
      'message_reactions',
      'message_edit',
      'messaging_referral',
    ]);

    await annaWrites(ACCOUNT_WITHOUT_PAGE);
    const sent = await client.sendMessage({
      accessToken: long.accessToken,
      recipientId: ANNA,
      text: 'Yes, worldwide!',
    });
    expect(sent).toEqual({ recipientId: ANNA, messageId: expect.any(String) });
    const received = (
      await control('GET', `/sent-messages?account=${ACCOUNT_WITHOUT_PAGE}`)
    ).json.data;
    expect(received.map((r: { body: unknown }) => r.body)).toEqual([
      {
        recipient: { id: ANNA },
        messaging_type: 'RESPONSE',
        message: { text: 'Yes, worldwide!' },
      },
    ]);

    await client.unsubscribeFromWebhooks(long.accessToken);
    expect(await client.getWebhookFields(long.accessToken)).toEqual([]);
  });

  it('reads the {data: [...]} shape of the code exchange too, and a code copied with its "#_"', async () => {
    await control('PUT', '/instagram-login/token-shape', { shape: 'data' });
    const grant = await client.exchangeCode(`${await codeFor()}#_`);
    expect(grant).toEqual({
      accessToken: expect.stringMatching(/^IGAA/),
      userId: ACCOUNT,
      permissions: [
        'instagram_business_basic',
        'instagram_business_manage_messages',
      ],
    });
  });

  it("maps a reused code to MetaRequestError with Meta's message, without retrying", async () => {
    const code = await codeFor();
    await client.exchangeCode(code);
    const error = await client.exchangeCode(code).catch((e) => e);
    expect(error).toBeInstanceOf(MetaRequestError);
    expect(error).toMatchObject({
      message: 'Matching code was not found or was already used',
      type: 'OAuthException',
      code: 400,
      httpStatus: 400,
    });
    expect(delays).toEqual([]);
  });

  it('does not repeat a code exchange after a timeout, since the code may be spent', async () => {
    const code = await codeFor();
    await control('POST', '/faults', {
      kind: 'slow',
      delayMs: 2_500,
      path: '/api.instagram.com/oauth/access_token',
    });
    const error = await client.exchangeCode(code).catch((e) => e);
    expect(error).toBeInstanceOf(MetaTransientError);
    expect(error).toMatchObject({ failure: 'timeout', attempts: 1 });
  });

  it('refreshes a token only once it is 24 hours old, and asks for a reconnect once expired or revoked', async () => {
    const token = await connect();
    const early = await client.refreshLongLivedToken(token).catch((e) => e);
    expect(early).toBeInstanceOf(MetaRequestError);
    expect(early).toMatchObject({ type: 'IGApiException', code: 100 });

    await control('POST', '/tokens/age', {
      accessToken: token,
      byMs: 25 * HOUR,
    });
    const refreshed = await client.refreshLongLivedToken(token);
    expect(refreshed.accessToken).toMatch(/^IGAA/);
    expect(refreshed.expiresAt?.getTime()).toBeGreaterThan(
      Date.now() + 59 * DAY,
    );

    await control('POST', '/tokens/age', {
      accessToken: token,
      byMs: 60 * DAY,
    });
    const expired = await client.refreshLongLivedToken(token).catch((e) => e);
    expect(expired).toBeInstanceOf(MetaTokenInvalidError);
    expect(expired).toMatchObject({
      reason: 'expired',
      type: 'IGApiException',
      code: 190,
      subcode: 463,
      reconnectRequired: true,
    });

    await control('POST', '/tokens/revoke', {
      accessToken: refreshed.accessToken,
    });
    await expect(
      client.getAccount(refreshed.accessToken),
    ).rejects.toMatchObject({
      kind: 'token_invalid',
      reason: 'invalidated',
      type: 'IGApiException',
      code: 190,
      subcode: 458,
    });
  });

  it('throws MetaWindowClosedError for a send after 24 hours', async () => {
    const token = await connect();
    await annaWrites(ACCOUNT);
    await control('POST', '/clock', { advanceMs: 25 * HOUR });
    const error = await client
      .sendMessage({ accessToken: token, recipientId: ANNA, text: 'late' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(MetaWindowClosedError);
    expect(error).toMatchObject({ code: 10, subcode: 2534022 });
    await expect(
      client.sendMessage({
        accessToken: token,
        recipientId: ANNA,
        text: 'agent',
        humanAgent: true,
      }),
    ).resolves.toHaveProperty('messageId');
  });

  it('retries a read that Meta answered with a transient error', async () => {
    const token = await connect();
    await control('POST', '/faults', {
      kind: 'server_error',
      times: 2,
      path: '/graph.instagram.com',
    });
    await expect(client.getAccount(token)).resolves.toHaveProperty(
      'userId',
      ACCOUNT,
    );
    expect(delays).toHaveLength(2);
  });

  it('never writes a token, a secret or a code into logs or error messages', async () => {
    const code = await codeFor();
    const grant = await client.exchangeCode(code);
    const error = await client.exchangeCode(code).catch((e) => e);
    await control('POST', '/faults', { kind: 'server_error', times: 5 });
    const transient = await client
      .exchangeForLongLivedToken(grant.accessToken)
      .catch((e) => e);
    expect(transient).toBeInstanceOf(MetaTransientError);

    expect(logs.length).toBeGreaterThan(3);
    const written = [
      ...logs,
      error.message,
      error.stack,
      transient.message,
      transient.stack,
      JSON.stringify(error),
      JSON.stringify(transient),
    ].join('\n');
    for (const secret of [grant.accessToken, IG_APP_SECRET, code]) {
      expect(written).not.toContain(secret);
    }
  });

  it('is unavailable when Instagram Login is not configured', () => {
    const facebookOnly = new MetaGraphClient({
      appId: APP_ID,
      appSecret: APP_SECRET,
      graphUrl: sandbox.graphUrl,
      oauthDialogUrl: sandbox.oauthDialogUrl,
      redirectUri: REDIRECT_URI,
    });
    expect(() => facebookOnly.instagramLogin).toThrow(
      'Instagram Login is not configured',
    );
  });
});
