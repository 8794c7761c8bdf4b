import type { AuthResponseDto } from '@instantchat/contracts';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import {
  inboxSettled,
  messagingDelivery,
  postWebhook,
} from './testing/webhook-test-kit';
import { WebhookEvent } from './schemas/webhook-event.schema';
import { WebhookInbox } from './webhook-inbox.service';
import { WebhookProcessor } from './webhook-processor.service';

/**
 * More deliveries than the processor holds: those intake could not lease to it are claimed by the
 * sweep in batches, not one command each (one claim per delivery is what kept a backlog growing
 * under a flood), and every one of them is still processed once.
 */
describe('A webhook flood beyond what the processor holds (e2e)', () => {
  const DELIVERIES = 40;
  const HELD = 4;
  let env: InstagramTestEnv;
  let owner: AuthResponseDto;
  let processor: WebhookProcessor;

  beforeAll(async () => {
    env = await startInstagramTestEnv();
    owner = await env.testApp.register();
    const run = await env.connectInBrowser(owner, {
      method: 'facebook',
      choose: { page_id: BLUE_JACKET.pageId },
    });
    expect(run.landing.searchParams.get('status')).toBe('connected');
    processor = env.testApp.app.get(WebhookProcessor);
    processor.maxHeld = HELD;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('claims the deliveries left behind in batches and processes each once', async () => {
    const inbox = env.testApp.app.get(WebhookInbox);
    const claimOne = jest.spyOn(inbox, 'claim');
    const claimDue = jest.spyOn(inbox, 'claimDue');
    const stamp = Date.now();

    const answers = await Promise.all(
      Array.from({ length: DELIVERIES }, (_, n) =>
        postWebhook(
          env.testApp.http,
          messagingDelivery(BLUE_JACKET.accountId, [
            {
              sender: { id: '5553000' },
              recipient: { id: BLUE_JACKET.accountId },
              timestamp: stamp + n,
              message: { mid: `mid.flood-${n}`, text: `flood ${n}` },
            },
          ]),
          SANDBOX_APP_SECRET,
        ),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(
      Array(DELIVERIES).fill(200),
    );
    await inboxSettled(env.database(), 20_000);

    const events = await env
      .database()
      .collection('webhookevents')
      .find({ 'items.externalMessageId': /^mid\.flood-/ })
      .toArray();
    expect(events).toHaveLength(DELIVERIES);
    expect(events.every((event) => event['status'] === 'processed')).toBe(true);
    // Each delivery taken up once: the first pass processed it.
    expect(events.map((event) => event['attempts'])).toEqual(
      Array(DELIVERIES).fill(1),
    );
    const texts = (
      await env
        .database()
        .collection('messages')
        .find({ instagramSenderId: '5553000' })
        .toArray()
    ).map((message) => message['text'] as string);
    expect(texts.sort()).toEqual(
      Array.from({ length: DELIVERIES }, (_, n) => `flood ${n}`).sort(),
    );
    // None claimed alone; the sweep's claims took several each (at most HELD per claim).
    expect(claimOne).not.toHaveBeenCalled();
    expect(claimDue).toHaveBeenCalled();
    expect(claimDue.mock.calls.length).toBeLessThan(DELIVERIES);
    claimOne.mockRestore();
    claimDue.mockRestore();
  });

  it('keeps sweeping when another processor wins part of a full batch', async () => {
    const database = env.database();
    const events: Model<WebhookEvent> = env.testApp.app.get(
      getModelToken(WebhookEvent.name),
    );
    const STORED = 3 * HELD;
    // Only the sweep takes these up: no room for intake's leases, and no periodic sweep, whose
    // next run would otherwise hide a sweep that stopped early.
    clearInterval(processor['sweepTimer']);
    processor.maxHeld = 0;
    const stamp = Date.now();
    for (let n = 0; n < STORED; n++) {
      const answer = await postWebhook(
        env.testApp.http,
        messagingDelivery(BLUE_JACKET.accountId, [
          {
            sender: { id: '5553001' },
            recipient: { id: BLUE_JACKET.accountId },
            timestamp: stamp + n,
            message: { mid: `mid.shared-${n}`, text: `shared ${n}` },
          },
        ]),
        SANDBOX_APP_SECRET,
      );
      expect(answer.status).toBe(200);
    }
    const stored = await database
      .collection('webhookevents')
      .find({ status: 'pending', leaseUntil: null })
      .sort({ _id: 1 })
      .toArray();
    expect(stored).toHaveLength(STORED);

    // Between the sweep's first pick and its lease, "another processor" leases the oldest one.
    const otherLease = stored[0]._id;
    const leaseMany = events.updateMany.bind(events);
    const updateMany = jest
      .spyOn(events, 'updateMany')
      .mockImplementationOnce(((filter, update) => ({
        exec: async () => {
          await database.collection('webhookevents').updateOne(
            { _id: otherLease },
            {
              $set: {
                leaseUntil: new Date(Date.now() + 60_000),
                leaseId: 'another-processor',
              },
            },
          );
          return leaseMany(filter, update).exec();
        },
      })) as typeof events.updateMany);

    // As for deliveries another instance's intake stored, or retries that came due: this process
    // has no note of any left behind, so only the sweep itself can go on to the rest.
    processor['leftBehind'] = false;
    processor.maxHeld = HELD;
    await processor.sweep();
    updateMany.mockRestore();

    // The first claim won HELD - 1 of the HELD it found; the rest were still claimed and processed.
    const deadline = Date.now() + 10_000;
    let left = STORED;
    while (left > 1 && Date.now() < deadline) {
      left = await database.collection('webhookevents').countDocuments({
        _id: { $in: stored.map((event) => event._id) },
        status: 'pending',
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(left).toBe(1);
    const other = await database
      .collection('webhookevents')
      .findOne({ _id: otherLease });
    expect(other?.['leaseId']).toBe('another-processor');
    expect(other?.['status']).toBe('pending');
  });
});
