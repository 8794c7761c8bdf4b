import type { AuthResponseDto } from '@instantchat/contracts';
import request from 'supertest';
import {
  BLUE_JACKET,
  CLIENT_URL,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import { ANNA, SendTestKit } from '../instagram/sending/testing/send-test-kit';
import { TEST_PASSWORD } from '../testing/test-app';
import {
  type LogLine,
  ObservedFlow,
  parsedLogLines,
} from './testing/observed-flow';
import { WebhookProcessor } from './webhook-processor.service';

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DM_TEXT = 'Is the navy parka still 129 euros? zebra-lighthouse';
const REPLY_TEXT = 'Yes, in every size until Friday, quartz-meadow';
const VERIFY_TOKEN = 'obs-verify-token-5ac1d2';

/**
 * Request ids and the structured log at the default level (LOG_LEVEL=log), as an operator reads
 * it: every request's line carries its id, a webhook's id follows the delivery into the inbox and
 * its processing, a reply's id follows it to the Send API, and no secret or message text shows.
 */
describe('Request ids and structured logs (e2e)', () => {
  let env: InstagramTestEnv;
  let flow: ObservedFlow;
  let owner: AuthResponseDto;
  let lines: () => LogLine[];

  beforeAll(async () => {
    env = await startInstagramTestEnv(
      () => ({ LOG_LEVEL: 'log', META_WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN }),
      { structuredLogs: true },
    );
    flow = new ObservedFlow(env);
    lines = () => parsedLogLines(env.logs);
    owner = await env.testApp.register();
    await new SendTestKit(env).connectWithFacebook(owner);
    await flow.contactWrites(
      BLUE_JACKET.accountId,
      ANNA,
      DM_TEXT,
      'webhook-req-0001',
    );
    const conversation = await flow.conversationWith(owner, ANNA);
    await expect(
      flow.ownerReplies(owner, conversation.id, REPLY_TEXT, 'reply-req-0001'),
    ).resolves.toBe('sent');
  });

  afterAll(async () => {
    await env?.close();
  });

  const api = () => request(env.testApp.http);

  it('answers every request with its id: the caller’s when sane, else a fresh one', async () => {
    const kept = await api()
      .get('/api/health')
      .set('X-Request-Id', 'lb-2f9c:7')
      .expect(200);
    expect(kept.headers['x-request-id']).toBe('lb-2f9c:7');

    const replaced = await api()
      .get('/api/health')
      .set('X-Request-Id', 'a b"c')
      .expect(200);
    expect(replaced.headers['x-request-id']).toMatch(UUID);

    // Refused requests too, however early they are refused.
    const refused = await api().get('/api/conversations').expect(401);
    expect(refused.headers['x-request-id']).toMatch(UUID);
    const tooLarge = await api()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(200_000) }))
      .expect(413);
    expect(tooLarge.headers['x-request-id']).toMatch(UUID);

    // The dashboard's origin may read it, to quote it.
    const fromDashboard = await api()
      .get('/api/health')
      .set('Origin', CLIENT_URL)
      .expect(200);
    expect(fromDashboard.headers['access-control-expose-headers']).toBe(
      'X-Request-Id',
    );
  });

  it('writes one JSON line per request, with its id, method, path and status', async () => {
    await api().get('/api/health').set('X-Request-Id', 'one-line-check');
    const own = lines().filter((line) => line.requestId === 'one-line-check');
    expect(own).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', url: '/api/health' }),
        res: { statusCode: 200 },
      }),
    ]);
  });

  it('stores the webhook’s request id on its delivery and logs its processing under it', async () => {
    const delivery = await env
      .database()
      .collection('webhookevents')
      .findOne({ requestId: 'webhook-req-0001' });
    expect(delivery?.status).toBe('processed');

    const traced = lines().filter(
      (line) => line.requestId === 'webhook-req-0001',
    );
    expect(traced).toContainEqual(
      expect.objectContaining({
        msg: 'request completed',
        req: expect.objectContaining({ url: '/webhook/instagram' }),
      }),
    );
    expect(traced).toContainEqual(
      expect.objectContaining({
        context: 'WebhookProcessor',
        msg: `Webhook delivery ${delivery?._id.toHexString()} taken up (attempt 1)`,
      }),
    );
  });

  it('keeps the request id of a delivery the sweep picks up later', async () => {
    const processor = env.testApp.app.get(WebhookProcessor);
    const events = env.database().collection('webhookevents');
    const stored = await events.findOne({ requestId: 'webhook-req-0001' });
    // As if the instance that took it died: pending again, due now, nobody holding it.
    await events.updateOne(
      { _id: stored?._id },
      {
        $set: {
          status: 'pending',
          nextAttemptAt: new Date(),
          leaseUntil: null,
        },
      },
    );
    await processor.sweep();
    // The periodic sweep may have been the one to take it: wait for the line either way.
    const deadline = Date.now() + 10_000;
    const retaken = () =>
      lines().filter(
        (line) =>
          line.requestId === 'webhook-req-0001' &&
          line.msg?.endsWith('taken up (attempt 2)'),
      );
    while (retaken().length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(retaken()).toHaveLength(1);
  });

  it('logs the Send API call of a reply under the id of the request that sent it', () => {
    expect(
      lines().filter((line) => line.requestId === 'reply-req-0001'),
    ).toContainEqual(
      expect.objectContaining({
        context: 'InstagramSendApi',
        msg: 'Reply delivered to Instagram (facebook login)',
      }),
    );
  });

  it('never writes a token, secret, signature, password or message text', async () => {
    // Credentials in the places a log could pick them up: a query string, headers, a body.
    await api()
      .get('/webhook/instagram')
      .query({
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': '1158201444',
      })
      .expect(200);
    await api()
      .get('/api/health')
      .query({ access_token: 'EAAquerystringtoken0123456789' })
      .set('Cookie', 'session=cookie-secret-value');
    await api()
      .post('/api/auth/login')
      .send({ email: 'nobody@example.test', password: 'wrong-password-73f1' })
      .expect(401);

    const output = env.logs.join('\n');
    const secrets = [
      owner.accessToken,
      TEST_PASSWORD,
      'wrong-password-73f1',
      ...env.issuedTokens(),
      SANDBOX_APP_SECRET,
      VERIFY_TOKEN,
      'EAAquerystringtoken0123456789',
      'cookie-secret-value',
      'zebra-lighthouse',
      'quartz-meadow',
    ];
    expect(env.issuedTokens().length).toBeGreaterThan(0);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/sha256=[0-9a-f]{64}/);
    // And the lines it did write are there: this is not an empty log passing by default.
    expect(output).toContain('/webhook/instagram?hub.mode=subscribe');
    expect(lines().length).toBeGreaterThan(10);
  });
});
