import { getModelToken } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { createTestApp, type TestApp } from '../testing/test-app';
import { explainQuery } from '../testing/explained-query';
import {
  DUE_ORDER,
  dueDeliveries,
  WebhookEvent,
} from './schemas/webhook-event.schema';
import { WebhookProcessor } from './webhook-processor.service';

/** A backlog of pending deliveries, the oldest of them held by a processor. */
const BACKLOG = 3_000;
const HELD = 200;
const CLAIM = 64;

describe('The webhook sweep’s claims by index (e2e)', () => {
  let app: TestApp;
  let events: Model<WebhookEvent>;
  let ids: Types.ObjectId[];

  beforeAll(async () => {
    app = await createTestApp();
    events = app.app.get(getModelToken(WebhookEvent.name));
    await events.init();
    // The app's own processor must not claim the backlog this spec explains.
    const processor = app.app.get(WebhookProcessor);
    clearInterval(processor['sweepTimer']);
    processor.maxHeld = 0;
    const t0 = Date.now() - BACKLOG * 1000;
    const rows = Array.from({ length: BACKLOG }, (_, n) => ({
      _id: new Types.ObjectId(),
      rawBody: '{"object":"instagram","entry":[]}',
      digest: `sweep-${n}`,
      receivedAt: new Date(t0 + n * 1000),
      status: 'pending',
      attempts: n < HELD ? 1 : 0,
      nextAttemptAt: new Date(t0 + n * 1000),
      leaseUntil: n < HELD ? new Date(Date.now() + 60_000) : null,
      items: [],
      itemsRead: false,
    }));
    ids = rows.map((row) => row._id);
    for (let start = 0; start < rows.length; start += 1_000) {
      await events.collection.insertMany(rows.slice(start, start + 1_000));
    }
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('picks the deliveries due longest, reading no further than the claim takes', async () => {
    const pick = () =>
      events
        .find(dueDeliveries(new Date()), { _id: 1 })
        .sort(DUE_ORDER)
        .limit(CLAIM);
    const explained = await explainQuery(pick());

    expect(explained.plan).toContain('IXSCAN');
    expect(explained.plan).not.toContain('SORT');
    // The held ones it passes over, then one claim's worth: not the whole backlog.
    expect(explained.docsExamined).toBeLessThanOrEqual(HELD + CLAIM);
    const picked = await pick().lean<{ _id: Types.ObjectId }[]>().exec();
    expect(picked.map((event) => event._id.toHexString())).toEqual(
      ids.slice(HELD, HELD + CLAIM).map((id) => id.toHexString()),
    );
  });
});
