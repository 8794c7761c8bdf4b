import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AppConfigService } from '../config/app-config.service';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import { SendTestKit } from '../instagram/sending/testing/send-test-kit';
import { WebhookEvent } from './schemas/webhook-event.schema';
import {
  inboxSettled,
  messagingDelivery,
  postWebhook,
} from './testing/webhook-test-kit';
import { WEBHOOK_EVENT_TTL_INDEX, WebhookRetention } from './webhook-retention';

const DAY_SECONDS = 86_400;
const CONTACT = '1914357145407531';

/**
 * The webhook inbox keeps finished deliveries (processed, ignored) for WEBHOOK_RETENTION_DAYS
 * through a TTL index on `finishedAt`, and keeps failed ones (no `finishedAt`) until a retry ends
 * them.
 */
describe('Webhook inbox retention (e2e)', () => {
  let env: InstagramTestEnv;

  const events = () => env.database().collection('webhookevents');
  const ttlIndex = async () =>
    (await events().listIndexes().toArray()).find(
      (index) => index.name === WEBHOOK_EVENT_TTL_INDEX,
    );
  const post = (body: string, status: number) =>
    postWebhook(env.testApp.http, body, SANDBOX_APP_SECRET).expect(status);

  beforeAll(async () => {
    env = await startInstagramTestEnv(() => ({
      WEBHOOK_RETENTION_DAYS: '7',
    }));
    const owner = await env.testApp.register();
    await new SendTestKit(env).connectWithFacebook(owner);
  });
  afterAll(() => env?.close());

  it('indexes finishedAt with the configured expiry', async () => {
    expect(await ttlIndex()).toMatchObject({
      key: { finishedAt: 1 },
      expireAfterSeconds: 7 * DAY_SECONDS,
    });
  });

  it('dates only the deliveries that ended processed or ignored; a failed one is kept', async () => {
    const before = Date.now();
    await post(
      messagingDelivery(BLUE_JACKET.accountId, [
        {
          sender: { id: CONTACT },
          recipient: { id: BLUE_JACKET.accountId },
          timestamp: Date.now(),
          message: { mid: 'aWdfRETENTION1', text: 'Kept for a week' },
        },
      ]),
      200,
    );
    await post(
      messagingDelivery('17841400000000000', [
        {
          sender: { id: CONTACT },
          recipient: { id: '17841400000000000' },
          timestamp: Date.now(),
          message: { mid: 'aWdfRETENTION2', text: 'Nobody connected this' },
        },
      ]),
      200,
    );
    await post(JSON.stringify({ object: 'whatsapp_business_account' }), 200);
    await post('{"object": "instagram", "entry": [', 400);
    await inboxSettled(env.database());

    const stored = await events()
      .find({ receivedAt: { $gte: new Date(before - 1_000) } })
      .sort({ _id: 1 })
      .toArray();
    expect(
      stored.map((e) => [e['status'], e['finishedAt'] instanceof Date]),
    ).toEqual([
      ['processed', true],
      ['ignored', true],
      ['ignored', true],
      ['failed', false],
    ]);
    for (const finished of stored.slice(0, 3)) {
      expect(finished['finishedAt'].getTime()).toBeGreaterThanOrEqual(
        finished['receivedAt'].getTime(),
      );
    }
    expect(stored[3]['finishedAt']).toBeNull();
  });

  it('replaces an index left with another expiry when the retention changes', async () => {
    const model = env.testApp.app.get<Model<WebhookEvent>>(
      getModelToken(WebhookEvent.name),
    );
    const config = env.testApp.app.get(AppConfigService);
    const indexCount = (await events().listIndexes().toArray()).length;

    await new WebhookRetention(model, {
      ...config,
      webhooks: { eventRetentionDays: 2 },
    } as AppConfigService).onModuleInit();

    expect((await ttlIndex())?.['expireAfterSeconds']).toBe(2 * DAY_SECONDS);
    expect(await events().listIndexes().toArray()).toHaveLength(indexCount);
  });
});
