import { createHmac } from 'node:crypto';
import { startMetaSandbox, type MetaSandbox } from '../sandbox';
import {
  allowInInstagramLogin,
  graphCaller,
  httpJson,
} from '../../testing/sandbox-client';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../testing/webhook-receiver';
import { buildWebhookPayload } from './webhook-payloads';
import { signWebhookBody, WebhookSender } from './webhook-sender';

const APP_SECRET = 'test-app-secret';
const ACCOUNT = '17841405822304914';
const PAGE = '109876543210001';
const ANNA = '1914357145407531';
const BEN = '2045678901234567';
const IG_APP_ID = 'test-instagram-app';
const IG_APP_SECRET = 'test-instagram-app-secret';
const REDIRECT = 'http://localhost:3000/callback';

describe('WebhookSender', () => {
  let receiver: WebhookReceiver;
  let sender: WebhookSender | undefined;

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    sender?.stop();
    await receiver.stop();
  });

  const payload = () =>
    buildWebhookPayload(
      [
        {
          instagramAccountId: ACCOUNT,
          event: {
            sender: { id: ANNA },
            recipient: { id: ACCOUNT },
            timestamp: 1,
            message: { mid: 'm1', text: 'héllo' },
          },
        },
      ],
      2,
    );

  it('signs the exact bytes it sends with HMAC-SHA256 of the app secret', async () => {
    sender = new WebhookSender({
      instagramAppSecret: 'instagram-app-secret',
      appSecret: APP_SECRET,
      callbackUrl: receiver.url,
    });
    sender.send(payload());
    const [request] = await receiver.waitFor(1);
    const expected = createHmac('sha256', APP_SECRET)
      .update(Buffer.from(request.body, 'utf8'))
      .digest('hex');
    expect(request.headers['x-hub-signature-256']).toBe(`sha256=${expected}`);
    expect(request.headers['x-hub-signature']).toBe(
      `sha1=${createHmac('sha1', APP_SECRET).update(request.body).digest('hex')}`,
    );
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual(payload());
    expect(signWebhookBody(request.body, 'another-secret').sha256).not.toBe(
      request.headers['x-hub-signature-256'],
    );
  });

  it('names the Graph API version of the subscription in Facebook-API-Version', async () => {
    sender = new WebhookSender({
      instagramAppSecret: 'instagram-app-secret',
      appSecret: APP_SECRET,
      callbackUrl: receiver.url,
      apiVersion: 'v25.0',
    });
    sender.send(payload());
    const [request] = await receiver.waitFor(1);
    expect(request.headers['facebook-api-version']).toBe('v25.0');
    expect(request.headers['user-agent']).toBe('facebookexternalua');
  });

  it('escapes non-ASCII characters as Meta does, so only the raw bytes verify', async () => {
    sender = new WebhookSender({
      instagramAppSecret: 'instagram-app-secret',
      appSecret: APP_SECRET,
      callbackUrl: receiver.url,
    });
    sender.send(payload());
    const [request] = await receiver.waitFor(1);
    expect(request.body).toContain('"h\\u00e9llo"');
    expect(request.body).not.toContain('é');
    const reserialised = JSON.stringify(JSON.parse(request.body));
    expect(signWebhookBody(reserialised, APP_SECRET).sha256).not.toBe(
      request.headers['x-hub-signature-256'],
    );
    expect(signWebhookBody(request.body, APP_SECRET).sha256).toBe(
      request.headers['x-hub-signature-256'],
    );
  });

  it('retries a failed delivery with the same body until the callback accepts it', async () => {
    receiver.respondWith(500, 503, 200);
    sender = new WebhookSender({
      instagramAppSecret: 'instagram-app-secret',
      appSecret: APP_SECRET,
      callbackUrl: receiver.url,
      retryDelaysMs: [10, 20, 40],
    });
    const delivery = sender.send(payload());
    await sender.whenIdle();
    expect(delivery.state).toBe('delivered');
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 503, 200]);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(
      new Set(receiver.received.map((r) => r.headers['x-hub-signature-256']))
        .size,
    ).toBe(1);
  });

  it('gives up after the configured retries and says why', async () => {
    receiver.respondWith(500);
    sender = new WebhookSender({
      instagramAppSecret: 'instagram-app-secret',
      appSecret: APP_SECRET,
      callbackUrl: receiver.url,
      retryDelaysMs: [5, 5],
    });
    const delivery = sender.send(payload());
    await sender.whenIdle();
    expect(delivery.state).toBe('failed');
    expect(delivery.attempts).toHaveLength(3);
    expect(delivery.reason).toContain('HTTP 500');
  });

  it('treats a callback slower than the timeout as a failed attempt', async () => {
    receiver.delayAnswers(300);
    sender = new WebhookSender({
      instagramAppSecret: 'instagram-app-secret',
      appSecret: APP_SECRET,
      callbackUrl: receiver.url,
      retryDelaysMs: [],
      timeoutMs: 50,
    });
    const delivery = sender.send(payload());
    await sender.whenIdle();
    expect(delivery.state).toBe('failed');
    expect(delivery.attempts[0].error).toMatch(/Timed out/);
  });

  it('retries when the callback cannot be reached at all', async () => {
    await receiver.stop();
    sender = new WebhookSender({
      instagramAppSecret: 'instagram-app-secret',
      appSecret: APP_SECRET,
      callbackUrl: receiver.url,
      retryDelaysMs: [5],
    });
    const delivery = sender.send(payload());
    await sender.whenIdle();
    expect(delivery.attempts).toHaveLength(2);
    expect(delivery.attempts[0].error).toMatch(/ECONNREFUSED|fetch failed/);
    receiver = await startWebhookReceiver();
  });

  it('records a delivery as skipped when no callback URL is configured', () => {
    sender = new WebhookSender({
      instagramAppSecret: 'instagram-app-secret',
      appSecret: APP_SECRET,
    });
    const delivery = sender.send(payload());
    expect(delivery.state).toBe('skipped');
    expect(delivery.reason).toMatch(/callback URL/);
  });
});

describe('events sent through the control API', () => {
  let sandbox: MetaSandbox;
  let receiver: WebhookReceiver;
  const control = (method: string, path: string, body?: unknown) =>
    httpJson(`${sandbox.url}/_sandbox${path}`, { method, body });

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    sandbox = await startMetaSandbox({
      appId: 'app',
      appSecret: APP_SECRET,
      instagramAppId: IG_APP_ID,
      instagramAppSecret: IG_APP_SECRET,
      redirectUris: [REDIRECT],
      webhookUrl: receiver.url,
      webhookRetryDelaysMs: [10],
    });
  });
  afterEach(async () => {
    await sandbox.stop();
    await receiver.stop();
  });

  /** A short-lived Instagram Login token for the account, through the window and the code exchange. */
  async function instagramLoginToken(accountId: string): Promise<string> {
    const redirect = await allowInInstagramLogin(sandbox.instagramOAuthUrl, {
      clientId: IG_APP_ID,
      redirectUri: REDIRECT,
      state: 's',
      scopes: ['instagram_business_basic'],
      accountId,
    });
    const res = await fetch(`${sandbox.instagramApiUrl}/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: IG_APP_ID,
        client_secret: IG_APP_SECRET,
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT,
        code: redirect.searchParams.get('code') ?? '',
      }).toString(),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async function subscribe(fields: string) {
    const user = await control('POST', '/tokens', { pageIds: [PAGE] });
    const graph = graphCaller(sandbox.graphUrl, APP_SECRET);
    const pages = await graph.get('/me/accounts', user.json.access_token);
    const res = await graph.post(
      `/${PAGE}/subscribed_apps`,
      pages.json.data[0].access_token,
      undefined,
      { subscribed_fields: fields },
    );
    // A refused field list would leave the Page unsubscribed and the test proving nothing.
    expect(res.json).toEqual({ success: true });
  }

  it('does not deliver before the app is subscribed to the Page, and says so', async () => {
    const res = await control('POST', '/events', {
      type: 'text',
      user: ANNA,
      text: 'hi',
    });
    expect(res.status).toBe(202);
    expect(res.json.deliveries[0]).toMatchObject({
      state: 'skipped',
      reason: expect.stringContaining('not subscribed'),
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('delivers only the Instagram fields chosen at app level, whatever the Page fields', async () => {
    await subscribe('messages,message_reads');
    const fields = await control('PUT', '/webhooks/instagram-fields', {
      fields: ['messages'],
    });
    expect(fields.status).toBe(200);
    const sent = await control('POST', '/events', {
      type: 'text',
      user: ANNA,
      text: 'hi',
    });
    const read = await control('POST', '/events', {
      type: 'read',
      user: ANNA,
      mid: sent.json.events[0].mid,
    });
    expect(sent.json.deliveries[0].state).toBe('pending');
    expect(read.json.deliveries[0]).toMatchObject({
      state: 'skipped',
      reason: expect.stringContaining('messaging_seen'),
    });
  });

  it('batches several events into one POST and skips those of an unsubscribed Page', async () => {
    await subscribe('messages');
    const res = await control('POST', '/events', {
      batch: true,
      events: [
        { type: 'text', user: ANNA, text: 'first' },
        { type: 'text', user: BEN, text: 'second' },
        {
          type: 'text',
          user: ANNA,
          text: 'third',
          account: '17841405822304915',
        },
      ],
    });
    expect(res.json.deliveries).toEqual([
      { id: expect.any(Number), state: 'pending' },
      {
        id: expect.any(Number),
        state: 'skipped',
        reason: expect.stringContaining('17841405822304915'),
      },
    ]);
    await sandbox.webhooks.whenIdle();
    expect(receiver.received).toHaveLength(1);
    const body = JSON.parse(receiver.received[0].body);
    expect(body.object).toBe('instagram');
    expect(
      body.entry.map((e: { id: string; messaging: unknown[] }) => [
        e.id,
        e.messaging.length,
      ]),
    ).toEqual([[ACCOUNT, 2]]);
  });

  it('delivers along each subscription of the account: the Page (Meta app secret) and Instagram Login (Instagram app secret)', async () => {
    await subscribe('messages');
    const igToken = await instagramLoginToken(ACCOUNT);
    await graphCaller(sandbox.instagramGraphUrl, IG_APP_SECRET).post(
      '/me/subscribed_apps',
      igToken,
      undefined,
      { subscribed_fields: 'messages' },
    );
    await control('POST', '/events', { type: 'text', user: ANNA, text: 'hi' });
    await sandbox.webhooks.whenIdle();
    expect(receiver.received).toHaveLength(2);
    const secretOf = (body: string, signature: unknown) =>
      [APP_SECRET, IG_APP_SECRET].find(
        (secret) =>
          signature ===
          `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      );
    expect(
      receiver.received
        .map((r) => secretOf(r.body, r.headers['x-hub-signature-256']))
        .sort(),
    ).toEqual([IG_APP_SECRET, APP_SECRET].sort());
    expect(
      (await control('GET', '/webhooks/deliveries')).json.data.map(
        (d: { signedBy: string }) => d.signedBy,
      ),
    ).toEqual(['meta_app', 'instagram_app']);
  });

  it('validates the app-level Instagram fields', async () => {
    for (const fields of [undefined, 'messages', ['messages', 'message_reads']])
      expect(
        (await control('PUT', '/webhooks/instagram-fields', { fields })).status,
      ).toBe(400);
  });

  it.each([
    [{ type: 'flood', user: ANNA }, 'type must be one of'],
    [{ type: 'text', text: 'hi' }, 'user'],
    [{ type: 'text', user: '123456789' }, 'Unknown Instagram user'],
    [{ type: 'text', user: ANNA }, 'text is required'],
    [{ type: 'reaction', user: ANNA, mid: 'nope' }, 'No message nope'],
    [
      { type: 'text', user: ANNA, text: 'hi', account: '1' },
      'Unknown Instagram professional account',
    ],
  ])(
    'rejects a bad event %j with 400 and a message',
    async (event, message) => {
      const res = await control('POST', '/events', event);
      expect(res.status).toBe(400);
      expect(res.json.message).toContain(message);
    },
  );

  it('lets a person edit and unsend only their own messages', async () => {
    await subscribe('messages,message_edits');
    const mine = await control('POST', '/events', {
      type: 'text',
      user: ANNA,
      text: 'Size M',
    });
    const mid = mine.json.events[0].mid;
    const edit = await control('POST', '/events', {
      type: 'edit',
      user: ANNA,
      mid,
      text: 'Size L',
    });
    expect(edit.json.events[0].event.message_edit).toEqual({
      mid,
      text: 'Size L',
      num_edit: 1,
    });
    const echo = await control('POST', '/events', {
      type: 'echo',
      user: ANNA,
      text: 'From the app',
    });
    const res = await control('POST', '/events', {
      type: 'unsend',
      user: ANNA,
      mid: echo.json.events[0].mid,
    });
    expect(res.status).toBe(400);
  });
});
