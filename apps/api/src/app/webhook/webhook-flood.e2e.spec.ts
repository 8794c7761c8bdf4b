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
import { InstagramEventApplier } from './instagram-event-applier';
import type { WebhookItem } from './instagram-webhook-items';
import { WebhookEvent } from './schemas/webhook-event.schema';
import { WebhookClaims } from './webhook-claims.service';
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
    const claims = env.testApp.app.get(WebhookClaims);
    const claimOne = jest.spyOn(claims, 'claim');
    const claimDue = jest.spyOn(claims, 'claimDue');
    const stamp = Date.now();

    const answers = await Promise.all(
      Array.from({ length: DELIVERIES }, (_, n) =>
        postDm('5553000', `mid.flood-${n}`, `flood ${n}`, stamp + n),
      ),
    );
    expect(answers).toEqual(Array(DELIVERIES).fill(200));
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
      expect(
        await postDm('5553001', `mid.shared-${n}`, `shared ${n}`, stamp + n),
      ).toBe(200);
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

  it('takes up deliveries left behind before any that came after them', async () => {
    processor.maxHeld = HELD;
    processor['leftBehind'] = false;
    const applier = env.testApp.app.get(InstagramEventApplier);
    const realApply = applier.apply.bind(applier);
    // The first HELD deliveries wait (each on its own gate) while holding every slot.
    const gates = new Map<string, () => void>();
    const gated = new Map<string, Promise<void>>();
    for (let n = 0; n < HELD; n++) {
      gated.set(
        `mid.order-${n}`,
        new Promise<void>((open) => gates.set(`mid.order-${n}`, open)),
      );
    }
    const applied: number[] = [];
    const apply = jest
      .spyOn(applier, 'apply')
      .mockImplementation(async (item: WebhookItem, eventId) => {
        const mid = 'externalMessageId' in item ? item.externalMessageId : '';
        applied.push(Number(/^mid\.order-(\d+)$/.exec(mid ?? '')?.[1] ?? -1));
        await gated.get(mid ?? '');
        return realApply(item, eventId);
      });
    const post = async (n: number) =>
      expect(await postDm('5553002', `mid.order-${n}`, `order ${n}`)).toBe(200);
    try {
      // 0…HELD-1 hold every slot; the next ones are left behind, in order.
      const LEFT_BEHIND = 2 * HELD;
      for (let n = 0; n < HELD + LEFT_BEHIND; n++) await post(n);
      await until(() => applied.length === HELD);
      // One slot frees (not yet half the room, so no sweep): a delivery arriving now must still
      // queue behind those left behind, not take the slot ahead of them.
      gates.get('mid.order-0')?.();
      await until(
        async () => (await pendingOrderDeliveries()) === HELD + LEFT_BEHIND - 1,
      );
      await post(HELD + LEFT_BEHIND);
      for (let n = 1; n < HELD; n++) gates.get(`mid.order-${n}`)?.();
      await until(async () => (await pendingOrderDeliveries()) === 0, 20_000);

      expect(applied.slice(0, HELD).sort()).toEqual(
        Array.from({ length: HELD }, (_, n) => n),
      );
      expect(applied.slice(HELD)).toEqual(
        Array.from({ length: LEFT_BEHIND + 1 }, (_, n) => HELD + n),
      );
    } finally {
      for (const open of gates.values()) open();
      apply.mockRestore();
    }
  });

  it('leases to intake again once a sweep has taken up what was left behind, arrivals or not', async () => {
    processor.maxHeld = HELD;
    // Something was left behind, and deliveries keep arriving while the sweeps' claims run.
    processor['leftBehind'] = true;
    const claims = env.testApp.app.get(WebhookClaims);
    const realClaimDue = claims.claimDue.bind(claims);
    let claimCount = 0;
    const claimDue = jest
      .spyOn(claims, 'claimDue')
      .mockImplementation(async (_now, limit) => {
        claimCount += 1;
        if (claimCount <= 2) {
          const name = `during-${claimCount}`;
          expect(await postDm('5553004', `mid.lease-${name}`, name)).toBe(200);
        }
        return realClaimDue(new Date(), limit);
      });
    try {
      await processor.sweep();
      for (const name of ['during-1', 'during-2']) {
        await until(
          async () => (await stored(name))?.['status'] === 'processed',
        );
      }
      // The first arrived while deliveries were left behind: stored for the sweep, which claimed
      // it. That claim took up everything due, so the second, arriving during the next claim, was
      // leased to the processor at intake, not left for a sweep that would see arrivals again.
      expect((await stored('during-1'))?.['leaseId']).toEqual(
        expect.any(String),
      );
      expect(await stored('during-2')).not.toHaveProperty('leaseId');
    } finally {
      claimDue.mockRestore();
    }
  });

  /** Posts a signed delivery of one DM to the connected account; the status Meta is answered. */
  async function postDm(
    sender: string,
    mid: string,
    text: string,
    timestamp = Date.now(),
  ): Promise<number> {
    const answer = await postWebhook(
      env.testApp.http,
      messagingDelivery(BLUE_JACKET.accountId, [
        {
          sender: { id: sender },
          recipient: { id: BLUE_JACKET.accountId },
          timestamp,
          message: { mid, text },
        },
      ]),
      SANDBOX_APP_SECRET,
    );
    return answer.status;
  }

  function stored(name: string) {
    return env
      .database()
      .collection('webhookevents')
      .findOne({ rawBody: new RegExp(`mid\\.lease-${name}`) });
  }

  async function pendingOrderDeliveries(): Promise<number> {
    return env
      .database()
      .collection('webhookevents')
      .countDocuments({ status: 'pending', rawBody: /mid\.order-/ });
  }
});

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
