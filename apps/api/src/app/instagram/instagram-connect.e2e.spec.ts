import type {
  AuthResponseDto,
  InstagramLoginMethod,
  InstagramStatusDto,
} from '@instantchat/contracts';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createTestApp, type TestApp } from '../testing/test-app';
import {
  connectSocket,
  nextEvent,
  type TestSocket,
} from '../realtime/testing/socket-client';
import {
  BLUE_JACKET,
  CALLBACK_PATH,
  CLIENT_URL,
  CORNER_BAKERY,
  type InstagramTestEnv,
  PAGE_WITHOUT_INSTAGRAM,
  SANDBOX_IG_APP_ID,
  SOLO_STUDIO,
  startInstagramTestEnv,
} from './testing/instagram-test-env';

describe('Connecting Instagram (e2e, against the Meta sandbox)', () => {
  let env: InstagramTestEnv;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    env = await startInstagramTestEnv();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await env?.close();
  });
  beforeEach(async () => {
    await env.control('POST', '/reset');
    // The sandbox has two professional accounts; every test starts with both free.
    await env.database().collection('instagramusers').deleteMany({});
  });

  const api = () => request(env.testApp.http);
  const status = async (user: AuthResponseDto) => {
    const response = await api()
      .get('/api/instagram/status')
      .set('Authorization', `Bearer ${user.accessToken}`)
      .expect(200);
    return response.body as InstagramStatusDto;
  };
  const connectedTo = (username: string) =>
    `${CLIENT_URL}/instagram?status=connected&account=${username}`;
  const failedWith = (reason: string) =>
    `${CLIENT_URL}/instagram?status=error&reason=${reason}`;
  const startFlow = async (
    user: AuthResponseDto,
    method: InstagramLoginMethod = 'facebook',
  ) => {
    const response = await env.startConnect(user, method);
    expect(response.status).toBe(200);
    return new URL((response.body as { url: string }).url);
  };
  const callbackUrl = (params: Record<string, string>) => {
    const url = new URL(CALLBACK_PATH, env.testApp.url);
    for (const [key, value] of Object.entries(params))
      url.searchParams.set(key, value);
    return url;
  };
  /** Plays Meta's dialog for a flow the test started, without opening the callback yet. */
  const approveInDialog = async (authorization: URL, pageId: string) => {
    const approved = await fetch(
      `${env.sandbox.graphUrl}/dialog/oauth/confirm`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          ...Object.fromEntries(authorization.searchParams),
          page_id: pageId,
          action: 'approve',
        }).toString(),
        redirect: 'manual',
      },
    );
    return approved.headers.get('location') as string;
  };
  const storedConnections = () =>
    env.database().collection('instagramusers').find({}).toArray();

  const DAY_MS = 24 * 60 * 60 * 1000;
  const sandboxAccount = async (accountId: string) => {
    const state = (await env.control('GET', '/state')).json as {
      instagramAccounts: {
        id: string;
        instagramLoginSubscribedFields: string[] | null;
      }[];
    };
    return state.instagramAccounts.find((a) => a.id === accountId);
  };

  describe('with Instagram Login (the default method)', () => {
    it('connects a professional account without a Page end to end and tells the owner’s sockets', async () => {
      const owner = await env.testApp.register();
      const socket = await connectSocket(env.testApp.url, owner.accessToken);
      sockets.push(socket);
      const announced = nextEvent(socket, 'instagram:status');

      const run = await env.connectInBrowser(owner, {
        choose: { account_id: SOLO_STUDIO.accountId },
      });

      expect(run.landing.toString()).toBe(connectedTo(SOLO_STUDIO.username));
      const authorization = new URL(run.authorizationUrl);
      expect(authorization.origin + authorization.pathname).toBe(
        env.sandbox.instagramOAuthUrl,
      );
      expect(authorization.searchParams.get('client_id')).toBe(
        SANDBOX_IG_APP_ID,
      );
      expect(authorization.searchParams.get('scope')).toContain(
        'instagram_business_manage_messages',
      );
      const { connected, accounts } = await status(owner);
      expect(connected).toBe(true);
      expect(accounts).toEqual([
        {
          id: SOLO_STUDIO.accountId,
          username: SOLO_STUDIO.username,
          name: 'Solo Studio',
          pictureUrl: expect.stringMatching(/^https:\/\//),
          method: 'instagram',
          tokenExpiresAt: expect.any(String),
          daysLeft: 59,
          webhookSubscribed: true,
          state: 'connected',
        },
      ]);
      // A 60-day token, not the one-hour one the code gave.
      const expiresIn =
        Date.parse(accounts[0].tokenExpiresAt as string) - Date.now();
      expect(expiresIn).toBeGreaterThan(59 * DAY_MS);
      expect(await announced).toMatchObject({
        connected: true,
        account: { id: SOLO_STUDIO.accountId, method: 'instagram' },
      });
      expect(
        (await sandboxAccount(SOLO_STUDIO.accountId))
          ?.instagramLoginSubscribedFields,
      ).toEqual(expect.arrayContaining(['messages']));
      const [stored] = await storedConnections();
      expect(stored['scopes']).toEqual(
        expect.arrayContaining([
          'instagram_business_basic',
          'instagram_business_manage_messages',
        ]),
      );
    });

    it('holds one account by each method for the same user', async () => {
      const owner = await env.testApp.register();
      await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      await env.connectInBrowser(owner, {
        method: 'instagram',
        choose: { account_id: SOLO_STUDIO.accountId },
      });
      expect(
        (await status(owner)).accounts.map((a) => [a.username, a.method]),
      ).toEqual([
        [BLUE_JACKET.username, 'facebook'],
        [SOLO_STUDIO.username, 'instagram'],
      ]);
    });

    it('refuses an account someone connected with Facebook Login, whichever method the second person uses', async () => {
      const first = await env.testApp.register();
      const second = await env.testApp.register();
      await env.connectInBrowser(first, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      const run = await env.connectInBrowser(second, {
        method: 'instagram',
        choose: { account_id: BLUE_JACKET.accountId },
      });
      expect(run.landing.toString()).toBe(failedWith('already_connected'));
      expect(
        (await sandboxAccount(BLUE_JACKET.accountId))
          ?.instagramLoginSubscribedFields,
      ).toBeNull();
    });

    it('reports a cancelled authorization as denied', async () => {
      const owner = await env.testApp.register();
      const run = await env.connectInBrowser(owner, {
        choose: { account_id: SOLO_STUDIO.accountId },
        action: 'cancel',
      });
      expect(run.landing.toString()).toBe(failedWith('denied'));
      expect(await storedConnections()).toEqual([]);
    });

    it('answers a code Instagram already redeemed with code_invalid', async () => {
      const owner = await env.testApp.register();
      const first = await env.connectInBrowser(owner, {
        choose: { account_id: SOLO_STUDIO.accountId },
      });
      const usedCode = first.callbackUrl.searchParams.get('code') as string;
      const freshState = (await startFlow(owner, 'instagram')).searchParams.get(
        'state',
      ) as string;
      const landing = await env.openCallback(
        callbackUrl({ code: usedCode, state: freshState }),
      );
      expect(landing.toString()).toBe(failedWith('code_invalid'));
    });

    it('stores nothing when Instagram fails after the code was redeemed, and a fresh attempt works', async () => {
      const owner = await env.testApp.register();
      await env.control('POST', '/faults', {
        kind: 'server_error',
        path: '/graph.instagram.com/access_token',
        times: 5,
      });
      const failed = await env.connectInBrowser(owner, {
        choose: { account_id: SOLO_STUDIO.accountId },
      });
      expect(failed.landing.toString()).toBe(failedWith('meta_unavailable'));
      expect(await storedConnections()).toEqual([]);

      await env.control('DELETE', '/faults');
      const retried = await env.connectInBrowser(owner, {
        choose: { account_id: SOLO_STUDIO.accountId },
      });
      expect(retried.landing.toString()).toBe(
        connectedTo(SOLO_STUDIO.username),
      );
    });

    it('answers the same callback opened twice with state_used', async () => {
      const owner = await env.testApp.register();
      const run = await env.connectInBrowser(owner, {
        choose: { account_id: SOLO_STUDIO.accountId },
      });
      expect((await env.openCallback(run.callbackUrl)).toString()).toBe(
        failedWith('state_used'),
      );
      expect((await status(owner)).accounts).toMatchObject([
        { id: SOLO_STUDIO.accountId, state: 'connected' },
      ]);
    });
  });

  describe('with Facebook Login', () => {
    it('connects the Page’s Instagram account end to end and tells the owner’s sockets', async () => {
      const owner = await env.testApp.register();
      const socket = await connectSocket(env.testApp.url, owner.accessToken);
      sockets.push(socket);
      const announced = nextEvent(socket, 'instagram:status');

      const run = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });

      expect(run.landing.toString()).toBe(connectedTo(BLUE_JACKET.username));
      const authorization = new URL(run.authorizationUrl);
      expect(authorization.origin + authorization.pathname).toBe(
        env.sandbox.oauthDialogUrl,
      );
      expect(await status(owner)).toEqual({
        connected: true,
        loginMethods: ['instagram', 'facebook'],
        accounts: [
          {
            id: BLUE_JACKET.accountId,
            username: BLUE_JACKET.username,
            name: 'Blue Jacket Store',
            pictureUrl: expect.stringMatching(/^https:\/\//),
            method: 'facebook',
            pageId: BLUE_JACKET.pageId,
            pageName: 'Blue Jacket Store',
            tokenExpiresAt: null,
            daysLeft: null,
            webhookSubscribed: true,
            state: 'connected',
          },
        ],
      });
      expect(await announced).toMatchObject({
        connected: true,
        instagramUsername: BLUE_JACKET.username,
        account: { id: BLUE_JACKET.accountId, state: 'connected' },
      });
      // Meta now delivers the Page's messages.
      const sandboxState = (await env.control('GET', '/state')).json as {
        pages: { id: string; subscribedFields: string[] | null }[];
      };
      expect(
        sandboxState.pages.find((p) => p.id === BLUE_JACKET.pageId)
          ?.subscribedFields,
      ).toEqual(expect.arrayContaining(['messages']));
    });

    it('stores the token sealed, never in plain text, and the state only as a hash', async () => {
      const owner = await env.testApp.register();
      const run = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      expect(run.landing.searchParams.get('status')).toBe('connected');

      const [stored] = await storedConnections();
      expect(stored['accessToken']).toEqual({
        keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
        iv: expect.any(String),
        tag: expect.any(String),
        ciphertext: expect.any(String),
      });
      const raw = JSON.stringify(stored);
      const tokens = env.issuedTokens();
      expect(tokens.length).toBeGreaterThan(0);
      for (const token of tokens) expect(raw).not.toContain(token);

      const state = new URL(run.authorizationUrl).searchParams.get(
        'state',
      ) as string;
      const states = await env
        .database()
        .collection('oauthstates')
        .find({})
        .toArray();
      expect(JSON.stringify(states)).not.toContain(state);
    });

    it('connects a second account for the same user beside the first', async () => {
      const owner = await env.testApp.register();
      for (const page of [BLUE_JACKET, CORNER_BAKERY]) {
        const run = await env.connectInBrowser(owner, {
          method: 'facebook',
          choose: { page_id: page.pageId },
        });
        expect(run.landing.toString()).toBe(connectedTo(page.username));
      }
      const { connected, accounts } = await status(owner);
      expect(connected).toBe(true);
      expect(accounts.map((a) => [a.id, a.state])).toEqual([
        [BLUE_JACKET.accountId, 'connected'],
        [CORNER_BAKERY.accountId, 'connected'],
      ]);
    });

    it('reconnecting the same account updates its one connection', async () => {
      const owner = await env.testApp.register();
      for (let i = 0; i < 2; i++) {
        const run = await env.connectInBrowser(owner, {
          method: 'facebook',
          choose: { page_id: BLUE_JACKET.pageId },
        });
        expect(run.landing.toString()).toBe(connectedTo(BLUE_JACKET.username));
      }
      expect((await status(owner)).accounts).toHaveLength(1);
      expect(await storedConnections()).toHaveLength(1);
    });

    it('keeps one connection when the same user completes two flows for one account at once', async () => {
      const owner = await env.testApp.register();
      const callbacks = [
        await approveInDialog(await startFlow(owner), BLUE_JACKET.pageId),
        await approveInDialog(await startFlow(owner), BLUE_JACKET.pageId),
      ];
      const landings = await Promise.all(
        callbacks.map((url) => env.openCallback(url)),
      );
      expect(landings.map(String)).toEqual([
        connectedTo(BLUE_JACKET.username),
        connectedTo(BLUE_JACKET.username),
      ]);
      expect(await storedConnections()).toHaveLength(1);
    });

    it('refuses an account another user already connected, leaving theirs intact', async () => {
      const first = await env.testApp.register();
      const second = await env.testApp.register();
      await env.connectInBrowser(first, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });

      const run = await env.connectInBrowser(second, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });

      expect(run.landing.toString()).toBe(failedWith('already_connected'));
      expect(await status(second)).toEqual({
        connected: false,
        loginMethods: ['instagram', 'facebook'],
        accounts: [],
      });
      expect((await status(first)).accounts).toMatchObject([
        { id: BLUE_JACKET.accountId, state: 'connected' },
      ]);
    });

    it('reports a Page without a linked Instagram account as no_page', async () => {
      const owner = await env.testApp.register();
      const run = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: PAGE_WITHOUT_INSTAGRAM },
      });
      expect(run.landing.toString()).toBe(failedWith('no_page'));
      expect(await storedConnections()).toEqual([]);
    });
  });

  describe('when the person or Meta says no', () => {
    it('reports a cancelled consent as denied and stores nothing', async () => {
      const owner = await env.testApp.register();
      const run = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
        action: 'cancel',
      });
      expect(run.callbackUrl.searchParams.get('error')).toBe('access_denied');
      expect(run.landing.toString()).toBe(failedWith('denied'));
      expect(await storedConnections()).toEqual([]);
    });

    it('stores nothing when Meta fails mid-callback, and a fresh attempt then works', async () => {
      const owner = await env.testApp.register();
      // More failures than the client's retries: the Page list never arrives.
      await env.control('POST', '/faults', {
        kind: 'server_error',
        path: '/me/accounts',
        times: 5,
      });

      const failed = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      expect(failed.landing.toString()).toBe(failedWith('meta_unavailable'));
      expect(await storedConnections()).toEqual([]);
      expect(await status(owner)).toEqual({
        connected: false,
        loginMethods: ['instagram', 'facebook'],
        accounts: [],
      });

      await env.control('DELETE', '/faults');
      const retried = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      expect(retried.landing.toString()).toBe(
        connectedTo(BLUE_JACKET.username),
      );
    });

    it('stores nothing when subscribing the Page fails', async () => {
      const owner = await env.testApp.register();
      await env.control('POST', '/faults', {
        kind: 'server_error',
        path: '/subscribed_apps',
        times: 5,
      });
      const run = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      expect(run.landing.toString()).toBe(failedWith('meta_unavailable'));
      expect(await storedConnections()).toEqual([]);
    });

    it('reports a refused permission as meta_error', async () => {
      const owner = await env.testApp.register();
      await env.control('POST', '/faults', {
        kind: 'permission',
        path: '/me/accounts',
      });
      const run = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      expect(run.landing.toString()).toBe(failedWith('meta_error'));
    });
  });

  describe('the state and the code', () => {
    it('answers a forged state with state_invalid', async () => {
      const landing = await env.openCallback(
        callbackUrl({
          code: 'AQDforged',
          state: randomBytes(32).toString('base64url'),
        }),
      );
      expect(landing.toString()).toBe(failedWith('state_invalid'));
    });

    it.each([
      ['no state', { code: 'AQDsome-code' }],
      ['a malformed state', { code: 'AQDsome-code', state: '../../etc' }],
      ['nothing at all', {}],
    ])('answers %s with state_invalid', async (_label, params) => {
      const landing = await env.openCallback(callbackUrl(params));
      expect(landing.toString()).toBe(failedWith('state_invalid'));
    });

    it('completes a flow only in the browser that started it (login CSRF)', async () => {
      // An attacker starts a flow on their own account and sends the consent URL to a victim, who
      // approves it with the victim's Instagram: the victim's browser has no binding cookie.
      const attacker = await env.testApp.register();
      const authorization = await startFlow(attacker);
      const callback = await approveInDialog(authorization, BLUE_JACKET.pageId);
      const landing = await env.openCallback(callback, { browser: 'another' });
      expect(landing.toString()).toBe(failedWith('state_invalid'));
      expect(await status(attacker)).toMatchObject({ connected: false });
      expect(await storedConnections()).toHaveLength(0);
    });

    it('sets the binding cookie HttpOnly, SameSite=Lax and scoped to the connect paths', async () => {
      const owner = await env.testApp.register();
      const { setCookie } = await env.startConnect(owner);
      expect(setCookie).toHaveLength(1);
      expect(setCookie[0]).toMatch(/^instantchat_oauth_browser=[\w-]{43};/);
      expect(setCookie[0]).toContain('Path=/api/instagram/auth;');
      expect(setCookie[0]).toContain('HttpOnly');
      expect(setCookie[0]).toContain('SameSite=Lax');
      expect(setCookie[0]).toMatch(/Max-Age=600\b/);
      // Plain HTTP here; PUBLIC_URL on https adds Secure.
      expect(setCookie[0]).not.toContain('Secure');
    });

    it('keeps one browser key for several flows, so two tabs can both finish', async () => {
      const owner = await env.testApp.register();
      const first = await env.startConnect(owner);
      const second = await env.startConnect(owner);
      expect(second.setCookie[0]?.split(';')[0]).toBe(
        first.setCookie[0]?.split(';')[0],
      );
    });

    it('treats a repeated state parameter as no state', async () => {
      const owner = await env.testApp.register();
      const state = (await startFlow(owner)).searchParams.get(
        'state',
      ) as string;
      const url = callbackUrl({ code: 'AQDx' });
      url.searchParams.append('state', state);
      url.searchParams.append('state', state);
      expect((await env.openCallback(url)).toString()).toBe(
        failedWith('state_invalid'),
      );
    });

    it('answers a state older than 10 minutes with state_expired and stores nothing', async () => {
      const owner = await env.testApp.register();
      const authorization = await startFlow(owner);
      // Ten minutes pass while the person is in Meta's dialog.
      await env
        .database()
        .collection('oauthstates')
        .updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      const landing = await env.openCallback(
        await approveInDialog(authorization, BLUE_JACKET.pageId),
      );
      expect(landing.toString()).toBe(failedWith('state_expired'));
      expect(await storedConnections()).toEqual([]);
    });

    it('answers the same callback opened twice with state_used, keeping the first connection', async () => {
      const owner = await env.testApp.register();
      const run = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      expect(run.landing.toString()).toBe(connectedTo(BLUE_JACKET.username));
      const before = await storedConnections();

      const replay = await env.openCallback(run.callbackUrl);

      expect(replay.toString()).toBe(failedWith('state_used'));
      expect(await storedConnections()).toEqual(before);
      expect((await status(owner)).accounts).toMatchObject([
        { id: BLUE_JACKET.accountId, state: 'connected' },
      ]);
    });

    it('lets only one of two simultaneous openings of a callback through', async () => {
      const owner = await env.testApp.register();
      const callback = await approveInDialog(
        await startFlow(owner),
        BLUE_JACKET.pageId,
      );
      const landings = await Promise.all([
        env.openCallback(callback),
        env.openCallback(callback),
      ]);
      expect(landings.map((l) => l.searchParams.get('status')).sort()).toEqual([
        'connected',
        'error',
      ]);
      expect(
        landings.map((l) => l.searchParams.get('reason')).filter(Boolean),
      ).toEqual(['state_used']);
    });

    it('answers a code Meta already redeemed with code_invalid', async () => {
      const owner = await env.testApp.register();
      const first = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      const usedCode = first.callbackUrl.searchParams.get('code') as string;
      const freshState = (await startFlow(owner)).searchParams.get(
        'state',
      ) as string;

      const landing = await env.openCallback(
        callbackUrl({ code: usedCode, state: freshState }),
      );

      expect(landing.toString()).toBe(failedWith('code_invalid'));
    });

    it('answers a valid state without a code with code_invalid', async () => {
      const owner = await env.testApp.register();
      const state = (await startFlow(owner)).searchParams.get(
        'state',
      ) as string;
      const landing = await env.openCallback(callbackUrl({ state }));
      expect(landing.toString()).toBe(failedWith('code_invalid'));
    });
  });

  describe('GET /api/instagram/auth/instagram', () => {
    it('hands out a fresh state every time', async () => {
      const owner = await env.testApp.register();
      const first = await startFlow(owner);
      const second = await startFlow(owner);
      expect(first.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
      expect(first.searchParams.get('state')).not.toBe(
        second.searchParams.get('state'),
      );
    });

    it('refuses an unknown method with 400', async () => {
      const owner = await env.testApp.register();
      const response = await api()
        .get('/api/instagram/auth/instagram')
        .query({ method: 'myspace' })
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: ['method must be one of: instagram, facebook'],
      });
    });

    it('requires a signed-in caller', async () => {
      await api().get('/api/instagram/auth/instagram').expect(401);
    });
  });

  describe('on a server that enables Facebook Login only', () => {
    let facebookOnly: TestApp;
    beforeAll(async () => {
      facebookOnly = await createTestApp({ META_LOGIN_METHODS: 'facebook' });
    });
    afterAll(() => facebookOnly?.close());

    it('defaults to Facebook Login, refuses Instagram Login with 400 and says what it offers', async () => {
      const user = await facebookOnly.register();
      const auth = (query: Record<string, string>) =>
        request(facebookOnly.http)
          .get('/api/instagram/auth/instagram')
          .query(query)
          .set('Authorization', `Bearer ${user.accessToken}`);

      const byDefault = await auth({}).expect(200);
      expect(new URL(byDefault.body.url).pathname).toMatch(/\/dialog\/oauth$/);
      const refused = await auth({ method: 'instagram' }).expect(400);
      expect(refused.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message:
          'method instagram is not enabled on this server (enabled: facebook)',
      });
      const status = await request(facebookOnly.http)
        .get('/api/instagram/status')
        .set('Authorization', `Bearer ${user.accessToken}`)
        .expect(200);
      expect(status.body.loginMethods).toEqual(['facebook']);
    });
  });

  it('never lets a Meta token reach a log line, a response body or a redirect', () => {
    const tokens = env.issuedTokens();
    expect(tokens.length).toBeGreaterThan(5);
    // The capture works: it holds the flow's own lines and the Graph client's debug lines.
    expect(env.logs.join('\n')).toContain(
      'connected Instagram @bluejacket.store',
    );
    expect(env.logs.join('\n')).toContain('exchangeCodeForToken');
    for (const seen of [...env.logs, ...env.seenByClients])
      for (const token of tokens) expect(seen).not.toContain(token);
  });
});
