import type { ConversationDto, MessageDto, Page } from '@instantchat/contracts';
import request from 'supertest';
import { ChannelInbox } from '../chat/channels/channel-inbox.service';
import type { MessageReference } from '../chat/channels/channel.types';
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

const CONTACT = '7001002003';
const MID = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjRACE1';

/**
 * A change (here a reaction) and the message it concerns, processed at the same moment: the
 * message is stored right after the change's update found nothing and right before the applier
 * looks whether the message exists. The change must still be applied (it was once dropped as
 * "stale", so a reaction or an unreact raced by its message was lost).
 */
describe('A change that races the message it concerns (e2e)', () => {
  let env: InstagramTestEnv;

  beforeAll(async () => {
    env = await startInstagramTestEnv();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await env?.close();
  });

  it('applies a reaction whose message is stored between the update and the look', async () => {
    const owner = await env.testApp.register();
    const run = await env.connectInBrowser(owner, {
      method: 'facebook',
      choose: { page_id: BLUE_JACKET.pageId },
    });
    expect(run.landing.searchParams.get('status')).toBe('connected');

    const inbox = env.testApp.app.get(ChannelInbox);
    const realUpdate = inbox.updateMessage.bind(inbox);
    let raced = false;
    jest
      .spyOn(inbox, 'updateMessage')
      .mockImplementation(async (reference, change) => {
        const result = await realUpdate(reference, change);
        if (!raced && result === null && isByExternalId(reference)) {
          raced = true;
          // The message's own delivery, processed in between.
          await inbox.recordInbound({
            conversationId: reference.conversationId,
            externalMessageId: reference.externalMessageId,
            externalSenderId: CONTACT,
            text: 'The blue one, size M',
            sentAt: new Date(),
          });
        }
        return result;
      });

    await postWebhook(
      env.testApp.http,
      messagingDelivery(BLUE_JACKET.accountId, [
        {
          sender: { id: CONTACT },
          recipient: { id: BLUE_JACKET.accountId },
          timestamp: Date.now(),
          reaction: { mid: MID, action: 'react', emoji: '❤️' },
        },
      ]),
      SANDBOX_APP_SECRET,
    ).expect(200);
    await inboxSettled(env.database());
    expect(raced).toBe(true);

    const api = () => request(env.testApp.http);
    const [conversation] = (
      await api()
        .get('/api/conversations')
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body as ConversationDto[];
    const history = (
      await api()
        .get(`/api/conversations/${conversation.id}/messages`)
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body as Page<MessageDto>;
    expect(history.items.map((m) => [m.text, m.reactions])).toEqual([
      ['The blue one, size M', [expect.objectContaining({ reaction: '❤️' })]],
    ]);
  });
});

function isByExternalId(
  reference: MessageReference,
): reference is { conversationId: string; externalMessageId: string } {
  return 'conversationId' in reference && 'externalMessageId' in reference;
}
