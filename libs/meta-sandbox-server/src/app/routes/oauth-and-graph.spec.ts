import {
  DEFAULT_GRAPH_API_VERSION,
  OAUTH_CALLBACK_PATH,
} from '@instantchat/meta-platform';
import { startMetaSandbox, type MetaSandbox } from '../sandbox';
import {
  approveInDialog,
  graphCaller,
  httpJson,
  type GraphCaller,
} from '../../testing/sandbox-client';

const APP_ID = 'test-app-id';
const APP_SECRET = 'test-app-secret';
const REDIRECT = `http://localhost:3000${OAUTH_CALLBACK_PATH}`;
const PAGE = '109876543210001';
const ACCOUNT = '17841405822304914';
const ANNA = '1914357145407531';
const SCOPES = [
  'instagram_basic',
  'instagram_manage_messages',
  'pages_show_list',
  'pages_manage_metadata',
];

describe('OAuth dialog and token endpoints', () => {
  let sandbox: MetaSandbox;

  beforeEach(async () => {
    sandbox = await startMetaSandbox({
      appId: APP_ID,
      appSecret: APP_SECRET,
      redirectUris: [REDIRECT],
    });
  });
  afterEach(() => sandbox.stop());

  const dialogUrl = (overrides: Record<string, string> = {}) => {
    const url = new URL(sandbox.oauthDialogUrl);
    const params = {
      client_id: APP_ID,
      redirect_uri: REDIRECT,
      state: 'st-1',
      scope: SCOPES.join(','),
      response_type: 'code',
      ...overrides,
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  };
  const approve = (
    overrides: Partial<Parameters<typeof approveInDialog>[2]> = {},
  ) =>
    approveInDialog(sandbox.url, DEFAULT_GRAPH_API_VERSION, {
      clientId: APP_ID,
      redirectUri: REDIRECT,
      state: 'st-1',
      scopes: SCOPES,
      pageId: PAGE,
      ...overrides,
    });
  const exchange = (query: Record<string, string>) =>
    httpJson(
      `${sandbox.graphUrl}/oauth/access_token?${new URLSearchParams(query)}`,
    );

  it('shows a consent page listing the Pages and their Instagram accounts', async () => {
    const res = await fetch(dialogUrl());
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Blue Jacket Store');
    expect(html).toContain('@bluejacket.store');
    expect(html).toContain('No Instagram professional account linked');
    expect(html).toContain('value="st-1"');
  });

  it('escapes what it echoes back into the page', async () => {
    const html = await (
      await fetch(dialogUrl({ state: '"><script>alert(1)</script>' }))
    ).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it.each([
    [{ client_id: 'someone-else' }, 'Invalid App ID'],
    [{ redirect_uri: 'https://evil.example/cb' }, 'URL blocked'],
    [{ scope: 'instagram_basic,read_minds' }, 'Invalid Scopes: read_minds'],
    [{ response_type: 'token' }, 'response_type'],
  ])(
    'shows an error page and never redirects for %j',
    async (override, title) => {
      const res = await fetch(dialogUrl(override), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain(title);
    },
  );

  it('redirects with a code and the same state on approval', async () => {
    const redirect = await approve();
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe('st-1');
    expect(redirect.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('redirects with access_denied when the person cancels', async () => {
    const redirect = await approve({ action: 'cancel' });
    expect(Object.fromEntries(redirect.searchParams)).toEqual({
      error: 'access_denied',
      error_code: '200',
      error_description: 'Permissions error',
      error_reason: 'user_denied',
      state: 'st-1',
    });
  });

  it('re-validates the form: a tampered redirect_uri gets the error page', async () => {
    await expect(
      approve({ redirectUri: 'https://evil.example/cb' }),
    ).rejects.toThrow('HTTP 400');
  });

  it('exchanges a code once for a short-lived token, then for a long-lived one', async () => {
    const code = (await approve()).searchParams.get('code') as string;
    const short = await exchange({
      client_id: APP_ID,
      client_secret: APP_SECRET,
      redirect_uri: REDIRECT,
      code,
    });
    expect(short.status).toBe(200);
    expect(short.json).toEqual({
      access_token: expect.stringMatching(/^EAA/),
      token_type: 'bearer',
      expires_in: 7200,
    });

    const reused = await exchange({
      client_id: APP_ID,
      client_secret: APP_SECRET,
      redirect_uri: REDIRECT,
      code,
    });
    expect(reused.json.error).toMatchObject({
      code: 100,
      error_subcode: 36009,
    });

    const long = await exchange({
      grant_type: 'fb_exchange_token',
      client_id: APP_ID,
      client_secret: APP_SECRET,
      fb_exchange_token: short.json.access_token,
    });
    expect(long.json).toEqual({
      access_token: expect.stringMatching(/^EAA/),
      token_type: 'bearer',
      expires_in: 5184000,
    });
  });

  it('rejects a wrong client secret, a redirect_uri mismatch and an unknown code', async () => {
    const code = (await approve()).searchParams.get('code') as string;
    expect(
      (
        await exchange({
          client_id: APP_ID,
          client_secret: 'nope',
          redirect_uri: REDIRECT,
          code,
        })
      ).json.error,
    ).toMatchObject({ code: 1, message: 'Error validating client secret.' });
    expect(
      (
        await exchange({
          client_id: APP_ID,
          client_secret: APP_SECRET,
          redirect_uri: 'http://localhost:3000/other',
          code,
        })
      ).json.error,
    ).toMatchObject({ code: 100, error_subcode: 36008 });
    expect(
      (
        await exchange({
          client_id: APP_ID,
          client_secret: APP_SECRET,
          redirect_uri: REDIRECT,
          code: 'AQnope',
        })
      ).json.error,
    ).toMatchObject({ code: 100 });
  });

  it('describes tokens in /debug_token with the app token', async () => {
    const code = (await approve()).searchParams.get('code') as string;
    const token = (
      await exchange({
        client_id: APP_ID,
        client_secret: APP_SECRET,
        redirect_uri: REDIRECT,
        code,
      })
    ).json.access_token;
    const graph = graphCaller(sandbox.graphUrl, APP_SECRET);
    const res = await graph.get('/debug_token', `${APP_ID}|${APP_SECRET}`, {
      input_token: token,
    });
    expect(res.json.data).toMatchObject({
      app_id: APP_ID,
      type: 'USER',
      is_valid: true,
      scopes: SCOPES,
      user_id: expect.any(String),
      expires_at: expect.any(Number),
    });
    const invalid = await graph.get('/debug_token', `${APP_ID}|${APP_SECRET}`, {
      input_token: 'EAAgarbage',
    });
    expect(invalid.json.data.is_valid).toBe(false);
    // As sparse as Meta's: nothing about an app, user or expiry it could not read.
    expect(invalid.json.data).toEqual({
      error: { code: 190, message: expect.any(String) },
      is_valid: false,
      scopes: [],
    });
  });
});

describe('Graph objects', () => {
  let sandbox: MetaSandbox;
  let graph: GraphCaller;
  let userToken: string;
  let pageToken: string;

  beforeEach(async () => {
    sandbox = await startMetaSandbox({
      appId: APP_ID,
      appSecret: APP_SECRET,
      redirectUris: [REDIRECT],
    });
    graph = graphCaller(sandbox.graphUrl, APP_SECRET);
    userToken = (
      await httpJson(`${sandbox.url}/_sandbox/tokens`, {
        method: 'POST',
        body: { pageIds: [PAGE] },
      })
    ).json.access_token;
    pageToken = (await graph.get('/me/accounts', userToken)).json.data[0]
      .access_token;
  });
  afterEach(() => sandbox.stop());

  it('lists only the Pages the person granted, with Page tokens', async () => {
    const res = await graph.get('/me/accounts', userToken);
    expect(res.json.data).toEqual([
      {
        access_token: expect.stringMatching(/^EAA/),
        category: 'Clothing store',
        category_list: expect.any(Array),
        name: 'Blue Jacket Store',
        id: PAGE,
        tasks: expect.arrayContaining(['MESSAGING']),
      },
    ]);
  });

  it('pages a long list with cursors, as Meta does', async () => {
    const paged = await startMetaSandbox({
      appId: APP_ID,
      appSecret: APP_SECRET,
      redirectUris: [],
      graphPageSize: 2,
    });
    try {
      const pagedGraph = graphCaller(paged.graphUrl, APP_SECRET);
      const token = (
        await httpJson(`${paged.url}/_sandbox/tokens`, {
          method: 'POST',
          body: { pageIds: [PAGE, '109876543210002', '109876543210003'] },
        })
      ).json.access_token;
      const first = await pagedGraph.get('/me/accounts', token);
      expect(first.json.data).toHaveLength(2);
      expect(first.json.paging.next).toContain('after=');
      const second = await pagedGraph.get('/me/accounts', token, {
        after: first.json.paging.cursors.after,
      });
      expect(second.json.data.map((p: { id: string }) => p.id)).toEqual([
        '109876543210003',
      ]);
      expect(second.json.paging.next).toBeUndefined();
      expect(
        (await pagedGraph.get('/me/accounts', token, { after: 'garbage' })).json
          .error.code,
      ).toBe(100);
    } finally {
      await paged.stop();
    }
  });

  it("honours nested fields for the Page's Instagram account", async () => {
    const res = await graph.get(`/${PAGE}`, pageToken, {
      fields: 'instagram_business_account{id,username}',
    });
    expect(res.json).toEqual({
      instagram_business_account: { id: ACCOUNT, username: 'bluejacket.store' },
      id: PAGE,
    });
    const bare = await graph.get(`/${PAGE}`, pageToken, {
      fields: 'instagram_business_account',
    });
    expect(bare.json).toEqual({
      instagram_business_account: { id: ACCOUNT },
      id: PAGE,
    });
  });

  it('answers the Instagram account with exactly the requested fields', async () => {
    const res = await graph.get(`/${ACCOUNT}`, pageToken, {
      fields: 'username,name,profile_picture_url',
    });
    expect(res.json).toEqual({
      username: 'bluejacket.store',
      name: 'Blue Jacket Store',
      profile_picture_url: expect.stringMatching(/^https:/),
      id: ACCOUNT,
    });
  });

  it('answers #100 for a field the node does not have, and for bad syntax', async () => {
    expect(
      (
        await graph.get(`/${ACCOUNT}`, pageToken, {
          fields: 'username,password',
        })
      ).json.error,
    ).toMatchObject({
      code: 100,
      message:
        '(#100) Tried accessing nonexisting field (password) on node type (IGUser)',
    });
    expect(
      (
        await graph.get(`/${PAGE}`, pageToken, {
          fields: 'instagram_business_account{id',
        })
      ).json.error.code,
    ).toBe(100);
  });

  it("answers Meta's unknown-object error for ids the token cannot see", async () => {
    const res = await graph.get('/109876543210002', pageToken);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      code: 100,
      error_subcode: 33,
      type: 'GraphMethodException',
    });
    expect(
      (await graph.get('/424242', pageToken)).json.error.error_subcode,
    ).toBe(33);
  });

  it('subscribes, lists and unsubscribes the app on a Page', async () => {
    expect(
      (await graph.get(`/${PAGE}/subscribed_apps`, pageToken)).json,
    ).toEqual({ data: [] });
    const post = await graph.post(
      `/${PAGE}/subscribed_apps`,
      pageToken,
      undefined,
      { subscribed_fields: 'messages,message_reads' },
    );
    expect(post.json).toEqual({ success: true });
    expect(
      (await graph.get(`/${PAGE}/subscribed_apps`, pageToken)).json.data,
    ).toEqual([
      expect.objectContaining({
        id: APP_ID,
        subscribed_fields: ['messages', 'message_reads'],
      }),
    ]);
    expect(
      (await graph.del(`/${PAGE}/subscribed_apps`, pageToken)).json,
    ).toEqual({ success: true });
    expect(
      (await graph.get(`/${PAGE}/subscribed_apps`, pageToken)).json,
    ).toEqual({ data: [] });
  });

  it('validates subscribed_fields', async () => {
    expect(
      (await graph.post(`/${PAGE}/subscribed_apps`, pageToken)).json.error
        .message,
    ).toContain('subscribed_fields is required');
    expect(
      (
        await graph.post(`/${PAGE}/subscribed_apps`, pageToken, undefined, {
          subscribed_fields: 'messages,gossip',
        })
      ).json.error.message,
    ).toMatch(
      /^\(#100\) Param subscribed_fields\[1\] must be one of \{.*\} - got gossip$/,
    );
  });

  it("refuses Instagram's field names on a Page, as Meta does", async () => {
    const res = await graph.post(
      `/${PAGE}/subscribed_apps`,
      pageToken,
      undefined,
      {
        subscribed_fields: 'messages,messaging_seen',
      },
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      code: 100,
      type: 'OAuthException',
      message: expect.stringMatching(
        /^\(#100\) Param subscribed_fields\[1\] must be one of \{feed, .*message_reads.*\} - got messaging_seen$/,
      ),
    });
    expect(
      (await graph.get(`/${PAGE}/subscribed_apps`, pageToken)).json.data,
    ).toEqual([]);
  });

  it('needs a Page token for subscribed_apps', async () => {
    const res = await graph.post(
      `/${PAGE}/subscribed_apps`,
      userToken,
      undefined,
      { subscribed_fields: 'messages' },
    );
    expect(res.json.error.code).toBe(200);
  });

  it("answers a person's profile only once they have messaged the business", async () => {
    expect(
      (await graph.get(`/${ANNA}`, pageToken, { fields: 'name,username' })).json
        .error.error_subcode,
    ).toBe(33);
    await httpJson(`${sandbox.url}/_sandbox/events`, {
      method: 'POST',
      body: { type: 'text', user: ANNA, text: 'hi' },
    });
    const res = await graph.get(`/${ANNA}`, pageToken, {
      fields: 'name,username,profile_pic,is_verified_user',
    });
    expect(res.json).toEqual({
      name: 'Anna Customer',
      username: 'anna.customer',
      profile_pic: expect.stringMatching(/^https:/),
      is_verified_user: false,
      id: ANNA,
    });
  });

  it('answers #200 when the token lacks the permission', async () => {
    const limited = (
      await httpJson(`${sandbox.url}/_sandbox/tokens`, {
        method: 'POST',
        body: { pageIds: [PAGE], scopes: ['instagram_basic'] },
      })
    ).json.access_token;
    const res = await graph.get('/me/accounts', limited);
    expect(res.status).toBe(403);
    expect(res.json.error).toMatchObject({
      code: 200,
      message:
        '(#200) Requires pages_show_list permission to manage the object',
    });
  });

  it('serves every vNN.0 prefix as its own version, so an upgrade is a config change', async () => {
    for (const version of ['v24.0', 'v26.0', 'v27.0']) {
      const other = graphCaller(`${sandbox.url}/${version}`, APP_SECRET);
      expect((await other.get('/me', pageToken)).json).toEqual({
        id: PAGE,
        name: 'Blue Jacket Store',
      });
    }
    // Not a version: Meta's own paths have no such prefix either.
    const notAVersion = graphCaller(`${sandbox.url}/v26.1`, APP_SECRET);
    expect((await notAVersion.get('/me', pageToken)).status).toBe(404);
  });

  it("answers unknown Graph paths with Meta's error, not an HTML 404", async () => {
    const res = await graph.get('/a/b/c', pageToken);
    expect(res.json.error).toMatchObject({ code: 2500 });
  });
});
