import type {
  AuthResponseDto,
  ConversationDto,
  MessageDto,
  WebhookEventPageDto,
} from '@instantchat/contracts';
import type { Document } from 'mongodb';
import { Types } from 'mongoose';
import request from 'supertest';
import { InstagramConnectionsService } from '../instagram/instagram-connections.service';
import {
  BLUE_JACKET,
  CORNER_BAKERY,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import { recordEvents, TestSockets } from '../realtime/testing/socket-client';
import {
  inboxSettled,
  loadWebhookFixtures,
  messagingDelivery,
  postWebhook,
} from './testing/webhook-test-kit';

/** The fixtures' two contacts (IGSIDs) and their message ids. */
const CONTACT = '1914357145407531';
const OTHER_CONTACT = '2045678901234567';
const MID = {
  text: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIyMzA0OTE0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1OTYxNDE1NzE2MzU4OTc3MjozMTk5NjgwMjg0NjU0MTQ4NjQ2NDQ0ODE0MjM2ODQ2NDQ1MQZDZD',
  image: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjIMAGE1',
  media: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjMEDIA3',
  storyMention: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjSTORYMENTION',
  storyReply: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjSTORYREPLY',
  replyTo: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjREPLYTO',
  echo: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjECHO1',
  postback: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjPOSTBACK',
  quick: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjQUICK',
  share: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjSHARE',
  reel: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjREEL',
  unsupported: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjUNSUPP',
  batch1: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjBATCH1',
  batch2: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjBATCH2',
  batch3: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjBATCH3',
};
const CDN = 'https://lookaside.fbsbx.com/ig_messaging_cdn/';

describe('Instagram webhook processing (e2e)', () => {
  let env: InstagramTestEnv;
  let blueOwner: AuthResponseDto;
  let cornerOwner: AuthResponseDto;
  const sockets = new TestSockets(() => env.testApp.url);
  const fixtures = loadWebhookFixtures();

  const api = () => request(env.testApp.http);
  const db = () => env.database();
  const post = (body: string) =>
    postWebhook(env.testApp.http, body, SANDBOX_APP_SECRET).expect(200);
  const settled = () => inboxSettled(db());
  /** The fixtures, moved to another business account. */
  const forAccount = (body: string, accountId: string) =>
    body.split(BLUE_JACKET.accountId).join(accountId);

  const asUser = (user: AuthResponseDto) => {
    const auth = (call: request.Test) =>
      call.set('Authorization', `Bearer ${user.accessToken}`);
    return {
      conversations: async () =>
        (await auth(api().get('/api/conversations')).expect(200))
          .body as ConversationDto[],
      messages: async (conversationId: string) =>
        (
          await auth(
            api().get(
              `/api/conversations/${conversationId}/messages?limit=100`,
            ),
          ).expect(200)
        ).body.items as MessageDto[],
      events: async (query: Record<string, string> = {}) =>
        (
          await auth(api().get('/api/instagram/events').query(query)).expect(
            200,
          )
        ).body as WebhookEventPageDto,
      get: (path: string) => auth(api().get(path)),
      post: (path: string) => auth(api().post(path)),
    };
  };

  /** The owner's conversation with a contact, and its messages by Meta id. */
  const threadOf = async (user: AuthResponseDto, contact: string) => {
    const conversation = (await asUser(user).conversations()).find(
      (c) => c.instagramContact?.igsid === contact,
    );
    if (!conversation) throw new Error(`No conversation with ${contact}`);
    const messages = await asUser(user).messages(conversation.id);
    const stored = await db()
      .collection('messages')
      .find({ conversationId: new Types.ObjectId(conversation.id) })
      .toArray();
    const byMid = new Map<string, MessageDto>();
    for (const doc of stored) {
      const dto = messages.find((m) => m.id === doc._id.toHexString());
      if (dto) byMid.set(doc['instagramMessageId'] as string, dto);
    }
    return { conversation, messages, byMid };
  };

  /** What an account's fixture conversations hold, independent of ids and arrival times. */
  const endState = async (accountId: string) => {
    const conversations = await db()
      .collection('conversations')
      .find({ 'instagram.accountId': accountId })
      .toArray();
    const contactOf = new Map(
      conversations.map((c) => [
        c._id.toHexString(),
        (c['instagram'] as Document)['contactIgsid'] as string,
      ]),
    );
    const messages = await db()
      .collection('messages')
      .find({ conversationId: { $in: conversations.map((c) => c._id) } })
      .toArray();
    return messages
      .filter((m) =>
        [CONTACT, OTHER_CONTACT].includes(
          contactOf.get(m['conversationId'].toHexString()) as string,
        ),
      )
      .map((m) => ({
        key: `${contactOf.get(m['conversationId'].toHexString())}:${m['instagramMessageId']}`,
        text: m['text'],
        attachments: m['attachments'],
        status: m['status'],
        deletedAt: m['deletedAt'],
        editCount: m['editCount'],
        reactions: m['reactions'],
        replyTo: m['replyTo'],
        quickReplyPayload: m['quickReplyPayload'],
        isUnsupported: m['isUnsupported'],
        referral: m['referral'],
        systemEvent: m['systemEvent'],
        isFromInstagram: m['isFromInstagram'],
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
  };

  beforeAll(async () => {
    env = await startInstagramTestEnv();
    blueOwner = await env.testApp.register();
    cornerOwner = await env.testApp.register();
    for (const [owner, page] of [
      [blueOwner, BLUE_JACKET],
      [cornerOwner, CORNER_BAKERY],
    ] as const) {
      const run = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: page.pageId },
      });
      expect(run.landing.searchParams.get('status')).toBe('connected');
    }
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    sockets.closeAll();
    await env?.close();
  });

  describe('every payload of the fixtures folder, in order', () => {
    beforeAll(async () => {
      for (const fixture of fixtures) await post(fixture.body);
      await settled();
    });

    it('processes every item of every delivery', async () => {
      const stored = await db().collection('webhookevents').find().toArray();
      expect(stored).toHaveLength(fixtures.length);
      const items = stored.flatMap((e) => e['items'] as Document[]);
      expect(items.map((i) => i['status'])).toEqual(
        items.map(() => 'processed'),
      );
      expect(stored.map((e) => e['status'])).toEqual(
        stored.map(() => 'processed'),
      );
    });

    it('opens one conversation per contact for the account’s owner, and none for anyone else', async () => {
      const listed = (await asUser(blueOwner).conversations()).filter(
        (c) => c.kind === 'instagram',
      );
      expect(listed.map((c) => c.instagramContact?.igsid).sort()).toEqual(
        [CONTACT, OTHER_CONTACT].sort(),
      );
      expect(
        (await asUser(cornerOwner).conversations()).map(
          (c) => c.instagramContact?.igsid,
        ),
      ).not.toContain(CONTACT);
    });

    it('keeps text, and attachments with their type and CDN URL (not downloaded)', async () => {
      const { byMid } = await threadOf(blueOwner, CONTACT);
      expect(byMid.get(MID.text)).toMatchObject({
        text: 'Hi! Is the blue jacket still available in size M?',
        isFromInstagram: true,
        status: 'delivered',
        senderUserId: null,
      });
      expect(byMid.get(MID.image)?.attachments).toEqual([
        { type: 'image', url: expect.stringContaining(CDN) },
      ]);
      expect(byMid.get(MID.media)?.attachments.map((a) => a.type)).toEqual([
        'video',
        'audio',
        'file',
      ]);
      for (const [mid, type] of [
        [MID.storyMention, 'story_mention'],
        [MID.share, 'share'],
        [MID.reel, 'ig_reel'],
      ]) {
        expect(byMid.get(mid)?.attachments).toEqual([
          { type, url: expect.stringContaining(CDN) },
        ]);
      }
    });

    it('keeps story replies and replies to a message', async () => {
      const { byMid } = await threadOf(blueOwner, CONTACT);
      expect(byMid.get(MID.storyReply)).toMatchObject({
        text: 'Love this look!',
        replyTo: {
          storyId: '3468512345678901234',
          storyUrl: expect.stringContaining(CDN),
        },
      });
    });

    it('unsends: the reply loses its text and keeps a deleted marker', async () => {
      const { byMid } = await threadOf(blueOwner, CONTACT);
      expect(byMid.get(MID.replyTo)).toMatchObject({
        text: '',
        attachments: [],
        deletedAt: new Date(1732460006500).toISOString(),
        replyTo: { externalMessageId: MID.text },
      });
      const stored = await db()
        .collection('messages')
        .findOne({ instagramMessageId: MID.replyTo });
      expect(stored?.['text']).toBe('');
    });

    it('shows the echo from the Instagram app as the business’s message, read by the contact, reaction removed', async () => {
      const { byMid } = await threadOf(blueOwner, CONTACT);
      const echo = byMid.get(MID.echo);
      expect(echo).toMatchObject({
        text: 'Yes! We have it in M. Want me to reserve one?',
        isFromInstagram: false,
        status: 'read',
      });
      expect(echo?.reactions).toBeUndefined();
    });

    it('keeps the quick reply payload and the edit (new text, edit count)', async () => {
      const { byMid } = await threadOf(blueOwner, CONTACT);
      expect(byMid.get(MID.quick)).toMatchObject({
        text: 'Size L, sorry',
        quickReplyPayload: 'SIZE_M',
        editCount: 1,
        editedAt: new Date(1732460015500).toISOString(),
      });
    });

    it('marks unsupported content', async () => {
      const { byMid } = await threadOf(blueOwner, CONTACT);
      expect(byMid.get(MID.unsupported)).toMatchObject({ unsupported: true });
    });

    it('shows postbacks and referrals as system lines', async () => {
      const { messages } = await threadOf(blueOwner, CONTACT);
      expect(
        messages.find((m) => m.systemEvent?.kind === 'postback'),
      ).toMatchObject({
        text: 'Tapped “Track my order”',
        systemEvent: { title: 'Track my order', payload: 'TRACK_ORDER' },
      });
      expect(
        messages.find((m) => m.systemEvent?.kind === 'referral'),
      ).toMatchObject({
        text: 'Started the conversation from an ad (ref: autumn-campaign)',
        systemEvent: {
          referral: {
            source: 'ADS',
            type: 'OPEN_THREAD',
            ref: 'autumn-campaign',
            adId: '23851234567890123',
          },
        },
      });
    });

    it('splits a batch of two entries into its contacts’ conversations', async () => {
      const mine = await threadOf(blueOwner, CONTACT);
      expect(mine.byMid.get(MID.batch1)?.text).toBe('first');
      expect(mine.byMid.get(MID.batch2)?.text).toBe('second');
      const other = await threadOf(blueOwner, OTHER_CONTACT);
      expect(other.messages.map((m) => m.text)).toEqual([
        'hello from someone else',
      ]);
    });

    it('stores nothing twice when the same batch comes again, as the same bytes or re-serialised', async () => {
      const before = await endState(BLUE_JACKET.accountId);
      const count = await db().collection('messages').countDocuments();

      for (const fixture of fixtures) await post(fixture.body);
      for (const fixture of fixtures)
        await post(JSON.stringify(JSON.parse(fixture.body), null, 1));
      await settled();

      expect(await db().collection('messages').countDocuments()).toBe(count);
      expect(await endState(BLUE_JACKET.accountId)).toEqual(before);
      // Same bytes: stored once. Other bytes: a new delivery, processed without effect.
      expect(await db().collection('webhookevents').countDocuments()).toBe(
        2 * fixtures.length,
      );
    });

    it('ends in the same state when the batch arrives in reverse order (on another account)', async () => {
      for (const fixture of [...fixtures].reverse()) {
        await post(forAccount(fixture.body, CORNER_BAKERY.accountId));
      }
      await settled();

      const forward = (await endState(BLUE_JACKET.accountId)).map(
        ({ key, ...rest }) => rest,
      );
      const reverse = (await endState(CORNER_BAKERY.accountId)).map(
        ({ key, ...rest }) => rest,
      );
      expect(reverse).toEqual(forward);
      expect(reverse.length).toBeGreaterThan(15);
      // Nothing is left waiting for a message that arrived.
      expect(
        await db().collection('webhookparkedchanges').countDocuments(),
      ).toBe(0);
    });
  });
});
