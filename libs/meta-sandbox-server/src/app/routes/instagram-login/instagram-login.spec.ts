import { createHmac } from 'node:crypto';
import { OAUTH_CALLBACK_PATH } from '@instantchat/meta-platform';
import { startMetaSandbox, type MetaSandbox } from '../../sandbox';
import {
  allowInInstagramLogin,
  graphCaller,
  httpJson,
  type GraphCaller,
} from '../../../testing/sandbox-client';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../../testing/webhook-receiver';

const APP_ID = 'meta-app';
const APP_SECRET = 'meta-app-secret';
const IG_APP_ID = 'ig-app';
const IG_APP_SECRET = 'ig-app-secret';
const REDIRECT = `http://localhost:3000${OAUTH_CALLBACK_PATH}`;
const ACCOUNT = '17841405822304914';
const ACCOUNT_WITHOUT_PAGE = '17841405822304916';
const ANNA = '1914357145407531';
const SCOPES = [
  'instagram_business_basic',
  'instagram_business_manage_messages',
];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('Instagram Login', () => {
  let sandbox: MetaSandbox;
  let receiver: WebhookReceiver;
  let ig: GraphCaller;

  const control = (method: string, path: string, body?: unknown) =>
    httpJson(`${sandbox.url}/_sandbox${path}`, { method, body });
  const consentUrl = (overrides: Record<string, string> = {}) => {
    const url = new URL(sandbox.instagramOAuthUrl);
    const params = {
      client_id: IG_APP_ID,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: SCOPES.join(','),
      state: 'st-ig',
      ...overrides,
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  };
  const allow = (accountId = ACCOUNT, action?: 'allow' | 'cancel') =>
    allowInInstagramLogin(sandbox.instagramOAuthUrl, {
      clientId: IG_APP_ID,
      redirectUri: REDIRECT,
      state: 'st-ig',
      scopes: SCOPES,
      accountId,
      action,
    });
  const exchangeCode = (code: string, overrides: Record<string, string> = {}) =>
    fetch(`${sandbox.instagramApiUrl}/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: IG_APP_ID,
        client_secret: IG_APP_SECRET,
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT,
        code,
        ...overrides,
      }).toString(),
    }).then(async (res) => ({ status: res.status, json: await res.json() }));
  const graphHost = () => sandbox.instagramGraphUrl.replace(/\/v\d+\.0$/, '');
  const longLived = (shortToken: string, secret = IG_APP_SECRET) =>
    httpJson(
      `${graphHost()}/access_token?${new URLSearchParams({
        grant_type: 'ig_exchange_token',
        client_secret: secret,
        access_token: shortToken,
      })}`,
    );
  const refresh = (token: string) =>
    httpJson(
      `${graphHost()}/refresh_access_token?${new URLSearchParams({
        grant_type: 'ig_refresh_token',
        access_token: token,
      })}`,
    );
  /** The whole connect flow up to a long-lived token for one account. */
  const connect = async (accountId = ACCOUNT) => {
    const redirect = await allow(accountId);
    const short = await exchangeCode(redirect.searchParams.get('code') ?? '');
    return (await longLived(short.json.access_token)).json
      .access_token as string;
  };

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    sandbox = await startMetaSandbox({
      appId: APP_ID,
      appSecret: APP_SECRET,
      instagramAppId: IG_APP_ID,
      instagramAppSecret: IG_APP_SECRET,
      redirectUris: [REDIRECT],
      webhookUrl: receiver.url,
      webhookRetryDelaysMs: [10],
    });
    ig = graphCaller(sandbox.instagramGraphUrl, IG_APP_SECRET);
  });
  afterEach(async () => {
    await sandbox.stop();
    await receiver.stop();
  });

  describe('the authorization window', () => {
    it('lists the test professional accounts, one of them without a Page', async () => {
      const res = await fetch(consentUrl());
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toContain('@bluejacket.store');
      expect(html).toContain('@solo.studio');
      expect(html).toContain('no Facebook Page');
      expect(html).toContain('instagram_business_manage_messages');
    });

    it.each([
      ['an unknown app', { client_id: APP_ID }, 'Invalid platform app'],
      [
        'an unregistered redirect URI',
        { redirect_uri: 'https://evil.example/cb' },
        'Invalid redirect_uri',
      ],
      [
        "Facebook Login's scopes",
        { scope: 'instagram_business_basic,instagram_basic' },
        'Invalid scope: instagram_basic',
      ],
      ['a missing response_type', { response_type: 'token' }, 'response_type'],
    ])(
      'shows an error page and no redirect for %s',
      async (_, overrides, text) => {
        const res = await fetch(consentUrl(overrides), { redirect: 'manual' });
        expect(res.status).toBe(400);
        expect(await res.text()).toContain(text);
      },
    );

    it("is the only dialog that takes the instagram_business_* scopes (Facebook's refuses them)", async () => {
      const facebook = new URL(sandbox.oauthDialogUrl);
      facebook.searchParams.set('client_id', APP_ID);
      facebook.searchParams.set('redirect_uri', REDIRECT);
      facebook.searchParams.set('scope', SCOPES.join(','));
      expect((await fetch(facebook)).status).toBe(400);
    });

    it('redirects with a code, the state and Instagram\'s "#_" on allow', async () => {
      const redirect = await allow();
      expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
      expect(redirect.searchParams.get('state')).toBe('st-ig');
      expect(redirect.searchParams.get('code')).toEqual(expect.any(String));
      expect(redirect.hash).toBe('#_');
    });

    it('redirects with access_denied when the person cancels', async () => {
      const redirect = await allow(ACCOUNT, 'cancel');
      expect(Object.fromEntries(redirect.searchParams)).toEqual({
        error: 'access_denied',
        error_reason: 'user_denied',
        error_description: 'The user denied your request',
        state: 'st-ig',
      });
    });
  });

  describe('tokens', () => {
    it('trades a code once for a short-lived IGAA token, flat by default', async () => {
      const code = (await allow()).searchParams.get('code') ?? '';
      const first = await exchangeCode(code);
      expect(first).toEqual({
        status: 200,
        json: {
          access_token: expect.stringMatching(/^IGAA/),
          user_id: ACCOUNT,
          permissions: SCOPES,
        },
      });
      expect(await exchangeCode(code)).toEqual({
        status: 400,
        json: {
          error_type: 'OAuthException',
          code: 400,
          error_message: 'Matching code was not found or was already used',
        },
      });
    });

    it('answers in the {data: [...]} shape when switched to it', async () => {
      await control('PUT', '/instagram-login/token-shape', { shape: 'data' });
      const code = (await allow()).searchParams.get('code') ?? '';
      expect((await exchangeCode(code)).json).toEqual({
        data: [
          {
            access_token: expect.stringMatching(/^IGAA/),
            user_id: ACCOUNT,
            permissions: SCOPES.join(','),
          },
        ],
      });
      expect(
        (await control('PUT', '/instagram-login/token-shape', { shape: 'x' }))
          .status,
      ).toBe(400);
    });

    it.each([
      [{ client_secret: APP_SECRET }, 'Error validating client secret.'],
      [{ client_id: APP_ID }, 'Invalid platform app'],
      [
        { redirect_uri: 'http://127.0.0.1:3000/other' },
        'Error validating verification code',
      ],
      [{ grant_type: 'client_credentials' }, 'Unsupported grant_type'],
      [{ code: '' }, 'Missing required field code'],
    ])('refuses a bad exchange (%o)', async (overrides, message) => {
      const code = (await allow()).searchParams.get('code') ?? '';
      const res = await exchangeCode(code, overrides);
      expect(res.status).toBe(400);
      expect(res.json.error_message).toContain(message);
    });

    it('trades a short-lived token for a 60-day one, with the Instagram app secret only', async () => {
      const code = (await allow()).searchParams.get('code') ?? '';
      const short = (await exchangeCode(code)).json.access_token;
      const wrong = await longLived(short, APP_SECRET);
      expect(wrong.json.error).toMatchObject({
        type: 'IGApiException',
        code: 1,
      });
      const res = await longLived(short);
      expect(res.json).toEqual({
        access_token: expect.stringMatching(/^IGAA/),
        token_type: 'bearer',
        expires_in: 60 * 24 * 60 * 60,
      });
    });

    it('refreshes a long-lived token only once it is 24 hours old, and never after expiry', async () => {
      const token = await connect();
      const early = await refresh(token);
      expect(early.status).toBe(400);
      expect(early.json.error).toMatchObject({
        type: 'IGApiException',
        code: 100,
        message: expect.stringContaining('24 hours'),
      });

      await control('POST', '/tokens/age', {
        accessToken: token,
        byMs: 25 * HOUR,
      });
      const refreshed = await refresh(token);
      expect(refreshed.json).toMatchObject({
        access_token: expect.stringMatching(/^IGAA/),
        expires_in: 60 * 24 * 60 * 60,
      });

      await control('POST', '/tokens/age', {
        accessToken: token,
        byMs: 60 * DAY,
      });
      const late = await refresh(token);
      expect(late.json.error).toMatchObject({
        type: 'IGApiException',
        code: 190,
        error_subcode: 463,
      });
    });

    it('answers #190 typed IGApiException for a revoked or an expired token', async () => {
      const token = await connect();
      const fresh = await ig.get('/me', token, { fields: 'user_id' });
      expect(fresh.status).toBe(200);

      const revoke = await control('POST', '/tokens/revoke', {
        instagramAccountId: ACCOUNT,
      });
      expect(revoke.json.affected).toBeGreaterThan(0);
      expect((await ig.get('/me', token)).json.error).toMatchObject({
        type: 'IGApiException',
        code: 190,
        error_subcode: 458,
      });

      const other = await connect(ACCOUNT_WITHOUT_PAGE);
      await control('POST', '/tokens/age', {
        instagramAccountId: ACCOUNT_WITHOUT_PAGE,
        byMs: 61 * DAY,
      });
      expect((await ig.get('/me', other)).json.error).toMatchObject({
        type: 'IGApiException',
        code: 190,
        error_subcode: 463,
      });
    });

    it('validates the token switches of the control API', async () => {
      expect((await control('POST', '/tokens/age', { byMs: 1 })).status).toBe(
        400,
      );
      expect(
        (
          await control('POST', '/tokens/age', {
            accessToken: 'IGAAnope',
            byMs: 1,
          })
        ).status,
      ).toBe(404);
      expect(
        (await control('POST', '/tokens/revoke', { instagramAccountId: '1' }))
          .status,
      ).toBe(400);
    });

    it("keeps each login method's tokens on its own host", async () => {
      const igToken = await connect();
      const facebook = graphCaller(sandbox.graphUrl, APP_SECRET);
      expect((await facebook.get('/me', igToken)).json.error.code).toBe(190);
      const user = await control('POST', '/tokens', {});
      expect(
        (await ig.get('/me', user.json.access_token)).json.error,
      ).toMatchObject({ type: 'IGApiException', code: 190 });
    });
  });

  describe('graph.instagram.com', () => {
    it('answers /me with the app-scoped id and the user_id webhooks carry', async () => {
      const token = await connect(ACCOUNT_WITHOUT_PAGE);
      const res = await ig.get('/me', token, {
        fields: 'user_id,username,name,profile_picture_url',
      });
      expect(res.json).toEqual({
        id: '26245815432100003',
        user_id: ACCOUNT_WITHOUT_PAGE,
        username: 'solo.studio',
        name: 'Solo Studio',
        profile_picture_url: expect.stringMatching(/^https:/),
      });
      expect(
        (await ig.get('/me', token, { fields: 'gossip' })).json.error,
      ).toMatchObject({ type: 'IGApiException', code: 100 });
    });

    it('serves any vNN.0 prefix and answers unknown paths with IGApiException', async () => {
      const token = await connect();
      const older = graphCaller(
        sandbox.instagramGraphUrl.replace(/v\d+\.0$/, 'v24.0'),
        IG_APP_SECRET,
      );
      expect(
        (await older.get('/me', token, { fields: 'user_id' })).json,
      ).toEqual({
        user_id: ACCOUNT,
        id: '26245815432100001',
      });
      expect(
        (await ig.get('/me/impressions/day', token)).json.error,
      ).toMatchObject({ type: 'IGApiException', code: 2500 });
    });

    it("subscribes with Instagram's field names and refuses the Page's", async () => {
      const token = await connect();
      const pageNames = await ig.post('/me/subscribed_apps', token, undefined, {
        subscribed_fields: 'messages,message_reads',
      });
      expect(pageNames.json.error).toMatchObject({
        type: 'IGApiException',
        code: 100,
        message: expect.stringMatching(
          /^\(#100\) Param subscribed_fields\[1\] must be one of \{messages, .*messaging_seen.*\} - got message_reads$/,
        ),
      });
      const ok = await ig.post('/me/subscribed_apps', token, undefined, {
        subscribed_fields: 'messages,messaging_seen',
      });
      expect(ok.json).toEqual({ success: true });
      expect((await ig.get('/me/subscribed_apps', token)).json).toEqual({
        data: [
          {
            id: IG_APP_ID,
            name: 'InstantChat',
            subscribed_fields: ['messages', 'messaging_seen'],
          },
        ],
      });
      expect((await ig.del('/me/subscribed_apps', token)).json).toEqual({
        success: true,
      });
      expect((await ig.get('/me/subscribed_apps', token)).json).toEqual({
        data: [],
      });
    });

    it('delivers webhooks of a subscribed account signed with the Instagram app secret, keyed by user_id', async () => {
      const token = await connect(ACCOUNT_WITHOUT_PAGE);
      const before = await control('POST', '/events', {
        type: 'text',
        user: ANNA,
        account: ACCOUNT_WITHOUT_PAGE,
        text: 'hello?',
      });
      expect(before.json.deliveries[0]).toMatchObject({
        state: 'skipped',
        reason: expect.stringContaining('not subscribed'),
      });

      await ig.post('/me/subscribed_apps', token, undefined, {
        subscribed_fields: 'messages',
      });
      await control('POST', '/events', {
        type: 'text',
        user: ANNA,
        account: ACCOUNT_WITHOUT_PAGE,
        text: 'Do you ship abroad?',
      });
      await sandbox.webhooks.whenIdle();
      expect(receiver.received).toHaveLength(1);
      const [delivery] = receiver.received;
      expect(delivery.headers['x-hub-signature-256']).toBe(
        `sha256=${createHmac('sha256', IG_APP_SECRET).update(delivery.body).digest('hex')}`,
      );
      const body = JSON.parse(delivery.body);
      expect(body.object).toBe('instagram');
      expect(body.entry[0].id).toBe(ACCOUNT_WITHOUT_PAGE);
      expect(body.entry[0].messaging[0].message.text).toBe(
        'Do you ship abroad?',
      );
    });

    it('sends through /me/messages with the Instagram token, only as its own account', async () => {
      const token = await connect(ACCOUNT_WITHOUT_PAGE);
      await control('POST', '/events', {
        type: 'text',
        user: ANNA,
        account: ACCOUNT_WITHOUT_PAGE,
        text: 'hi',
      });
      const sent = await ig.post('/me/messages', token, {
        recipient: { id: ANNA },
        message: { text: 'Yes, worldwide!' },
      });
      expect(sent.json).toEqual({
        recipient_id: ANNA,
        message_id: expect.any(String),
      });
      const asOther = await ig.post(`/${ACCOUNT}/messages`, token, {
        recipient: { id: ANNA },
        message: { text: 'not mine' },
      });
      expect(asOther.json.error).toMatchObject({
        type: 'IGApiException',
        code: 100,
        error_subcode: 33,
      });
      const log = await control(
        'GET',
        `/sent-messages?account=${ACCOUNT_WITHOUT_PAGE}`,
      );
      expect(log.json.data.map((r: { status: number }) => r.status)).toEqual([
        200,
      ]);

      await control('POST', '/clock', { advanceMs: 25 * HOUR });
      expect(
        (
          await ig.post('/me/messages', token, {
            recipient: { id: ANNA },
            message: { text: 'late' },
          })
        ).json.error,
      ).toMatchObject({ code: 10, error_subcode: 2534022 });
    });
  });
});
