import request from 'supertest';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  SANDBOX_IG_APP_SECRET,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import { createTestApp } from '../testing/test-app';
import {
  inboxSettled,
  loadWebhookFixtures,
  postWebhook,
  signBody,
} from './testing/webhook-test-kit';

describe('Instagram webhook intake (e2e)', () => {
  let env: InstagramTestEnv;
  const events = () => env.database().collection('webhookevents');
  const api = () => request(env.testApp.http);

  beforeAll(async () => {
    env = await startInstagramTestEnv();
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    await inboxSettled(env.database());
    await events().deleteMany({});
  });

  describe('GET /webhook/instagram (Meta’s verification)', () => {
    const verify = (query: Record<string, string>) =>
      api().get('/webhook/instagram').query(query);

    it('answers the challenge as text with the right token', async () => {
      const response = await verify({
        'hub.mode': 'subscribe',
        'hub.verify_token': 'sandbox-verify-token',
        'hub.challenge': '1158201444',
      }).expect(200);

      expect(response.text).toBe('1158201444');
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
    });

    it.each([
      ['a wrong token', { 'hub.verify_token': 'guessed' }],
      ['no token', { 'hub.verify_token': undefined }],
      ['another mode', { 'hub.mode': 'unsubscribe' }],
      ['no challenge', { 'hub.challenge': undefined }],
    ])('answers 403 for %s', async (_label, change) => {
      const query = Object.fromEntries(
        Object.entries({
          'hub.mode': 'subscribe',
          'hub.verify_token': 'sandbox-verify-token',
          'hub.challenge': '42',
          ...change,
        }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      const response = await verify(query).expect(403);
      expect(response.text).not.toContain('42');
    });
  });

  describe('POST /webhook/instagram: signature', () => {
    const [text] = loadWebhookFixtures();

    it('answers 401 and stores nothing without a signature', async () => {
      const response = await postWebhook(env.testApp.http, text.body).expect(
        401,
      );
      expect(response.body.message).toBe('Missing webhook signature');
      expect(await events().countDocuments()).toBe(0);
    });

    it('answers 401 and stores nothing for a signature under another secret', async () => {
      const response = await postWebhook(
        env.testApp.http,
        text.body,
        'wrong-secret',
      ).expect(401);
      expect(response.body.message).toBe('Invalid webhook signature');
      expect(await events().countDocuments()).toBe(0);
    });

    it('answers 401 for a right signature of other bytes (the body re-serialised)', async () => {
      const reserialised = JSON.stringify(JSON.parse(text.body));
      await postWebhook(
        env.testApp.http,
        reserialised,
        undefined,
        signBody(text.body, SANDBOX_APP_SECRET),
      ).expect(401);
      expect(await events().countDocuments()).toBe(0);
    });

    it('stores a signed delivery once, with its raw bytes, and answers 200 at once', async () => {
      const response = await postWebhook(
        env.testApp.http,
        text.body,
        SANDBOX_APP_SECRET,
      ).expect(200);
      expect(response.text).toBe('EVENT_RECEIVED');

      const stored = await events().find().toArray();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({
        rawBody: text.body,
        apiVersion: 'v19.0',
        receivedAt: expect.any(Date),
      });
      expect(stored[0]['digest']).toMatch(/^[0-9a-f]{64}$/);
    });

    it('accepts the signature of either configured app: the Meta app’s and the Instagram app’s (META_IG_APP_SECRET)', async () => {
      // Meta signs deliveries for accounts connected through Instagram Login with the Instagram
      // app's secret, and Page deliveries with the Meta app's.
      await postWebhook(
        env.testApp.http,
        text.body,
        SANDBOX_IG_APP_SECRET,
      ).expect(200);
      await postWebhook(env.testApp.http, text.body, SANDBOX_APP_SECRET).expect(
        200,
      );
      await postWebhook(env.testApp.http, text.body, 'some-other-app').expect(
        401,
      );
      expect(await events().countDocuments()).toBe(1);
    });

    it('refuses the Instagram app’s signature on a server without Instagram Login', async () => {
      const facebookOnly = await createTestApp({
        META_LOGIN_METHODS: 'facebook',
        META_APP_SECRET: SANDBOX_APP_SECRET,
        META_IG_APP_SECRET: SANDBOX_IG_APP_SECRET,
      });
      try {
        await postWebhook(
          facebookOnly.http,
          text.body,
          SANDBOX_IG_APP_SECRET,
        ).expect(401);
        await postWebhook(
          facebookOnly.http,
          text.body,
          SANDBOX_APP_SECRET,
        ).expect(200);
      } finally {
        await facebookOnly.close();
      }
    });

    it('stores an exact redelivery once', async () => {
      await postWebhook(env.testApp.http, text.body, SANDBOX_APP_SECRET).expect(
        200,
      );
      await postWebhook(env.testApp.http, text.body, SANDBOX_APP_SECRET).expect(
        200,
      );
      expect(await events().countDocuments()).toBe(1);
    });

    it('stores deliveries arriving together, each answered once stored, a redelivery among them once', async () => {
      const fixtures = loadWebhookFixtures().slice(0, 5);
      const bodies = [...fixtures.map((f) => f.body), fixtures[0].body];

      const responses = await Promise.all(
        bodies.map((body) =>
          postWebhook(env.testApp.http, body, SANDBOX_APP_SECRET),
        ),
      );

      expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 200));
      for (const fixture of fixtures) {
        expect(await events().countDocuments({ rawBody: fixture.body })).toBe(
          1,
        );
      }
      expect(await events().countDocuments()).toBe(fixtures.length);
    });
  });

  describe('POST /webhook/instagram: what is not a delivery to process', () => {
    it('answers 400 for signed bytes that are not JSON, and records them as failed', async () => {
      const response = await postWebhook(
        env.testApp.http,
        '{"object":"instagram",',
        SANDBOX_APP_SECRET,
      ).expect(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        message: 'Request body is not valid JSON',
      });
      expect(await events().findOne()).toMatchObject({
        status: 'failed',
        lastError: 'The body is not valid JSON',
      });
    });

    it('answers 401 for unsigned bytes that are not JSON, storing nothing', async () => {
      await postWebhook(env.testApp.http, '{oops').expect(401);
      expect(await events().countDocuments()).toBe(0);
    });

    it.each([
      ['another object', '{"object":"whatsapp_business_account","entry":[]}'],
      ['no object', '{"entry":[]}'],
      ['a JSON array', '[1,2,3]'],
    ])('answers 200 for %s and records it as ignored', async (_label, body) => {
      await postWebhook(env.testApp.http, body, SANDBOX_APP_SECRET).expect(200);
      expect(await events().findOne()).toMatchObject({
        status: 'ignored',
        lastError: expect.stringContaining('is not handled'),
      });
    });

    it('accepts a 5 MB delivery while the rest of the API keeps its body limit', async () => {
      const filler = 'x'.repeat(5 * 1024 * 1024);
      const big = JSON.stringify({
        object: 'instagram',
        entry: [
          { id: BLUE_JACKET.accountId, time: 1, messaging: [], note: filler },
        ],
      });
      await postWebhook(env.testApp.http, big, SANDBOX_APP_SECRET).expect(200);
      expect(await events().countDocuments()).toBe(1);

      await api()
        .post('/api/auth/login')
        .send({ email: 'a@example.test', password: 'x'.repeat(200 * 1024) })
        .expect(413);
    });
  });

  it('documents the webhook and the events endpoints with their errors in the OpenAPI document', async () => {
    const document = (await api().get('/api/docs-json').expect(200)).body as {
      paths: Record<
        string,
        Record<string, { responses: object; security: unknown[] }>
      >;
      components: { schemas: Record<string, { properties?: object }> };
    };
    const responses = (path: string, method: string) =>
      Object.keys(document.paths[path][method].responses).sort();
    expect(responses('/webhook/instagram', 'get')).toEqual([
      '200',
      '403',
      '413',
      '503',
    ]);
    expect(responses('/webhook/instagram', 'post')).toEqual([
      '200',
      '400',
      '401',
      '413',
      '429',
      '503',
    ]);
    expect(document.paths['/webhook/instagram']['post'].security).toEqual([]);
    expect(document.paths['/webhook/instagram']['get'].security).toEqual([]);
    expect(document.paths['/api/instagram/events']['get'].security).toEqual([
      { bearer: [] },
    ]);
    expect(responses('/api/instagram/events', 'get')).toEqual([
      '200',
      '400',
      '401',
      '413',
      '503',
    ]);
    expect(responses('/api/instagram/events/{id}/retry', 'post')).toEqual([
      '200',
      '400',
      '401',
      '404',
      '413',
      '503',
    ]);
    expect(
      Object.keys(
        document.components.schemas['WebhookEventDto'].properties ?? {},
      ),
    ).toEqual(
      expect.arrayContaining([
        'id',
        'receivedAt',
        'status',
        'attempts',
        'items',
      ]),
    );
  });
});
