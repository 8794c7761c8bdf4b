import type { AuthResponseDto } from '@instantchat/contracts';
import request from 'supertest';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import {
  ANNA,
  BEN,
  SendTestKit,
} from '../instagram/sending/testing/send-test-kit';
import { TestSockets } from '../realtime/testing/socket-client';
import { createTestApp } from '../testing/test-app';
import { ObservedFlow } from './testing/observed-flow';
import { postWebhook } from './testing/webhook-test-kit';

const METRICS_TOKEN = 'metrics-e2e-token-7d1f0c9a2b';

/** One sample's value, by metric name and a subset of its labels (0 when absent). */
function sample(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const own = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    if (Object.entries(labels).every(([key, value]) => own[key] === value))
      total += Number(match[3]);
  }
  return total;
}

describe('GET /metrics (e2e)', () => {
  let env: InstagramTestEnv;
  let flow: ObservedFlow;
  let owner: AuthResponseDto;
  const sockets = new TestSockets(() => env.testApp.url);

  beforeAll(async () => {
    env = await startInstagramTestEnv(() => ({ METRICS_TOKEN }));
    flow = new ObservedFlow(env);
    owner = await env.testApp.register();
    await new SendTestKit(env).connectWithFacebook(owner);
  });

  afterEach(() => sockets.closeAll());

  afterAll(async () => {
    await env?.close();
  });

  const scrape = async () =>
    (
      await request(env.testApp.http)
        .get('/metrics')
        .set('Authorization', `Bearer ${METRICS_TOKEN}`)
        .expect(200)
    ).text;

  it('is served only with the metrics token, outside /api', async () => {
    const anonymous = await request(env.testApp.http)
      .get('/metrics')
      .expect(401);
    expect(anonymous.headers['www-authenticate']).toBe(
      'Bearer realm="metrics"',
    );
    await request(env.testApp.http)
      .get('/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}x`)
      .expect(401);
    // A user's JWT is no metrics token.
    await request(env.testApp.http)
      .get('/metrics')
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .expect(401);
    await request(env.testApp.http)
      .get('/api/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}`)
      .expect(404);

    const response = await request(env.testApp.http)
      .get('/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}`)
      .expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    // The process's own metrics come along.
    expect(
      sample(response.text, 'process_cpu_user_seconds_total'),
    ).toBeGreaterThan(0);
    expect(response.text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('counts and times webhook intake, by the status answered', async () => {
    const before = await scrape();
    await flow.contactWrites(BLUE_JACKET.accountId, ANNA, 'Hello?', 'm-1');
    await postWebhook(env.testApp.http, '{"object":"instagram"}').expect(401);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('instantchat_webhook_requests_total', { status: '200' })).toBe(
      1,
    );
    expect(delta('instantchat_webhook_requests_total', { status: '401' })).toBe(
      1,
    );
    expect(
      delta('instantchat_webhook_intake_duration_seconds_count', {
        status: '200',
      }),
    ).toBe(1);
    // The intake was timed: it fell in some bucket at or under 10 seconds.
    expect(
      delta('instantchat_webhook_intake_duration_seconds_bucket', {
        status: '200',
        le: '10',
      }),
    ).toBe(1);
  });

  it('counts Send API outcomes by Meta error code', async () => {
    await flow.contactWrites(BLUE_JACKET.accountId, BEN, 'Any news?', 'm-2');
    const conversation = await flow.conversationWith(owner, BEN);
    const before = await scrape();

    await expect(
      flow.ownerReplies(owner, conversation.id, 'It ships today', 'm-3'),
    ).resolves.toBe('sent');
    // Meta refuses the next one: permission missing (#200).
    const fault = await env.control('POST', '/faults', {
      kind: 'permission',
      path: '/messages',
    });
    expect(fault.status).toBe(201);
    await expect(
      flow.ownerReplies(
        owner,
        conversation.id,
        'Tracking number follows',
        'm-4',
      ),
    ).resolves.toBe('failed');

    const after = await scrape();
    const delta = (labels: Record<string, string>) =>
      sample(after, 'instantchat_instagram_sends_total', labels) -
      sample(before, 'instantchat_instagram_sends_total', labels);
    expect(delta({ outcome: 'sent', code: 'none' })).toBe(1);
    expect(delta({ outcome: 'permission_missing', code: '200' })).toBe(1);
  });

  it('reports the inbox backlog and its oldest pending delivery', async () => {
    const events = env.database().collection('webhookevents');
    await events.insertOne({
      rawBody: '{"object":"instagram","entry":[]}',
      digest: 'metrics-backlog',
      receivedAt: new Date(Date.now() - 120_000),
      status: 'pending',
      attempts: 1,
      lastError: null,
      // Due later: the processor leaves it pending meanwhile.
      nextAttemptAt: new Date(Date.now() + 3_600_000),
      leaseUntil: null,
      items: [],
      itemsRead: false,
    });
    try {
      const text = await scrape();
      expect(sample(text, 'instantchat_webhook_inbox_pending')).toBe(1);
      expect(
        sample(text, 'instantchat_webhook_inbox_oldest_pending_age_seconds'),
      ).toBeGreaterThanOrEqual(120);
    } finally {
      await events.deleteOne({ digest: 'metrics-backlog' });
    }
    const drained = await scrape();
    expect(sample(drained, 'instantchat_webhook_inbox_pending')).toBe(0);
    expect(
      sample(drained, 'instantchat_webhook_inbox_oldest_pending_age_seconds'),
    ).toBe(0);
  });

  it('gauges the open socket connections', async () => {
    const before = sample(await scrape(), 'instantchat_socket_connections');
    const first = await sockets.connect(owner.accessToken);
    await sockets.connect(owner.accessToken);
    expect(sample(await scrape(), 'instantchat_socket_connections')).toBe(
      before + 2,
    );
    first.close();
    const deadline = Date.now() + 5_000;
    while (
      sample(await scrape(), 'instantchat_socket_connections') !== before + 1 &&
      Date.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sample(await scrape(), 'instantchat_socket_connections')).toBe(
      before + 1,
    );
  });
});

describe('GET /metrics without METRICS_TOKEN (e2e)', () => {
  it('does not exist', async () => {
    const testApp = await createTestApp();
    try {
      await request(testApp.http).get('/metrics').expect(404);
      await request(testApp.http)
        .get('/metrics')
        .set('Authorization', 'Bearer anything-at-all-here')
        .expect(404);
    } finally {
      await testApp.close();
    }
  });
});
