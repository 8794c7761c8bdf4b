import { ServerEvent } from '@instantchat/contracts';
import type { AuthResponseDto, MessageDto } from '@instantchat/contracts';
import { randomBytes } from 'node:crypto';
import { ANNA, SendTestKit } from '../instagram/sending/testing/send-test-kit';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
} from '../instagram/testing/instagram-test-env';
import {
  startTwoInstagramInstances,
  type TwoInstagramInstances,
} from '../instagram/testing/two-instagram-instances';
import {
  describeWithRedis,
  REDIS_TEST_URL,
} from '../realtime/testing/redis-for-tests';
import {
  connectSocket,
  nextEvent,
  pause,
  recordEvents,
  SILENCE_MS,
  type TestSocket,
  watchInstagramEvents,
} from '../realtime/testing/socket-client';
import type { TestApp } from '../testing/test-app';
import { testRedisKeyPrefix } from '../testing/two-instances';
import {
  inboxSettled,
  messagingDelivery,
  postWebhook,
} from './testing/webhook-test-kit';
import { WebhookProcessor } from './webhook-processor.service';

/**
 * Two API instances on one database and one Redis, as behind a load balancer: Meta's deliveries
 * land on either, the inbox's leases let exactly one process each, and the owner's dashboard hears
 * every message on whichever instance its socket is connected to. Runs where Redis is expected
 * (CI, REDIS_TEST_URL) and fails there without it.
 */
describeWithRedis('Webhooks across two API instances (e2e)', () => {
  let instances: TwoInstagramInstances;
  let env: InstagramTestEnv;
  let second: TestApp;
  let owner: AuthResponseDto;
  const sockets: TestSocket[] = [];
  const first = () => env.testApp;
  const db = () => env.database();

  beforeAll(async () => {
    instances = await startTwoInstagramInstances({
      REDIS_URL: REDIS_TEST_URL,
      REDIS_KEY_PREFIX: testRedisKeyPrefix(),
    });
    ({ env, second } = instances);
    owner = await first().register();
    await new SendTestKit(env).connectWithFacebook(owner);
  });
  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await instances?.close();
  });

  const dm = (mid: string, text: string) =>
    messagingDelivery(BLUE_JACKET.accountId, [
      {
        sender: { id: ANNA },
        recipient: { id: BLUE_JACKET.accountId },
        timestamp: Date.now(),
        message: { mid, text },
      },
    ]);

  it('a DM Meta delivers to instance A reaches the owner’s dashboard connected to instance B, and its events page there', async () => {
    const socket = await connectSocket(second.url, owner.accessToken);
    sockets.push(socket);
    const eventsPage = await connectSocket(second.url, owner.accessToken);
    sockets.push(eventsPage);
    expect(await watchInstagramEvents(eventsPage)).toMatchObject({ ok: true });
    const inboxHeardEvents = recordEvents(socket, ServerEvent.InstagramEvent);
    const heard = nextEvent(
      socket,
      ServerEvent.MessageNew,
      (message) => message.text === 'Is the blue jacket in stock?',
    );
    // The delivery of this DM, once worked on (the DM's own mid is Meta's to choose).
    const pageHeard = nextEvent(
      eventsPage,
      ServerEvent.InstagramEvent,
      (event) =>
        event.status === 'processed' &&
        event.items.some(
          (item) =>
            item.kind === 'message' && item.accountId === BLUE_JACKET.accountId,
        ),
    );
    // Meta (the sandbox) posts to instance A only.
    const callback = await env.control('PUT', '/webhooks/callback', {
      url: `${first().url}/webhook/instagram`,
    });
    expect(callback.status).toBe(200);

    const sent = await env.control('POST', '/events', {
      type: 'text',
      user: ANNA,
      account: BLUE_JACKET.accountId,
      text: 'Is the blue jacket in stock?',
    });
    expect(sent.status).toBe(202);

    const message = (await heard) as MessageDto;
    expect(message).toMatchObject({
      source: 'instagram',
      status: 'delivered',
      text: 'Is the blue jacket in stock?',
    });
    // The delivery was worked on by A; B's watching socket hears it through Redis, the inbox's not.
    expect(await pageHeard).toMatchObject({
      status: 'processed',
      items: [expect.objectContaining({ accountId: BLUE_JACKET.accountId })],
    });
    await pause(SILENCE_MS);
    expect(inboxHeardEvents).toEqual([]);
  });

  it('deliveries spread over both instances, redelivered to the other and swept by both at once: each event is processed exactly once', async () => {
    const socket = await connectSocket(second.url, owner.accessToken);
    sockets.push(socket);
    const announced = recordEvents(socket, ServerEvent.MessageNew);
    const run = randomBytes(4).toString('hex');
    const count = 40;
    const bodies = Array.from({ length: count }, (_, i) =>
      dm(`mid.${run}.${i}`, `two-instances ${run} ${i}`),
    );

    // Each delivery goes to one instance, and Meta's retry of it (the same bytes) to the other.
    await Promise.all(
      bodies.map((body, i) =>
        postWebhook(
          (i % 2 ? second : first()).http,
          body,
          SANDBOX_APP_SECRET,
        ).expect(200),
      ),
    );
    await Promise.all(
      bodies.map((body, i) =>
        postWebhook(
          (i % 2 ? first() : second).http,
          body,
          SANDBOX_APP_SECRET,
        ).expect(200),
      ),
    );
    await Promise.all(
      [first(), second, first(), second].map((app) =>
        app.app.get(WebhookProcessor).sweep(),
      ),
    );
    await inboxSettled(db(), 30_000);
    await pause(500);

    const stored = await db()
      .collection('messages')
      .find({ text: { $regex: `^two-instances ${run} ` } })
      .toArray();
    const events = await db()
      .collection('webhookevents')
      .find({ rawBody: { $regex: `mid\\.${run}\\.` } })
      .toArray();
    const ours = announced.filter((m) =>
      m.text.startsWith(`two-instances ${run} `),
    );
    console.log(
      `two instances: ${count} events posted twice (${count * 2} deliveries), ${events.length} stored, ${stored.length} messages, ${ours.length} announced on B`,
    );
    expect(events).toHaveLength(count);
    expect(events.map((e) => [e['status'], e['attempts']])).toEqual(
      events.map(() => ['processed', 1]),
    );
    expect(stored).toHaveLength(count);
    expect(new Set(stored.map((m) => m['instagramMessageId'])).size).toBe(
      count,
    );
    expect(ours).toHaveLength(count);
  }, 60_000);
});
