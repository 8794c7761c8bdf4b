import type {
  AuthResponseDto,
  WebhookEventDto,
  WebhookEventPageDto,
} from '@instantchat/contracts';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { Types } from 'mongoose';
import {
  BLUE_JACKET,
  CORNER_BAKERY,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  SOLO_STUDIO,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import { messagingDelivery, postWebhook } from './testing/webhook-test-kit';
import { WebhookProcessor } from './webhook-processor.service';

/**
 * A delivery intake stored but the processor has not read yet has no items, yet it is the backlog
 * an owner wants to see: it is listed to the holders of the accounts its body names, as pending.
 */
describe('Webhook deliveries not read yet in the events list (e2e)', () => {
  let env: InstagramTestEnv;
  let owner: AuthResponseDto;
  let stranger: AuthResponseDto;
  let processor: WebhookProcessor;
  let sequence = 0;

  /** Delivers one message to Blue Jacket; returns its mid and the stored delivery's id. */
  const deliver = async () => {
    sequence += 1;
    const mid = `mid.unread-${sequence}`;
    const body = messagingDelivery(BLUE_JACKET.accountId, [
      {
        sender: { id: '5554000' },
        recipient: { id: BLUE_JACKET.accountId },
        timestamp: Date.now(),
        message: { mid, text: `unread ${sequence}` },
      },
    ]);
    await postWebhook(env.testApp.http, body, SANDBOX_APP_SECRET).expect(200);
    const stored = await env
      .database()
      .collection('webhookevents')
      .findOne({ digest: createHash('sha256').update(body).digest('hex') });
    if (!stored) throw new Error(`No delivery stored for ${mid}`);
    return { mid, id: stored._id.toHexString(), stored };
  };
  const list = async (caller: AuthResponseDto, query = '') =>
    (
      await request(env.testApp.http)
        .get(`/api/instagram/events${query}`)
        .set('Authorization', `Bearer ${caller.accessToken}`)
        .expect(200)
    ).body as WebhookEventPageDto;
  const ids = (page: WebhookEventPageDto) => page.items.map((e) => e.id);
  /** Lets the processor work again and runs the sweep (as its timer would) until nothing is pending. */
  const resumeProcessing = async () => {
    processor.maxHeld = 512;
    const events = env.database().collection('webhookevents');
    for (let round = 0; round < 100; round += 1) {
      await processor.sweep();
      if ((await events.countDocuments({ status: 'pending' })) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('Deliveries still pending');
  };
  /**
   * The processor takes nothing more: intake leases it nothing (no room) and the sweep, its timer's
   * included, claims nothing, so what arrives stays stored and unread.
   */
  const holdProcessing = () => {
    processor.maxHeld = 0;
  };

  beforeAll(async () => {
    env = await startInstagramTestEnv();
    owner = await env.testApp.register();
    stranger = await env.testApp.register();
    const blue = await env.connectInBrowser(owner, {
      method: 'facebook',
      choose: { page_id: BLUE_JACKET.pageId },
    });
    expect(blue.landing.searchParams.get('status')).toBe('connected');
    const solo = await env.connectInBrowser(owner, {
      method: 'instagram',
      choose: { account_id: SOLO_STUDIO.accountId },
    });
    expect(solo.landing.searchParams.get('status')).toBe('connected');
    // Another business: it holds an account, so only the account filter keeps Blue Jacket's out.
    const bakery = await env.connectInBrowser(stranger, {
      method: 'facebook',
      choose: { page_id: CORNER_BAKERY.pageId },
    });
    expect(bakery.landing.searchParams.get('status')).toBe('connected');
    processor = env.testApp.app.get(WebhookProcessor);
  });
  afterEach(async () => {
    await resumeProcessing();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('shows the owner a delivery not read yet as pending with no items, and nobody else', async () => {
    holdProcessing();
    const { mid, id, stored } = await deliver();

    expect(stored).toMatchObject({
      itemsRead: false,
      status: 'pending',
      items: [],
      accountIds: [BLUE_JACKET.accountId],
    });
    const waiting: Partial<WebhookEventDto> = {
      id,
      status: 'pending',
      items: [],
    };
    expect((await list(owner, '?status=pending')).items).toEqual([
      expect.objectContaining(waiting),
    ]);
    expect((await list(owner)).items).toEqual([
      expect.objectContaining(waiting),
    ]);
    expect(
      ids(
        await list(owner, `?status=pending&accountId=${BLUE_JACKET.accountId}`),
      ),
    ).toEqual([id]);
    // Another status, another account of the owner's, or an account they do not hold: not it.
    expect(ids(await list(owner, '?status=processed'))).not.toContain(id);
    expect(ids(await list(owner, '?status=failed'))).not.toContain(id);
    expect(
      ids(await list(owner, `?accountId=${SOLO_STUDIO.accountId}`)),
    ).not.toContain(id);
    expect(
      ids(await list(owner, `?accountId=${CORNER_BAKERY.accountId}`)),
    ).not.toContain(id);
    // Another business (holding an account, not this one) sees nothing of it.
    expect((await list(stranger)).items).toEqual([]);
    expect((await list(stranger, '?status=pending')).items).toEqual([]);
    // Nothing of it to retry yet: not found, as for a delivery of someone else's.
    await request(env.testApp.http)
      .post(`/api/instagram/events/${id}/retry`)
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .expect(404);

    await resumeProcessing();

    const [processed] = (await list(owner)).items;
    expect(processed).toMatchObject({
      id,
      status: 'processed',
      items: [
        expect.objectContaining({
          accountId: BLUE_JACKET.accountId,
          externalMessageId: mid,
          status: 'processed',
        }),
      ],
    });
    expect(ids(await list(owner, '?status=pending'))).not.toContain(id);
    expect(ids(await list(stranger))).toEqual([]);
    // Once read, the accounts noted at intake are dropped: the items name them.
    const read = await env
      .database()
      .collection('webhookevents')
      .findOne({ _id: new Types.ObjectId(id) });
    expect(read).toMatchObject({ itemsRead: true, status: 'processed' });
    expect(read).not.toHaveProperty('accountIds');
  });

  it('keeps an index of the deliveries not read yet only', async () => {
    const indexes = await env.database().collection('webhookevents').indexes();
    expect(indexes).toContainEqual(
      expect.objectContaining({
        key: { accountIds: 1, _id: -1 },
        partialFilterExpression: { itemsRead: false },
      }),
    );
  });

  it('pages newest first across deliveries read and not read', async () => {
    const read = await deliver();
    await resumeProcessing();
    holdProcessing();
    const older = await deliver();
    const newer = await deliver();

    const first = await list(owner, '?limit=1');
    expect(ids(first)).toEqual([newer.id]);
    const second = await list(owner, `?limit=1&before=${first.nextCursor}`);
    expect(ids(second)).toEqual([older.id]);
    const third = await list(owner, `?limit=1&before=${second.nextCursor}`);
    expect(ids(third)).toEqual([read.id]);
    expect(third.items[0].status).toBe('processed');

    const pending = await list(owner, '?status=pending&limit=1');
    expect(ids(pending)).toEqual([newer.id]);
    const rest = await list(
      owner,
      `?status=pending&limit=1&before=${pending.nextCursor}`,
    );
    expect(ids(rest)).toEqual([older.id]);
    expect(rest.nextCursor).toBeNull();
  });
});
