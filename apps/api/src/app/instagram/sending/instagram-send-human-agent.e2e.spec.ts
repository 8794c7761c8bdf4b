import type { ApiErrorBody, ConversationDto } from '@instantchat/contracts';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  startInstagramTestEnv,
} from '../testing/instagram-test-env';
import { ANNA, HOUR, SendTestKit } from './testing/send-test-kit';

describe('Replies as a human agent (META_HUMAN_AGENT=true, e2e)', () => {
  let env: InstagramTestEnv;
  let kit: SendTestKit;

  beforeAll(async () => {
    env = await startInstagramTestEnv(() => ({ META_HUMAN_AGENT: 'true' }));
    kit = new SendTestKit(env);
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(() => kit.startOver());

  const threadWrittenHoursAgo = async (hoursAgo: number) => {
    const owner = await env.testApp.register();
    await kit.connectWithFacebook(owner);
    const conversationId = await kit.contactWrites(
      owner,
      BLUE_JACKET.accountId,
      ANNA,
      { hoursAgo },
    );
    return { owner, conversationId };
  };

  it('inside 24 hours, replies untagged', async () => {
    const { owner, conversationId } = await threadWrittenHoursAgo(1);

    await kit.reply(owner, conversationId, { text: 'Hi!' }).expect(201);

    const [sent] = await kit.messagesSentToMeta(ANNA);
    expect(sent.body.messaging_type).toBe('RESPONSE');
    expect(sent.body.tag).toBeUndefined();
  });

  it('3 days after the contact wrote, replies with the HUMAN_AGENT tag and Meta accepts it', async () => {
    const { owner, conversationId } = await threadWrittenHoursAgo(72);

    const response = await kit
      .reply(owner, conversationId, { text: 'Sorry for the wait' })
      .expect(201);

    expect(response.body).toMatchObject({ status: 'sent' });
    const [sent] = await kit.messagesSentToMeta(ANNA);
    expect(sent).toMatchObject({
      status: 200,
      body: { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    });
  });

  it('tells the dashboard the window is the human agent’s', async () => {
    const { owner, conversationId } = await threadWrittenHoursAgo(72);

    const conversation = (
      await kit
        .api()
        .get(`/api/conversations/${conversationId}`)
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body as ConversationDto;

    expect(conversation.windowHumanAgent).toBe(true);
    const closesIn = Date.parse(conversation.windowClosesAt ?? '') - Date.now();
    expect(closesIn).toBeGreaterThan(3.9 * 24 * HOUR);
    expect(closesIn).toBeLessThanOrEqual(4 * 24 * HOUR);
  });

  it('8 days after, refuses with 422 window_closed at 7 days, which the conversation showed', async () => {
    const { owner, conversationId } = await threadWrittenHoursAgo(8 * 24);
    const conversation = (
      await kit
        .api()
        .get(`/api/conversations/${conversationId}`)
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body as ConversationDto;

    const response = await kit
      .reply(owner, conversationId, { text: 'Too late?' })
      .expect(422);

    const body = response.body as ApiErrorBody;
    expect(body.code).toBe('window_closed');
    expect(body.details?.windowClosedAt).toBe(conversation.windowClosesAt);
    const closedAgo =
      Date.now() - Date.parse(conversation.windowClosesAt ?? '');
    expect(closedAgo).toBeGreaterThan(23 * HOUR);
    expect(closedAgo).toBeLessThan(25 * HOUR);
    expect(await kit.sentToMeta(ANNA)).toEqual([]);
  });
});
