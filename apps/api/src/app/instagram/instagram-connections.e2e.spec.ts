import type {
  AuthResponseDto,
  InstagramStatusDto,
} from '@instantchat/contracts';
import request from 'supertest';
import {
  connectSocket,
  nextEvent,
  type TestSocket,
} from '../realtime/testing/socket-client';
import {
  RECONNECT_REQUIRED_MESSAGE,
  UNSUBSCRIBE_FAILED_MESSAGE,
} from './instagram-connections.service';
import {
  InstagramTokenRefresher,
  REFRESH_RETRY_MESSAGE,
} from './instagram-token-refresher';
import {
  BLUE_JACKET,
  CORNER_BAKERY,
  type InstagramTestEnv,
  SOLO_STUDIO,
  startInstagramTestEnv,
} from './testing/instagram-test-env';

describe('Instagram connections: status, disconnect, token upkeep (e2e)', () => {
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
    await env.database().collection('instagramusers').deleteMany({});
  });

  const api = () => request(env.testApp.http);
  const as = (user: AuthResponseDto) => ({
    status: async () => {
      const response = await api()
        .get('/api/instagram/status')
        .set('Authorization', `Bearer ${user.accessToken}`)
        .expect(200);
      env.seenByClients.push(response.text);
      return response.body as InstagramStatusDto;
    },
    disconnect: (accountId?: string) =>
      api()
        .delete('/api/instagram/disconnect')
        .query(accountId === undefined ? {} : { accountId })
        .set('Authorization', `Bearer ${user.accessToken}`),
  });
  const connectWithFacebook = async (
    user: AuthResponseDto,
    page = BLUE_JACKET,
  ) => {
    const run = await env.connectInBrowser(user, {
      method: 'facebook',
      choose: { page_id: page.pageId },
    });
    expect(run.landing.searchParams.get('status')).toBe('connected');
  };
  const connectWithInstagram = async (user: AuthResponseDto) => {
    const run = await env.connectInBrowser(user, {
      method: 'instagram',
      choose: { account_id: SOLO_STUDIO.accountId },
    });
    expect(run.landing.searchParams.get('status')).toBe('connected');
  };
  const DAY_MS = 24 * 60 * 60 * 1000;
  /**
   * Time passes on both sides: the sandbox's tokens get older by `days`, and the expiry we stored
   * comes that much closer.
   */
  const ageInstagramToken = async (days: number) => {
    const aged = await env.control('POST', '/tokens/age', {
      instagramAccountId: SOLO_STUDIO.accountId,
      byMs: days * DAY_MS,
    });
    expect(aged.status).toBe(200);
    const connections = env.database().collection('instagramusers');
    const stored = await connections.findOne({
      instagramAccountId: SOLO_STUDIO.accountId,
    });
    await connections.updateOne(
      { _id: stored?._id },
      {
        $set: {
          tokenExpiresAt: new Date(
            (stored?.['tokenExpiresAt'] as Date).getTime() - days * DAY_MS,
          ),
        },
      },
    );
  };
  const storedToken = async () =>
    (
      await env
        .database()
        .collection('instagramusers')
        .findOne({ instagramAccountId: SOLO_STUDIO.accountId })
    )?.['accessToken'];
  const instagramSubscription = async () => {
    const state = (await env.control('GET', '/state')).json as {
      instagramAccounts: {
        id: string;
        instagramLoginSubscribedFields: string[] | null;
      }[];
    };
    return (
      state.instagramAccounts.find((a) => a.id === SOLO_STUDIO.accountId)
        ?.instagramLoginSubscribedFields ?? null
    );
  };
  const subscribedFields = async (pageId: string) => {
    const state = (await env.control('GET', '/state')).json as {
      pages: { id: string; subscribedFields: string[] | null }[];
    };
    return state.pages.find((p) => p.id === pageId)?.subscribedFields ?? null;
  };
  const ownSocket = async (user: AuthResponseDto) => {
    const socket = await connectSocket(env.testApp.url, user.accessToken);
    sockets.push(socket);
    return socket;
  };
  const refresher = () => env.testApp.app.get(InstagramTokenRefresher);

  describe('GET /api/instagram/status', () => {
    it('answers not connected and no accounts before any connect', async () => {
      const user = await env.testApp.register();
      expect(await as(user).status()).toEqual({
        connected: false,
        loginMethods: ['instagram', 'facebook'],
        accounts: [],
      });
    });

    it('shows only the caller’s own accounts', async () => {
      const owner = await env.testApp.register();
      const other = await env.testApp.register();
      await connectWithFacebook(owner);
      expect((await as(other).status()).accounts).toEqual([]);
    });

    it('requires a signed-in caller', async () => {
      await api().get('/api/instagram/status').expect(401);
    });
  });

  describe('DELETE /api/instagram/disconnect', () => {
    it('unsubscribes the Page, forgets the token and marks the account disconnected', async () => {
      const owner = await env.testApp.register();
      await connectWithFacebook(owner);
      expect(await subscribedFields(BLUE_JACKET.pageId)).not.toBeNull();
      const socket = await ownSocket(owner);
      const announced = nextEvent(
        socket,
        'instagram:status',
        (p) => p.account?.state === 'disconnected',
      );

      const response = await as(owner)
        .disconnect(BLUE_JACKET.accountId)
        .expect(200);

      expect(response.body).toEqual({
        connected: false,
        loginMethods: ['instagram', 'facebook'],
        accounts: [
          expect.objectContaining({
            id: BLUE_JACKET.accountId,
            state: 'disconnected',
            webhookSubscribed: false,
            tokenExpiresAt: null,
          }),
        ],
      });
      expect(response.body.accounts[0].lastError).toBeUndefined();
      expect(await subscribedFields(BLUE_JACKET.pageId)).toBeNull();
      expect(await announced).toMatchObject({ connected: false });
      const [stored] = await env
        .database()
        .collection('instagramusers')
        .find({})
        .toArray();
      expect(stored['accessToken']).toBeUndefined();
      expect(stored['isConnected']).toBe(false);
    });

    it('disconnects the only account when no accountId is given', async () => {
      const owner = await env.testApp.register();
      await connectWithFacebook(owner);
      const response = await as(owner).disconnect().expect(200);
      expect(response.body.accounts).toMatchObject([{ state: 'disconnected' }]);
    });

    it('asks which one when the caller holds several accounts', async () => {
      const owner = await env.testApp.register();
      await connectWithFacebook(owner, BLUE_JACKET);
      await connectWithFacebook(owner, CORNER_BAKERY);
      const response = await as(owner).disconnect().expect(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message:
          'accountId is required: you have several Instagram accounts connected',
      });
      expect((await as(owner).status()).accounts).toMatchObject([
        { state: 'connected' },
        { state: 'connected' },
      ]);
    });

    it('disconnects one of two accounts, leaving the other connected', async () => {
      const owner = await env.testApp.register();
      await connectWithFacebook(owner, BLUE_JACKET);
      await connectWithFacebook(owner, CORNER_BAKERY);
      const response = await as(owner)
        .disconnect(CORNER_BAKERY.accountId)
        .expect(200);
      expect(response.body.connected).toBe(true);
      expect(
        (response.body as InstagramStatusDto).accounts.map((a) => [
          a.id,
          a.state,
        ]),
      ).toEqual([
        [BLUE_JACKET.accountId, 'connected'],
        [CORNER_BAKERY.accountId, 'disconnected'],
      ]);
    });

    it('answers 404 for another user’s account and leaves it alone', async () => {
      const owner = await env.testApp.register();
      const intruder = await env.testApp.register();
      await connectWithFacebook(owner);
      const response = await as(intruder)
        .disconnect(BLUE_JACKET.accountId)
        .expect(404);
      expect(response.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'No such Instagram account among yours',
      });
      expect((await as(owner).status()).accounts).toMatchObject([
        { state: 'connected' },
      ]);
    });

    it('answers 404 when the caller has nothing connected', async () => {
      const user = await env.testApp.register();
      await as(user).disconnect().expect(404);
    });

    it.each([['abc'], ['1'.repeat(40)], ['{"$ne":null}']])(
      'refuses the malformed accountId %s with 400',
      async (accountId) => {
        const user = await env.testApp.register();
        const response = await as(user).disconnect(accountId).expect(400);
        expect(response.body.message).toEqual([
          'accountId must be an Instagram account id',
        ]);
      },
    );

    it('still disconnects when Meta cannot unsubscribe, and says so', async () => {
      const owner = await env.testApp.register();
      await connectWithFacebook(owner);
      await env.control('POST', '/faults', {
        kind: 'server_error',
        path: '/subscribed_apps',
        times: 5,
      });

      const response = await as(owner)
        .disconnect(BLUE_JACKET.accountId)
        .expect(200);

      expect(response.body.accounts).toEqual([
        expect.objectContaining({
          state: 'disconnected',
          webhookSubscribed: true,
          lastError: UNSUBSCRIBE_FAILED_MESSAGE,
        }),
      ]);
      const [stored] = await env
        .database()
        .collection('instagramusers')
        .find({})
        .toArray();
      expect(stored['accessToken']).toBeUndefined();
    });

    it('frees the account for another user, and the owner can connect it again', async () => {
      const owner = await env.testApp.register();
      const next = await env.testApp.register();
      await connectWithFacebook(owner);
      await as(owner).disconnect(BLUE_JACKET.accountId).expect(200);

      await connectWithFacebook(next);
      expect((await as(next).status()).accounts).toMatchObject([
        { id: BLUE_JACKET.accountId, state: 'connected' },
      ]);
      // The owner keeps the history of their disconnected account.
      expect((await as(owner).status()).accounts).toMatchObject([
        { id: BLUE_JACKET.accountId, state: 'disconnected' },
      ]);
    });
  });

  describe('token upkeep', () => {
    it('leaves working tokens alone', async () => {
      const owner = await env.testApp.register();
      await connectWithFacebook(owner);
      expect(await refresher().runOnce()).toEqual({
        refreshed: 0,
        verified: 1,
        needsReconnect: 0,
        retryLater: 0,
      });
      expect((await as(owner).status()).accounts).toMatchObject([
        { state: 'connected' },
      ]);
    });

    it('flips a revoked token to needs_reconnect and tells the owner’s socket', async () => {
      const owner = await env.testApp.register();
      await connectWithFacebook(owner);
      const socket = await ownSocket(owner);
      const announced = nextEvent(socket, 'instagram:status');
      // The person changed their Facebook password: Meta invalidates every token (code 190).
      await env.control('POST', '/tokens/expire', {
        pageId: BLUE_JACKET.pageId,
        reason: 'password_changed',
      });

      expect(await refresher().runOnce()).toMatchObject({ needsReconnect: 1 });

      expect(await announced).toEqual({
        connected: false,
        instagramUsername: BLUE_JACKET.username,
        reason: 'token_invalid',
        account: expect.objectContaining({
          id: BLUE_JACKET.accountId,
          state: 'needs_reconnect',
          lastError: RECONNECT_REQUIRED_MESSAGE,
        }),
      });
      expect(await as(owner).status()).toMatchObject({
        connected: false,
        accounts: [{ state: 'needs_reconnect' }],
      });
    });

    it('keeps an account that needs reconnecting from being taken by someone else', async () => {
      const owner = await env.testApp.register();
      const other = await env.testApp.register();
      await connectWithFacebook(owner);
      await env.control('POST', '/tokens/expire', { reason: 'expired' });
      await refresher().runOnce();

      const run = await env.connectInBrowser(other, {
        method: 'facebook',
        choose: { page_id: BLUE_JACKET.pageId },
      });
      expect(run.landing.searchParams.get('reason')).toBe('already_connected');

      // Its owner reconnects it.
      await connectWithFacebook(owner);
      expect((await as(owner).status()).accounts).toMatchObject([
        { state: 'connected' },
      ]);
    });

    it('does not give up on an account because Meta is briefly down', async () => {
      const owner = await env.testApp.register();
      await connectWithFacebook(owner);
      await env.control('POST', '/faults', { kind: 'server_error', times: 5 });
      expect(await refresher().runOnce()).toMatchObject({ retryLater: 1 });
      expect((await as(owner).status()).accounts).toMatchObject([
        { state: 'connected' },
      ]);
    });
  });

  describe('Instagram Login tokens', () => {
    it('refreshes a token in its last 10 days to a fresh 60-day one', async () => {
      const owner = await env.testApp.register();
      await connectWithInstagram(owner);
      await ageInstagramToken(52);
      expect((await as(owner).status()).accounts[0].daysLeft).toBe(7);
      const before = await storedToken();

      expect(await refresher().runOnce()).toEqual({
        refreshed: 1,
        verified: 0,
        needsReconnect: 0,
        retryLater: 0,
      });

      const [account] = (await as(owner).status()).accounts;
      expect(account).toMatchObject({ state: 'connected', daysLeft: 59 });
      expect(account.lastError).toBeUndefined();
      expect(await storedToken()).not.toEqual(before);
      // The refreshed token is the one Meta accepts now: the next pass only checks it.
      expect(await refresher().runOnce()).toMatchObject({
        refreshed: 0,
        verified: 1,
      });
    });

    it('leaves a token outside the refresh window alone, only checking it', async () => {
      const owner = await env.testApp.register();
      await connectWithInstagram(owner);
      await ageInstagramToken(20);
      const before = await storedToken();
      expect(await refresher().runOnce()).toMatchObject({
        refreshed: 0,
        verified: 1,
      });
      expect(await storedToken()).toEqual(before);
    });

    it('flips a revoked token to needs_reconnect and tells the owner’s socket', async () => {
      const owner = await env.testApp.register();
      await connectWithInstagram(owner);
      const socket = await ownSocket(owner);
      const announced = nextEvent(
        socket,
        'instagram:status',
        (p) => p.account?.state === 'needs_reconnect',
      );
      // The person removed InstantChat from their Instagram account's apps (#190).
      await env.control('POST', '/tokens/revoke', {
        instagramAccountId: SOLO_STUDIO.accountId,
      });

      expect(await refresher().runOnce()).toMatchObject({ needsReconnect: 1 });

      expect(await announced).toEqual({
        connected: false,
        instagramUsername: SOLO_STUDIO.username,
        reason: 'token_invalid',
        account: expect.objectContaining({
          id: SOLO_STUDIO.accountId,
          method: 'instagram',
          state: 'needs_reconnect',
          lastError: RECONNECT_REQUIRED_MESSAGE,
        }),
      });
      expect((await as(owner).status()).accounts).toMatchObject([
        { state: 'needs_reconnect' },
      ]);
    });

    it('flips a token revoked in its refresh window to needs_reconnect', async () => {
      const owner = await env.testApp.register();
      await connectWithInstagram(owner);
      await ageInstagramToken(55);
      await env.control('POST', '/tokens/revoke', {
        instagramAccountId: SOLO_STUDIO.accountId,
      });
      expect(await refresher().runOnce()).toMatchObject({ needsReconnect: 1 });
      expect((await as(owner).status()).accounts).toMatchObject([
        { state: 'needs_reconnect', lastError: RECONNECT_REQUIRED_MESSAGE },
      ]);
    });

    it('treats a refresh Meta refuses as a failed refresh: needs_reconnect', async () => {
      const owner = await env.testApp.register();
      await connectWithInstagram(owner);
      // Our record says the token is about to expire, but Meta's says it is an hour old: Meta
      // refuses to refresh a token younger than 24 hours.
      const connections = env.database().collection('instagramusers');
      await connections.updateOne(
        { instagramAccountId: SOLO_STUDIO.accountId },
        { $set: { tokenExpiresAt: new Date(Date.now() + 3 * DAY_MS) } },
      );
      expect(await refresher().runOnce()).toMatchObject({ needsReconnect: 1 });
      expect((await as(owner).status()).accounts).toMatchObject([
        { state: 'needs_reconnect' },
      ]);
    });

    it('retries a refresh Meta could not answer at the next pass, while the token still works', async () => {
      const owner = await env.testApp.register();
      await connectWithInstagram(owner);
      await ageInstagramToken(55);
      await env.control('POST', '/faults', {
        kind: 'server_error',
        path: '/refresh_access_token',
        times: 5,
      });

      expect(await refresher().runOnce()).toMatchObject({ retryLater: 1 });
      expect((await as(owner).status()).accounts).toMatchObject([
        { state: 'connected', lastError: REFRESH_RETRY_MESSAGE },
      ]);

      await env.control('DELETE', '/faults');
      expect(await refresher().runOnce()).toMatchObject({ refreshed: 1 });
      const [account] = (await as(owner).status()).accounts;
      expect(account.daysLeft).toBe(59);
      expect(account.lastError).toBeUndefined();
    });

    it('disconnects: unsubscribes the account from webhooks and forgets the token', async () => {
      const owner = await env.testApp.register();
      await connectWithInstagram(owner);
      expect(await instagramSubscription()).not.toBeNull();

      const response = await as(owner)
        .disconnect(SOLO_STUDIO.accountId)
        .expect(200);

      expect(response.body.accounts).toMatchObject([
        { state: 'disconnected', webhookSubscribed: false, daysLeft: null },
      ]);
      expect(await instagramSubscription()).toBeNull();
      expect(await storedToken()).toBeUndefined();
    });
  });

  it('documents every Instagram endpoint with its errors in the OpenAPI document', async () => {
    const document = (await api().get('/api/docs-json').expect(200)).body as {
      paths: Record<
        string,
        Record<string, { responses: object; security: unknown[] }>
      >;
    };
    const responses = (path: string, method: string) =>
      Object.keys(document.paths[path][method].responses).sort();
    // 400 and 413 (a body sent anyway) and 503 (database down, shutting down) are on every route.
    expect(responses('/api/instagram/auth/instagram', 'get')).toEqual([
      '200',
      '400',
      '401',
      '413',
      '503',
    ]);
    expect(responses('/api/instagram/auth/instagram/callback', 'get')).toEqual([
      '302',
      '400',
      '413',
      '503',
    ]);
    expect(
      document.paths['/api/instagram/auth/instagram/callback']['get'].security,
    ).toEqual([]);
    expect(responses('/api/instagram/status', 'get')).toEqual([
      '200',
      '400',
      '401',
      '413',
      '503',
    ]);
    expect(responses('/api/instagram/disconnect', 'delete')).toEqual([
      '200',
      '400',
      '401',
      '404',
      '413',
      '503',
    ]);
  });

  it('never shows a Meta token to a client', () => {
    const tokens = env.issuedTokens();
    expect(tokens.length).toBeGreaterThan(5);
    expect(env.seenByClients.length).toBeGreaterThan(10);
    for (const seen of env.seenByClients)
      for (const token of tokens) expect(seen).not.toContain(token);
    for (const line of env.logs)
      for (const token of tokens) expect(line).not.toContain(token);
  });
});
