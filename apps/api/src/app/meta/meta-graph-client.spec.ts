import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAUTH_CALLBACK_PATH } from '@instantchat/meta-platform';
import {
  startMetaSandbox,
  type MetaSandbox,
} from '@instantchat/meta-sandbox-server';
import {
  MetaPermissionError,
  MetaRateLimitedError,
  MetaRecipientUnavailableError,
  MetaRequestError,
  MetaTokenInvalidError,
  MetaTransientError,
  MetaWindowClosedError,
} from './meta-api.errors';
import {
  MetaGraphClient,
  type MetaGraphClientOptions,
} from './meta-graph-client';

const APP_ID = 'client-test-app';
const APP_SECRET = 'client-test-secret-0123456789';
const REDIRECT_URI = `http://localhost:3000${OAUTH_CALLBACK_PATH}`;
const PAGE = '109876543210001';
const PAGE_WITHOUT_INSTAGRAM = '109876543210003';
const ACCOUNT = '17841405822304914';
const ANNA = '1914357145407531';
const HOUR = 3_600_000;

describe('MetaGraphClient against the Meta sandbox', () => {
  let sandbox: MetaSandbox;
  let logs: string[];
  let client: MetaGraphClient;
  let delays: number[];

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  const makeClient = (overrides: Partial<MetaGraphClientOptions> = {}) =>
    new MetaGraphClient({
      appId: APP_ID,
      appSecret: APP_SECRET,
      graphUrl: sandbox.graphUrl,
      oauthDialogUrl: sandbox.oauthDialogUrl,
      redirectUri: REDIRECT_URI,
      // Generous: the suite runs on shared CI machines, and only the slow-fault tests should time out.
      timeoutMs: 1_000,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
      logger: { debug: (m) => logs.push(m), warn: (m) => logs.push(m) },
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...overrides,
    });
  /** A long-lived user token and the Page token, as after a completed connect flow. */
  const connect = async (pageId = PAGE, scopes?: string[]) => {
    const user = await control('POST', '/tokens', {
      pageIds: [pageId],
      ...(scopes ? { scopes } : {}),
    });
    const [page] = await client.listPages(user.json.access_token);
    return {
      userToken: user.json.access_token as string,
      pageToken: page.accessToken,
    };
  };
  const annaWrites = (text = 'Is the blue jacket available?') =>
    control('POST', '/events', {
      type: 'text',
      user: ANNA,
      account: ACCOUNT,
      text,
    });

  beforeAll(async () => {
    sandbox = await startMetaSandbox({
      appId: APP_ID,
      appSecret: APP_SECRET,
      redirectUris: [REDIRECT_URI],
    });
  });
  afterAll(() => sandbox.stop());
  beforeEach(async () => {
    await control('POST', '/reset');
    logs = [];
    delays = [];
    client = makeClient();
  });

  describe('connecting an account', () => {
    it('builds the dialog URL the sandbox accepts, and walks the whole flow', async () => {
      const authorizationUrl = client.buildAuthorizationUrl('state-123');
      const dialog = await fetch(authorizationUrl);
      expect(dialog.status).toBe(200);
      const url = new URL(authorizationUrl);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        client_id: APP_ID,
        redirect_uri: REDIRECT_URI,
        state: 'state-123',
        response_type: 'code',
      });

      const confirm = await fetch(`${sandbox.graphUrl}/dialog/oauth/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          ...Object.fromEntries(url.searchParams),
          page_id: PAGE,
          action: 'approve',
        }).toString(),
        redirect: 'manual',
      });
      const callback = new URL(confirm.headers.get('location') as string);
      expect(callback.searchParams.get('state')).toBe('state-123');

      const short = await client.exchangeCodeForToken(
        callback.searchParams.get('code') as string,
      );
      const long = await client.exchangeForLongLivedToken(short.accessToken);
      expect(long.expiresAt?.getTime()).toBeGreaterThan(
        Date.now() + 59 * 24 * HOUR,
      );

      const info = await client.debugToken(long.accessToken);
      expect(info).toMatchObject({
        isValid: true,
        appId: APP_ID,
        type: 'USER',
        scopes: expect.arrayContaining(['instagram_manage_messages']),
      });

      const pages = await client.listPages(long.accessToken);
      expect(pages).toEqual([
        {
          id: PAGE,
          name: 'Blue Jacket Store',
          accessToken: expect.any(String),
          tasks: expect.arrayContaining(['MESSAGING']),
        },
      ]);
      const pageToken = pages[0].accessToken;

      const account = await client.getPageInstagramAccount(PAGE, pageToken);
      expect(account).toEqual({
        id: ACCOUNT,
        username: 'bluejacket.store',
        name: 'Blue Jacket Store',
        profilePictureUrl: expect.stringMatching(/^https:/),
      });
      expect(await client.getInstagramAccount(ACCOUNT, pageToken)).toEqual(
        account,
      );

      await client.subscribePageToWebhooks(PAGE, pageToken);
      expect(await client.getPageWebhookSubscriptions(PAGE, pageToken)).toEqual(
        [
          {
            appId: APP_ID,
            appName: 'InstantChat',
            // Page field names: Meta refuses Instagram's (messaging_seen, message_edit) here.
            fields: [
              'messages',
              'messaging_postbacks',
              'message_reactions',
              'message_reads',
              'messaging_referrals',
              'message_echoes',
              'standby',
            ],
          },
        ],
      );
      await client.unsubscribePageFromWebhooks(PAGE, pageToken);
      expect(await client.getPageWebhookSubscriptions(PAGE, pageToken)).toEqual(
        [],
      );
    });

    it('collects every Page when Meta pages the list', async () => {
      const paged = await startMetaSandbox({
        appId: APP_ID,
        appSecret: APP_SECRET,
        redirectUris: [],
        graphPageSize: 1,
      });
      try {
        const res = await fetch(`${paged.url}/_sandbox/tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            pageIds: [PAGE, '109876543210002', PAGE_WITHOUT_INSTAGRAM],
          }),
        });
        const { access_token } = await res.json();
        const pages = await makeClient({ graphUrl: paged.graphUrl }).listPages(
          access_token,
        );
        expect(pages.map((p) => p.id)).toEqual([
          PAGE,
          '109876543210002',
          PAGE_WITHOUT_INSTAGRAM,
        ]);
      } finally {
        await paged.stop();
      }
    });

    it('answers null for a Page without a linked Instagram account', async () => {
      const { pageToken } = await connect(PAGE_WITHOUT_INSTAGRAM);
      expect(
        await client.getPageInstagramAccount(PAGE_WITHOUT_INSTAGRAM, pageToken),
      ).toBeNull();
    });

    it('reports an invalid token through debugToken without throwing', async () => {
      const info = await client.debugToken('EAAnot-a-real-token');
      expect(info.isValid).toBe(false);
    });

    it('maps a reused code to a request error', async () => {
      const url = new URL(client.buildAuthorizationUrl('s'));
      const confirm = await fetch(`${sandbox.graphUrl}/dialog/oauth/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          ...Object.fromEntries(url.searchParams),
          page_id: PAGE,
          action: 'approve',
        }).toString(),
        redirect: 'manual',
      });
      const code = new URL(
        confirm.headers.get('location') as string,
      ).searchParams.get('code') as string;
      await client.exchangeCodeForToken(code);
      await expect(client.exchangeCodeForToken(code)).rejects.toBeInstanceOf(
        MetaRequestError,
      );
    });

    it('maps a wrong app secret to a request error', async () => {
      const { userToken } = await connect();
      const wrong = makeClient({ appSecret: 'not-the-secret' });
      await expect(
        wrong.exchangeForLongLivedToken(userToken),
      ).rejects.toMatchObject({ code: 1 });
      // The proof no longer matches the token either.
      await expect(wrong.listPages(userToken)).rejects.toMatchObject({
        kind: 'invalid_request',
        code: 100,
      });
    });
  });

  describe('messaging', () => {
    it('fetches the profile of a person who wrote', async () => {
      const { pageToken } = await connect();
      await annaWrites();
      expect(await client.getInstagramUserProfile(ANNA, pageToken)).toEqual({
        id: ANNA,
        name: 'Anna Customer',
        username: 'anna.customer',
        profilePictureUrl: expect.stringMatching(/^https:/),
        followerCount: expect.any(Number),
        isVerified: false,
        followsBusiness: true,
      });
    });

    it("sends text and attachments and returns Meta's message id", async () => {
      const { pageToken } = await connect();
      await annaWrites();
      const sent = await client.sendMessage({
        pageAccessToken: pageToken,
        recipientId: ANNA,
        text: 'Yes, in M!',
      });
      expect(sent).toEqual({
        recipientId: ANNA,
        messageId: expect.any(String),
      });
      await client.sendMessage({
        pageAccessToken: pageToken,
        recipientId: ANNA,
        attachment: { type: 'image', url: 'https://cdn.example/jacket.jpg' },
        pageId: PAGE,
      });
      await client.sendSenderAction({
        pageAccessToken: pageToken,
        recipientId: ANNA,
        action: 'typing_on',
      });

      const received = (
        await control('GET', `/sent-messages?recipient=${ANNA}`)
      ).json.data;
      expect(received.map((r: { body: unknown }) => r.body)).toEqual([
        {
          recipient: { id: ANNA },
          messaging_type: 'RESPONSE',
          message: { text: 'Yes, in M!' },
        },
        {
          recipient: { id: ANNA },
          messaging_type: 'RESPONSE',
          message: {
            attachment: {
              type: 'image',
              payload: { url: 'https://cdn.example/jacket.jpg' },
            },
          },
        },
        { recipient: { id: ANNA }, sender_action: 'typing_on' },
      ]);
    });

    it('throws MetaWindowClosedError after 24 hours, and sends with the human-agent tag within 7 days', async () => {
      const { pageToken } = await connect();
      await annaWrites();
      await control('POST', '/clock', { advanceMs: 30 * HOUR });
      const error = await client
        .sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'late',
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(MetaWindowClosedError);
      expect(error).toMatchObject({
        code: 10,
        subcode: 2534022,
        retryable: false,
        fbtraceId: expect.any(String),
      });
      await expect(
        client.sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'agent',
          humanAgent: true,
        }),
      ).resolves.toHaveProperty('messageId');
    });

    it('throws MetaRecipientUnavailableError for #551 and for an unknown recipient', async () => {
      const { pageToken } = await connect();
      await expect(
        client.sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'hi',
        }),
      ).rejects.toMatchObject({
        kind: 'recipient_unavailable',
        code: 100,
        subcode: 2018001,
      });
      await annaWrites();
      await control('PATCH', `/instagram-users/${ANNA}`, { available: false });
      const error = await client
        .sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'hi',
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(MetaRecipientUnavailableError);
      expect(error.code).toBe(551);
    });

    it('throws MetaRequestError, without retrying, for a message Meta rejects', async () => {
      const { pageToken } = await connect();
      await annaWrites();
      const error = await client
        .sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'x'.repeat(1001),
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(MetaRequestError);
      expect(error.message).toContain('less than or equal to 1000');
      expect(delays).toEqual([]);
    });
  });

  describe('token, permission and rate-limit errors', () => {
    it.each([
      ['expired', { reason: 'expired' }, 463],
      ['invalidated', { reason: 'password_changed' }, 460],
    ])(
      'throws MetaTokenInvalidError (%s) asking for a reconnect',
      async (reason, expire, subcode) => {
        const { pageToken } = await connect();
        await annaWrites();
        await control('POST', '/tokens/expire', expire);
        const error = await client
          .sendMessage({
            pageAccessToken: pageToken,
            recipientId: ANNA,
            text: 'hi',
          })
          .catch((e) => e);
        expect(error).toBeInstanceOf(MetaTokenInvalidError);
        expect(error).toMatchObject({
          reason,
          reconnectRequired: true,
          code: 190,
          subcode,
          retryable: false,
        });
      },
    );

    it('throws MetaTokenInvalidError (invalid) for a token Meta never issued', async () => {
      await expect(client.listPages('EAAforged')).rejects.toMatchObject({
        kind: 'token_invalid',
        reason: 'invalid',
        code: 190,
      });
    });

    it('throws MetaPermissionError naming the missing permission', async () => {
      const { pageToken } = await connect(PAGE, [
        'pages_show_list',
        'instagram_basic',
      ]);
      await annaWrites();
      const error = await client
        .sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'hi',
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(MetaPermissionError);
      expect(error).toMatchObject({
        permission: 'instagram_manage_messages',
        code: 200,
      });
    });

    it.each([
      ['rate_limit', 613],
      ['app_rate_limit', 4],
    ])(
      "throws MetaRateLimitedError (%s) with Meta's own estimate, without retrying",
      async (kind, code) => {
        const { pageToken } = await connect();
        await annaWrites();
        await control('POST', '/faults', {
          kind,
          path: '/messages',
          retryAfterMinutes: 3,
        });
        const error = await client
          .sendMessage({
            pageAccessToken: pageToken,
            recipientId: ANNA,
            text: 'hi',
          })
          .catch((e) => e);
        expect(error).toBeInstanceOf(MetaRateLimitedError);
        expect(error).toMatchObject({
          code,
          retryAfterMs: 3 * 60_000,
          retryable: true,
        });
        expect(delays).toEqual([]);
        // The single fault was consumed by the single attempt.
        await expect(
          client.sendMessage({
            pageAccessToken: pageToken,
            recipientId: ANNA,
            text: 'hi',
          }),
        ).resolves.toHaveProperty('messageId');
      },
    );
  });

  describe('transient failures', () => {
    it('retries a 5xx with exponential backoff and succeeds', async () => {
      const { userToken } = await connect();
      await control('POST', '/faults', {
        kind: 'server_error',
        times: 2,
        path: '/me/accounts',
      });
      await expect(client.listPages(userToken)).resolves.toHaveLength(1);
      expect(delays).toHaveLength(2);
      expect(delays[0]).toBeGreaterThanOrEqual(5);
      expect(delays[0]).toBeLessThanOrEqual(10);
      expect(delays[1]).toBeGreaterThanOrEqual(10);
      expect(delays[1]).toBeLessThanOrEqual(20);
    });

    it('gives up after maxAttempts with a MetaTransientError', async () => {
      const { userToken } = await connect();
      await control('POST', '/faults', {
        kind: 'server_error',
        times: 5,
        status: 502,
        path: '/me/accounts',
      });
      const error = await client.listPages(userToken).catch((e) => e);
      expect(error).toBeInstanceOf(MetaTransientError);
      expect(error).toMatchObject({
        failure: 'server_error',
        attempts: 3,
        httpStatus: 502,
        code: 2,
      });
      expect(delays).toHaveLength(2);
    });

    it('retries a send that Meta answered with a transient error', async () => {
      const { pageToken } = await connect();
      await annaWrites();
      await control('POST', '/faults', {
        kind: 'server_error',
        path: '/messages',
      });
      await expect(
        client.sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'hi',
        }),
      ).resolves.toHaveProperty('messageId');
      expect(delays).toHaveLength(1);
    });

    it("retries a read after a gateway's bare 502", async () => {
      const { userToken } = await connect();
      await control('POST', '/faults', {
        kind: 'gateway_error',
        status: 502,
        path: '/me/accounts',
      });
      await expect(client.listPages(userToken)).resolves.toHaveLength(1);
      expect(delays).toHaveLength(1);
    });

    it("does not repeat a send after a gateway's bare 502, which may hide a delivered message", async () => {
      const { pageToken } = await connect();
      await annaWrites();
      await control('POST', '/faults', {
        kind: 'gateway_error',
        status: 502,
        path: '/messages',
      });
      const error = await client
        .sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'hi',
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(MetaTransientError);
      expect(error).toMatchObject({
        failure: 'server_error',
        httpStatus: 502,
        attempts: 1,
      });
    });

    it('repeats a send after a bare 503, which means the request was not served', async () => {
      const { pageToken } = await connect();
      await annaWrites();
      await control('POST', '/faults', {
        kind: 'gateway_error',
        status: 503,
        path: '/messages',
      });
      await expect(
        client.sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'hi',
        }),
      ).resolves.toHaveProperty('messageId');
      expect(delays).toHaveLength(1);
    });

    it('maps a bare 429 to MetaRateLimitedError', async () => {
      const { userToken } = await connect();
      await control('POST', '/faults', {
        kind: 'gateway_error',
        status: 429,
        path: '/me/accounts',
      });
      await expect(client.listPages(userToken)).rejects.toMatchObject({
        kind: 'rate_limited',
        httpStatus: 429,
        retryAfterMs: 60_000,
      });
    });

    it('caps the backoff at maxDelayMs, with jitter inside each step', async () => {
      const { userToken } = await connect();
      const jittered = makeClient({
        retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 300 },
        random: () => 1,
      });
      await control('POST', '/faults', {
        kind: 'server_error',
        times: 10,
        path: '/me/accounts',
      });
      await expect(jittered.listPages(userToken)).rejects.toBeInstanceOf(
        MetaTransientError,
      );
      expect(delays).toEqual([100, 200, 300, 300, 300]);
    });

    it('retries a read that timed out', async () => {
      const { userToken } = await connect();
      await control('POST', '/faults', {
        kind: 'slow',
        delayMs: 2_500,
        path: '/me/accounts',
      });
      await expect(client.listPages(userToken)).resolves.toHaveLength(1);
      expect(delays).toHaveLength(1);
    });

    it('does not repeat a send that timed out, because Meta may have delivered it', async () => {
      const { pageToken } = await connect();
      await annaWrites();
      await control('POST', '/faults', {
        kind: 'slow',
        delayMs: 2_500,
        path: '/messages',
      });
      const error = await client
        .sendMessage({
          pageAccessToken: pageToken,
          recipientId: ANNA,
          text: 'once',
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(MetaTransientError);
      expect(error).toMatchObject({ failure: 'timeout', attempts: 1 });
      expect(delays).toEqual([]);
      expect(
        (await control('GET', `/sent-messages?recipient=${ANNA}`)).json.data,
      ).toHaveLength(1);
    });

    it('retries even a send when Meta could not be reached at all', async () => {
      const closed = await startMetaSandbox({
        appId: APP_ID,
        appSecret: APP_SECRET,
        redirectUris: [],
      });
      const graphUrl = closed.graphUrl;
      await closed.stop();
      const offline = makeClient({ graphUrl });
      const error = await offline
        .sendMessage({ pageAccessToken: 'EAAx', recipientId: ANNA, text: 'hi' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(MetaTransientError);
      expect(error).toMatchObject({ failure: 'network', attempts: 3 });
      expect(error.message).toContain('ECONNREFUSED');
    });
  });

  it('never writes a token, a secret or a code into logs or error messages', async () => {
    const { userToken, pageToken } = await connect();
    await annaWrites();
    await control('POST', '/faults', {
      kind: 'server_error',
      times: 1,
      path: '/me/accounts',
    });
    await client.listPages(userToken);
    await client.sendMessage({
      pageAccessToken: pageToken,
      recipientId: ANNA,
      text: 'hi',
    });
    const error = await client
      .listPages('EAAsecret-looking-forged-token')
      .catch((e) => e);
    await control('POST', '/faults', { kind: 'server_error', times: 5 });
    const transient = await client
      .exchangeForLongLivedToken(userToken)
      .catch((e) => e);

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
    for (const secret of [
      userToken,
      pageToken,
      APP_SECRET,
      'EAAsecret-looking-forged-token',
    ]) {
      expect(written).not.toContain(secret);
    }
  });
});

/** Meta leaves out much of what the sandbox sends; these answers are as sparse as Meta's can be. */
describe('MetaGraphClient with sparse answers from Meta', () => {
  let server: Server;
  let client: MetaGraphClient;
  let answers: Record<string, unknown>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answers[path] ?? {}));
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    const { port } = server.address() as AddressInfo;
    client = new MetaGraphClient({
      appId: APP_ID,
      appSecret: APP_SECRET,
      graphUrl: `http://127.0.0.1:${port}/v26.0`,
      oauthDialogUrl: `http://127.0.0.1:${port}/v26.0/dialog/oauth`,
      redirectUri: REDIRECT_URI,
      timeoutMs: 1_000,
      sleep: async () => undefined,
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a debug_token answer for an unparseable token, which carries no app_id or type', async () => {
    answers = {
      '/v26.0/debug_token': {
        data: {
          error: { code: 190, message: 'Invalid OAuth access token.' },
          is_valid: false,
          scopes: [],
        },
      },
    };
    expect(await client.debugToken('EAAgarbage')).toEqual({
      isValid: false,
      appId: '',
      type: undefined,
      userId: '',
      scopes: [],
      expiresAt: null,
    });
  });

  it("keeps the recipient it sent to when Meta's send answer has no recipient_id", async () => {
    answers = { '/v26.0/me/messages': { message_id: 'm_1' } };
    expect(
      await client.sendMessage({
        pageAccessToken: 'EAApage',
        recipientId: ANNA,
        text: 'hi',
      }),
    ).toEqual({ recipientId: ANNA, messageId: 'm_1' });
  });
});
