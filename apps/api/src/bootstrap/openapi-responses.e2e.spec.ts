import type {
  AuthResponseDto,
  ConversationDto,
  MessageDto,
} from '@instantchat/contracts';
import { Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppConfigService } from '../app/config/app-config.service';
import {
  ANNA,
  BEN,
  instagramLoginHosts,
  SendTestKit,
} from '../app/instagram/sending/testing/send-test-kit';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  startInstagramTestEnv,
} from '../app/instagram/testing/instagram-test-env';
import {
  type OpenApiDocumentShape,
  OpenApiResponseValidator,
} from '../app/testing/openapi-response-validator';
import {
  ResponseRecorder,
  takeContractViolations,
} from '../app/testing/response-recorder';
import { TEST_PASSWORD } from '../app/testing/test-app';
import {
  inboxSettled,
  messagingDelivery,
  postWebhook,
} from '../app/webhook/testing/webhook-test-kit';

/**
 * Every e2e spec's responses are checked against the OpenAPI document (test-app.ts). This suite
 * makes sure each documented operation is among them, with the errors a client must be able to
 * read, and that the check fails when the document is wrong.
 */
const REPLAY_METRICS_TOKEN = 'replay-scrape-7Qe2-token';

describe('The OpenAPI document read against real responses (e2e)', () => {
  let env: InstagramTestEnv;
  let kit: SendTestKit;
  let document: OpenApiDocumentShape;
  const api = () => request(env.testApp.http);
  const as = (user: AuthResponseDto) => ({
    Authorization: `Bearer ${user.accessToken}`,
  });

  beforeAll(async () => {
    env = await startInstagramTestEnv((sandbox) => ({
      ...instagramLoginHosts(sandbox),
      METRICS_TOKEN: REPLAY_METRICS_TOKEN,
    }));
    kit = new SendTestKit(env);
    document = (await api().get('/api/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await env?.close();
  });

  /** Local chat between two people: every chat operation, answered and refused. */
  async function replayChat(): Promise<void> {
    const anna = await env.testApp.register();
    const ben = await env.testApp.register();
    await api().post('/api/auth/register').send({ email: 'nope' }).expect(400);
    await api()
      .post('/api/auth/register')
      .send({
        email: anna.user.email,
        password: TEST_PASSWORD,
        displayName: 'A',
      })
      .expect(409);
    await api()
      .post('/api/auth/login')
      .send({ email: anna.user.email, password: TEST_PASSWORD })
      .expect(200);
    await api()
      .post('/api/auth/login')
      .send({ email: anna.user.email, password: 'wrong password!' })
      .expect(401);
    await api().get('/api/auth/me').set(as(anna)).expect(200);
    await api().get('/api/auth/me').expect(401);
    await api().get('/api/users').set(as(anna)).expect(200);
    await api()
      .get('/api/users')
      .query({ search: 'x'.repeat(101) })
      .set(as(anna))
      .expect(400);

    const first = await api()
      .post('/api/conversations/messages')
      .set(as(anna))
      .send({
        participantId: ben.user.id,
        text: 'Hello 👋',
        clientMessageId: randomUUID(),
      })
      .expect(201);
    const conversation = first.body.conversation as ConversationDto;
    await api()
      .post('/api/conversations/messages')
      .set(as(anna))
      .send({ participantId: randomObjectId(), text: 'anyone?' })
      .expect(404);
    await api()
      .post('/api/conversations')
      .set(as(ben))
      .send({ participantId: anna.user.id })
      .expect(200);
    const carol = await env.testApp.register();
    await api()
      .post('/api/conversations')
      .set(as(carol))
      .send({ participantId: anna.user.id })
      .expect(201);
    await api()
      .post('/api/conversations')
      .set(as(carol))
      .send({ participantId: 'not-an-id' })
      .expect(400);

    const messages = `/api/conversations/${conversation.id}/messages`;
    const clientMessageId = randomUUID();
    await api()
      .post(messages)
      .set(as(ben))
      .send({ text: 'Hi!', clientMessageId })
      .expect(201);
    await api()
      .post(messages)
      .set(as(ben))
      .send({ text: 'Hi!', clientMessageId })
      .expect(200);
    await api()
      .post('/api/conversations/messages')
      .set(as(ben))
      .send({ participantId: carol.user.id, text: 'Hi!', clientMessageId })
      .expect(409);
    await api().post(messages).set(as(ben)).send({ text: '' }).expect(400);
    await api()
      .post(messages)
      .set(as(ben))
      .set('Content-Type', 'application/json')
      .send('{"text": ')
      .expect(400);
    await api()
      .post(messages)
      .set(as(ben))
      .send({ text: 'x'.repeat(200_000) })
      .expect(413);
    await api().post(messages).set(as(carol)).send({ text: 'Hi' }).expect(404);
    await api().get(messages).set(as(ben)).expect(200);
    await api().get(messages).query({ limit: 'abc' }).set(as(ben)).expect(400);
    await api().get(messages).set(as(carol)).expect(404);
    await api().get('/api/conversations').set(as(anna)).expect(200);
    await api()
      .get('/api/conversations')
      .query({ limit: 0 })
      .set(as(anna))
      .expect(400);
    await api()
      .get(`/api/conversations/${conversation.id}`)
      .set(as(anna))
      .expect(200);
    await api()
      .get(`/api/conversations/${conversation.id}`)
      .set(as(carol))
      .expect(404);
    await api()
      .post(`/api/conversations/${conversation.id}/read`)
      .set(as(anna))
      .expect(200);
    await api()
      .post(`/api/conversations/${conversation.id}/read`)
      .set(as(carol))
      .expect(404);
    await api()
      .get('/api/messages/search')
      .query({ q: 'hello' })
      .set(as(anna))
      .expect(200);
    await api().get('/api/messages/search').set(as(anna)).expect(400);
    await api().get('/api/health').expect(200);
    await api().get('/api/no-such-route').set(as(anna)).expect(404);
  }

  /** An Instagram account: connect, webhooks, replies (sent and refused), events, disconnect. */
  async function replayInstagram(): Promise<void> {
    const owner = await env.testApp.register();
    await api().get('/api/instagram/status').set(as(owner)).expect(200);
    await api()
      .get('/api/instagram/auth/instagram')
      .query({ method: 'carrier-pigeon' })
      .set(as(owner))
      .expect(400);
    await kit.connectWithFacebook(owner);
    await api()
      .get('/api/instagram/auth/instagram/callback')
      .redirects(0)
      .expect(302);

    const verify = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444' };
    await api()
      .get('/webhook/instagram')
      .query({ ...verify, 'hub.verify_token': 'wrong' })
      .expect(403);
    await api()
      .get('/webhook/instagram')
      .query({
        ...verify,
        'hub.verify_token':
          env.testApp.app.get(AppConfigService).meta.webhookVerifyToken,
      })
      .expect(200);
    const delivery = messagingDelivery(BLUE_JACKET.accountId, [
      {
        sender: { id: ANNA },
        recipient: { id: BLUE_JACKET.accountId },
        timestamp: Date.now(),
        message: {
          mid: `aWdfZAG1faXRlbTox${randomUUID()}`,
          text: 'Is it in stock?',
        },
      },
    ]);
    await postWebhook(env.testApp.http, delivery, SANDBOX_APP_SECRET).expect(
      200,
    );
    await postWebhook(env.testApp.http, delivery).expect(401);
    await postWebhook(env.testApp.http, 'not json', SANDBOX_APP_SECRET).expect(
      400,
    );
    await inboxSettled(env.database());

    const events = await api()
      .get('/api/instagram/events')
      .set(as(owner))
      .expect(200);
    await api()
      .get('/api/instagram/events')
      .query({ status: 'lost' })
      .set(as(owner))
      .expect(400);
    await api()
      .post(`/api/instagram/events/${events.body.items[0].id}/retry`)
      .set(as(owner))
      .expect(200);
    await api()
      .post(`/api/instagram/events/${randomObjectId()}/retry`)
      .set(as(owner))
      .expect(404);

    const open = await kit.contactWrites(owner, BLUE_JACKET.accountId, ANNA);
    const closed = await kit.contactWrites(owner, BLUE_JACKET.accountId, BEN, {
      hoursAgo: 25,
    });
    await api().get('/api/conversations').set(as(owner)).expect(200);
    await kit.reply(owner, open, { text: 'Yes, in every size' }).expect(201);
    // A reply a proxy's bare 502 failed is sent again; the contact's own message cannot be.
    await kit.fault({ path: '/messages', kind: 'gateway_error', status: 502 });
    const failed = (
      await kit.reply(owner, open, { text: 'It ships today' }).expect(201)
    ).body as MessageDto;
    expect(failed.status).toBe('failed');
    const retry = (messageId: string) =>
      api()
        .post(`/api/conversations/${open}/messages/${messageId}/retry`)
        .set(as(owner));
    await retry(failed.id).expect(200);
    const history = (
      await api()
        .get(`/api/conversations/${open}/messages`)
        .set(as(owner))
        .expect(200)
    ).body as { items: MessageDto[] };
    const theirs = history.items.find((m) => m.senderUserId === null);
    await retry(theirs?.id ?? randomObjectId()).expect(409);
    await api().get('/metrics').expect(401);
    await api()
      .get('/metrics')
      .set('Authorization', `Bearer ${REPLAY_METRICS_TOKEN}`)
      .expect(200);
    await kit.reply(owner, closed, { text: 'Sorry for the wait' }).expect(422);
    await kit
      .sendMessage(owner, { recipientId: ANNA, message: 'Anything else?' })
      .expect(201);
    await kit
      .sendMessage(owner, { recipientId: '1', message: 'Hello?' })
      .expect(404);
    await kit
      .sendMessage(owner, { recipientId: ANNA, message: 'x'.repeat(1001) })
      .expect(400);
    await api()
      .get(`/api/conversations/${open}/messages`)
      .set(as(owner))
      .expect(200);

    await api()
      .delete('/api/instagram/disconnect')
      .query({ accountId: 'abc' })
      .set(as(owner))
      .expect(400);
    await api()
      .delete('/api/instagram/disconnect')
      .query({ accountId: '42' })
      .set(as(owner))
      .expect(404);
    await api().delete('/api/instagram/disconnect').set(as(owner)).expect(200);
  }

  it('answers every documented operation, and every answer matches the document', async () => {
    await replayChat();
    await replayInstagram();

    expect(takeContractViolations()).toEqual([]);
    const seen = [...env.testApp.responses.responsesSeen()];
    const answered = new Set(
      seen
        .filter((entry) => /\s[23]\d\d$/.test(entry))
        .map((entry) => entry.replace(/\s\d+$/, '')),
    );
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.filter((operation) => !answered.has(operation))).toEqual(
      [],
    );
    // Each kind of error a client must tell apart, from a real response.
    expect(seen).toEqual(
      expect.arrayContaining([
        'POST /api/auth/register 400',
        'POST /api/auth/register 409',
        'POST /api/auth/login 401',
        'GET /api/auth/me 401',
        'POST /api/conversations/{id}/messages 413',
        'POST /api/conversations/messages 409',
        'GET /api/conversations/{id} 404',
        'POST /api/conversations/{id}/messages 422',
        'GET /webhook/instagram 403',
        'POST /webhook/instagram 401',
        'GET /api/no-such-route 404',
      ]),
    );
  });

  it('fails the check when the document is wrong: the old `type: object` for kind and source, a missing status', async () => {
    const wrong = structuredClone(document) as OpenApiDocumentShape & {
      components: {
        schemas: Record<string, { properties: Record<string, unknown> }>;
      };
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown> }>
      >;
    };
    wrong.components.schemas['ConversationDto'].properties['kind'] = {
      type: 'object',
    };
    wrong.components.schemas['MessageDto'].properties['source'] = {
      type: 'object',
    };
    delete wrong.paths['/api/conversations/{id}'].get.responses['404'];
    const problems: string[] = [];
    const detach = new ResponseRecorder(
      new OpenApiResponseValidator(wrong),
      problems,
    ).attach(env.testApp.http);
    try {
      const anna = await env.testApp.register();
      const ben = await env.testApp.register();
      const { body } = await api()
        .post('/api/conversations/messages')
        .set(as(anna))
        .send({ participantId: ben.user.id, text: 'Hi' })
        .expect(201);
      await api().get('/api/conversations').set(as(anna)).expect(200);
      await api()
        .get(`/api/conversations/${body.conversation.id}`)
        .set(as(ben))
        .expect(200);
      await api()
        .get(`/api/conversations/${randomObjectId()}`)
        .set(as(ben))
        .expect(404);
    } finally {
      detach();
    }

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^POST \/api\/conversations\/messages → 201: [^]*\n {2}\/conversation\/kind must be object .*"local"/,
        ),
        expect.stringMatching(/\/message\/source must be object .*"local"/),
        expect.stringMatching(
          /^GET \/api\/conversations → 200: [^]*\/0\/kind must be object/,
        ),
        expect.stringMatching(
          /GET \/api\/conversations\/\{id\} does not document status 404/,
        ),
      ]),
    );
    // The right document still passes the same responses (checked by the harness after each test).
  });
});

const randomObjectId = () => new Types.ObjectId().toHexString();
