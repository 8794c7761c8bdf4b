import type {
  AuthResponseDto,
  WebhookEventPageDto,
} from '@instantchat/contracts';
import { Types } from 'mongoose';
import request from 'supertest';
import { ChannelInbox } from '../chat/channels/channel-inbox.service';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import { messagingDelivery, postWebhook } from './testing/webhook-test-kit';
import { WebhookProcessor } from './webhook-processor.service';

/** Items whose processing fails are retried on a schedule, then end failed and visible. */
describe('Webhook processing retries (e2e)', () => {
  let env: InstagramTestEnv;
  let owner: AuthResponseDto;
  let processor: WebhookProcessor;
  let openThread: jest.SpyInstance;
  let sequence = 0;

  const deliver = async () => {
    sequence += 1;
    const mid = `mid.retry-${sequence}`;
    await postWebhook(
      env.testApp.http,
      messagingDelivery(BLUE_JACKET.accountId, [
        {
          sender: { id: '5552000' },
          recipient: { id: BLUE_JACKET.accountId },
          timestamp: Date.now(),
          message: { mid, text: `retry ${sequence}` },
        },
      ]),
      SANDBOX_APP_SECRET,
    ).expect(200);
    return mid;
  };
  const eventOf = async (mid: string) => {
    const page = (
      await request(env.testApp.http)
        .get('/api/instagram/events')
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body as WebhookEventPageDto;
    const event = page.items.find((e) =>
      e.items.some((i) => i.externalMessageId === mid),
    );
    if (!event) throw new Error(`No event for ${mid}`);
    return event;
  };
  /** Runs the sweep (as its timer would) until nothing is pending, within a bound. */
  const sweepUntilSettled = async () => {
    const events = env.database().collection('webhookevents');
    for (let round = 0; round < 100; round += 1) {
      await processor.sweep();
      if ((await events.countDocuments({ status: 'pending' })) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('Deliveries still pending');
  };
  const finishedAtOf = async (eventId: string) =>
    (
      await env
        .database()
        .collection('webhookevents')
        .findOne({ _id: new Types.ObjectId(eventId) })
    )?.['finishedAt'];
  const storedTexts = async () =>
    (
      await env
        .database()
        .collection('messages')
        .find({ instagramSenderId: '5552000' })
        .toArray()
    ).map((m) => m['text']);

  beforeAll(async () => {
    env = await startInstagramTestEnv();
    owner = await env.testApp.register();
    const run = await env.connectInBrowser(owner, {
      method: 'facebook',
      choose: { page_id: BLUE_JACKET.pageId },
    });
    expect(run.landing.searchParams.get('status')).toBe('connected');
    processor = env.testApp.app.get(WebhookProcessor);
    processor.retryDelaysMs = [20, 20];
  });
  beforeEach(() => {
    openThread = jest.spyOn(env.testApp.app.get(ChannelInbox), 'openThread');
  });
  afterEach(() => openThread.mockRestore());
  afterAll(async () => {
    await env?.close();
  });

  it('retries a failed item after a delay and records how many attempts it took', async () => {
    openThread.mockRejectedValueOnce(new Error('database hiccup'));

    const mid = await deliver();
    await sweepUntilSettled();

    expect(await eventOf(mid)).toMatchObject({
      status: 'processed',
      items: [expect.objectContaining({ status: 'processed', attempts: 2 })],
    });
    expect(await storedTexts()).toContain(`retry ${sequence}`);
  });

  it('gives up after the schedule: failed, with the error, until the owner retries it', async () => {
    openThread.mockRejectedValue(new Error('database hiccup'));

    const mid = await deliver();
    await sweepUntilSettled();

    const failed = await eventOf(mid);
    expect(failed).toMatchObject({
      status: 'failed',
      items: [
        expect.objectContaining({
          status: 'failed',
          attempts: 3,
          error: 'database hiccup',
        }),
      ],
    });
    expect(await storedTexts()).not.toContain(`retry ${sequence}`);
    // Kept for support: a failed delivery never expires (webhook-retention.ts).
    expect(await finishedAtOf(failed.id)).toBeNull();

    openThread.mockRestore();
    await request(env.testApp.http)
      .post(`/api/instagram/events/${failed.id}/retry`)
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    await sweepUntilSettled();

    expect((await eventOf(mid)).status).toBe('processed');
    expect(await storedTexts()).toContain(`retry ${sequence}`);
    // Processed at last: its retention runs from now.
    expect(await finishedAtOf(failed.id)).toBeInstanceOf(Date);
  });

  it('picks up a delivery a crashed processor left behind, once its hold ran out', async () => {
    sequence += 1;
    const mid = `mid.crash-${sequence}`;
    const rawBody = messagingDelivery(BLUE_JACKET.accountId, [
      {
        sender: { id: '5552000' },
        recipient: { id: BLUE_JACKET.accountId },
        timestamp: Date.now(),
        message: { mid, text: `after the crash ${sequence}` },
      },
    ]);
    // As stored by an intake whose process died right after the insert, mid-way through a pass.
    await env
      .database()
      .collection('webhookevents')
      .insertOne({
        rawBody,
        digest: `crash-${sequence}`,
        receivedAt: new Date(),
        status: 'pending',
        attempts: 1,
        lastError: null,
        nextAttemptAt: new Date(Date.now() - 60_000),
        leaseUntil: new Date(Date.now() - 1),
        items: [],
        itemsRead: false,
      });

    await sweepUntilSettled();

    expect(await eventOf(mid)).toMatchObject({
      status: 'processed',
      attempts: 2,
    });
    expect(await storedTexts()).toContain(`after the crash ${sequence}`);
  });

  it('leaves a delivery alone while another processor holds it', async () => {
    const held = await env
      .database()
      .collection('webhookevents')
      .insertOne({
        rawBody: messagingDelivery(BLUE_JACKET.accountId, []),
        digest: 'held-elsewhere',
        receivedAt: new Date(),
        status: 'pending',
        attempts: 1,
        lastError: null,
        nextAttemptAt: new Date(Date.now() - 60_000),
        leaseUntil: new Date(Date.now() + 60_000),
        items: [],
        itemsRead: false,
      });

    await processor.sweep();

    expect(
      await env
        .database()
        .collection('webhookevents')
        .findOne({ _id: held.insertedId }),
    ).toMatchObject({ status: 'pending', attempts: 1 });
    await env
      .database()
      .collection('webhookevents')
      .deleteOne({ _id: held.insertedId });
  });
});
