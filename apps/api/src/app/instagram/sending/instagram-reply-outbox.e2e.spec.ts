import type { AuthResponseDto, MessageDto } from '@instantchat/contracts';
import { Types } from 'mongoose';
import { pause } from '../../realtime/testing/socket-client';
import type { TestApp } from '../../testing/test-app';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
} from '../testing/instagram-test-env';
import {
  startTwoInstagramInstances,
  type TwoInstagramInstances,
} from '../testing/two-instagram-instances';
import { InstagramReplyQueue } from './instagram-reply-queue';
import { MAY_HAVE_BEEN_DELIVERED } from './instagram-send.service';
import { ANNA, SendTestKit } from './testing/send-test-kit';

/** Meta's answer takes longer than this and the send counts as timed out. */
const META_TIMEOUT_MS = 1_500;
const FAST_RETRIES = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 };
/** Retries that never come due while a test runs, unless it asks a sweep about a later time. */
const DISTANT_RETRIES = {
  maxAttempts: 3,
  baseDelayMs: 60_000,
  maxDelayMs: 60_000,
};
/** When the sweeps look: past DISTANT_RETRIES' minute, counted from the failed attempt. */
const AFTER_THE_RETRY_MS = 90_000;

describe('Instagram replies shared by two API instances on one database (e2e)', () => {
  let instances: TwoInstagramInstances;
  let env: InstagramTestEnv;
  let kit: SendTestKit;
  let second: TestApp;
  const queueOf = (app: TestApp) => app.app.get(InstagramReplyQueue);
  /**
   * A sweep at `now` once the instance's own periodic sweep (every 5 s) is not running: a sweep
   * asked for while one runs does nothing, and on a loaded machine the periodic one runs long.
   */
  const sweepAt = async (app: TestApp, now: Date) => {
    const queue = queueOf(app);
    while (queue['sweeping']) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await queue.sweep(now);
  };
  const first = () => env.testApp;

  beforeAll(async () => {
    instances = await startTwoInstagramInstances({
      META_REQUEST_TIMEOUT_MS: String(META_TIMEOUT_MS),
    });
    ({ env, second } = instances);
    kit = new SendTestKit(env);
  });
  afterAll(async () => {
    await instances?.close();
  });
  beforeEach(async () => {
    await kit.startOver();
    for (const app of [first(), second]) {
      const queue = queueOf(app);
      queue.retryPolicy = FAST_RETRIES;
      queue.leaseMs = 60_000;
    }
  });

  const ownerWithThread = () => kit.ownerWithThread();
  const fault = (body: object) => kit.fault(body);
  const replyThrough = async (
    app: TestApp,
    owner: AuthResponseDto,
    conversationId: string,
    text: string,
  ): Promise<MessageDto> => {
    const response = await fetch(
      `${app.url}/api/conversations/${conversationId}/messages`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${owner.accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ text }),
      },
    );
    expect(response.status).toBe(201);
    return (await response.json()) as MessageDto;
  };
  const stored = (ids: string[]) =>
    env
      .database()
      .collection('messages')
      .find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } })
      .toArray();
  /** Sweeps on both instances until none of `ids` is pending (or fails after `timeoutMs`). */
  const settle = async (ids: string[], timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await Promise.all([queueOf(first()).sweep(), queueOf(second).sweep()]);
      const pending = (await stored(ids)).filter(
        (m) => m['status'] === 'pending',
      );
      if (pending.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${pending.length} replies still pending`);
      await pause(100);
    }
  };
  /** How many times the contact received each text. */
  const receivedCounts = async () => {
    const counts = new Map<string, number>();
    for (const text of await kit.receivedBy(BLUE_JACKET.accountId, ANNA))
      counts.set(text, (counts.get(text) ?? 0) + 1);
    return counts;
  };

  it('throttled replies due at once are claimed by one instance each: both sweep, every reply is sent exactly once', async () => {
    const { owner, conversationId } = await ownerWithThread();
    for (const app of [first(), second])
      queueOf(app).retryPolicy = DISTANT_RETRIES;
    const count = 24;
    await fault({ kind: 'rate_limit', times: count });
    const replies = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        replyThrough(
          i % 2 ? second : first(),
          owner,
          conversationId,
          `reply ${i}`,
        ),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 'pending'));

    // Past the retry's minute, every reply is due: both instances race for them.
    const later = new Date(Date.now() + AFTER_THE_RETRY_MS);
    await Promise.all([
      sweepAt(first(), later),
      sweepAt(second, later),
      sweepAt(first(), later),
    ]);

    const messages = await stored(replies.map((r) => r.id));
    expect(messages.map((m) => m['status'])).toEqual(
      messages.map(() => 'sent'),
    );
    const counts = await receivedCounts();
    expect(counts.size).toBe(count);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('a throttled reply whose instance stopped is taken over by the other when due, and sent once', async () => {
    const { owner, conversationId } = await ownerWithThread();
    await fault({ kind: 'rate_limit', times: 1 });
    queueOf(first()).retryPolicy = DISTANT_RETRIES;
    const reply = await replyThrough(first(), owner, conversationId, 'Hello');
    // The first instance "dies": its retry timer never runs.
    queueOf(first()).onApplicationShutdown();

    await sweepAt(second, new Date(Date.now() + AFTER_THE_RETRY_MS));
    queueOf(first()).onApplicationBootstrap();

    const [message] = await stored([reply.id]);
    expect(message).toMatchObject({
      status: 'sent',
      delivery: { attempts: 2 },
    });
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([
      'Hello',
    ]);
  });

  it('a claim whose holder died mid-try is settled after its lease: failed "may have been delivered", never sent again', async () => {
    const { owner, conversationId } = await ownerWithThread();
    await fault({ kind: 'rate_limit', times: 1 });
    queueOf(first()).retryPolicy = DISTANT_RETRIES;
    const reply = await replyThrough(first(), owner, conversationId, 'Hi');
    // As an instance leaves a reply it had claimed when it was killed calling Meta.
    await env
      .database()
      .collection('messages')
      .updateOne(
        { _id: new Types.ObjectId(reply.id) },
        {
          $set: {
            'delivery.dueAt': null,
            'delivery.holder': 'gone-host#4242#dead',
            'delivery.leaseUntil': new Date(Date.now() + 60_000),
          },
        },
      );

    await sweepAt(second, new Date(Date.now() + 30_000));
    expect((await stored([reply.id]))[0]).toMatchObject({ status: 'pending' });

    await sweepAt(second, new Date(Date.now() + AFTER_THE_RETRY_MS));
    const [message] = await stored([reply.id]);
    expect(message).toMatchObject({
      status: 'failed',
      error: MAY_HAVE_BEEN_DELIVERED,
      deliveryError: { mayHaveBeenDelivered: true },
    });
    expect(await kit.messagesSentToMeta(ANNA)).toEqual([]);
  });

  it('a pending reply nothing will take up (stored before the outbox existed) is failed "may have been delivered" after 30 minutes, not sent', async () => {
    const { owner, conversationId } = await ownerWithThread();
    await fault({ kind: 'rate_limit', times: 1 });
    queueOf(first()).retryPolicy = DISTANT_RETRIES;
    const reply = await replyThrough(first(), owner, conversationId, 'Old');
    // As the send path left replies before it kept a delivery state.
    await env
      .database()
      .collection('messages')
      .updateOne(
        { _id: new Types.ObjectId(reply.id) },
        { $unset: { delivery: '' } },
      );
    const queue = queueOf(second);

    expect(await queue.failOrphanedReplies(new Date(Date.now() + 60_000))).toBe(
      0,
    );
    expect(
      await queue.failOrphanedReplies(new Date(Date.now() + 31 * 60_000)),
    ).toBe(1);

    expect((await stored([reply.id]))[0]).toMatchObject({
      status: 'failed',
      error: MAY_HAVE_BEEN_DELIVERED,
    });
    expect(await kit.messagesSentToMeta(ANNA)).toEqual([]);
  });

  it('a holder slower than its lease is not duplicated: the other instance marks it, the late answer turns it sent', async () => {
    const { owner, conversationId } = await ownerWithThread();
    queueOf(first()).leaseMs = 300;
    await fault({ kind: 'slow', delayMs: 1_000 });
    const sending = replyThrough(first(), owner, conversationId, 'Slow one');
    await pause(600);
    await queueOf(second).sweep();

    const reply = await sending;
    expect(reply.status).toBe('sent');
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([
      'Slow one',
    ]);
  });

  it('Graph 5xx, rate limits and timeouts across both instances: every reply ends sent or failed with a reason, none stays pending', async () => {
    const { owner, conversationId } = await ownerWithThread();
    await fault({ kind: 'rate_limit', times: 2 });
    await fault({ kind: 'server_error', status: 500, times: 1 });
    await fault({ kind: 'gateway_error', status: 502, times: 2 });
    await fault({ kind: 'gateway_error', status: 503, times: 1 });
    await fault({ kind: 'slow', delayMs: META_TIMEOUT_MS * 2, times: 2 });
    await fault({ kind: 'app_rate_limit', times: 9 });
    const count = 16;
    const replies: MessageDto[] = [];
    for (let i = 0; i < count; i += 2)
      replies.push(
        ...(await Promise.all(
          [first(), second].map((app, j) =>
            replyThrough(app, owner, conversationId, `burst ${i + j}`),
          ),
        )),
      );
    const ids = replies.map((r) => r.id);

    await settle(ids);
    await pause(META_TIMEOUT_MS * 2);

    const messages = await stored(ids);
    const byStatus = (status: string) =>
      messages.filter((m) => m['status'] === status);
    expect(byStatus('sent').length + byStatus('failed').length).toBe(count);
    expect(byStatus('failed').length).toBeGreaterThan(0);
    for (const failed of byStatus('failed')) {
      expect(typeof failed['error']).toBe('string');
      expect(failed['error']).not.toBe('');
      expect(failed['deliveryError']).toMatchObject({
        mayHaveBeenDelivered: expect.any(Boolean),
      });
    }
    expect(
      byStatus('failed').some((m) => m['error'] === MAY_HAVE_BEEN_DELIVERED),
    ).toBe(true);
    // Nobody got a reply twice; what is `sent` reached the contact.
    const counts = await receivedCounts();
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const sent of byStatus('sent'))
      expect(counts.get(sent['text'] as string)).toBe(1);
  }, 60_000);
});
