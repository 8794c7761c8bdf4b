import type { AuthResponseDto } from '@instantchat/contracts';
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
});
