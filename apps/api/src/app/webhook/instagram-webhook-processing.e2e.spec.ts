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
import {
  nextEvent,
  pause,
  recordEvents,
  SILENCE_MS,
  TestSockets,
} from '../realtime/testing/socket-client';
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

      // Keyed by contact and Meta id, which both accounts' copies share.
      const forward = await endState(BLUE_JACKET.accountId);
      const reverse = await endState(CORNER_BAKERY.accountId);
      expect(reverse).toEqual(forward);
      expect(reverse.length).toBeGreaterThan(15);
      // Nothing is left waiting for a message that arrived.
      expect(
        await db().collection('webhookparkedchanges').countDocuments(),
      ).toBe(0);
    });
  });

  describe('what Meta sends beyond the fixtures', () => {
    const CONTACT_SHAPES = '5551000';
    /** Delivers one event of `contact` to Blue Jacket, in Meta's form, and waits for it. */
    const deliveryFrom =
      (contact: string) => async (event: Record<string, unknown>) => {
        await post(
          messagingDelivery(BLUE_JACKET.accountId, [
            {
              sender: { id: contact },
              recipient: { id: BLUE_JACKET.accountId },
              timestamp: Date.now(),
              ...event,
            },
          ]),
        );
        await settled();
      };

    it('reads standby[], several attachment kinds, string edit counts, postback and message referrals, echoes of story mentions and the changes form', async () => {
      const seconds = Math.floor(Date.now() / 1000);
      const from = {
        sender: { id: CONTACT_SHAPES },
        recipient: { id: BLUE_JACKET.accountId },
      };
      await post(
        JSON.stringify({
          object: 'instagram',
          entry: [
            {
              id: BLUE_JACKET.accountId,
              time: Date.now(),
              standby: [
                {
                  ...from,
                  timestamp: String(Date.now()),
                  message: {
                    mid: 'mid.shapes-1',
                    attachments: [
                      { type: 'ig_story', payload: { url: `${CDN}?story` } },
                      {
                        type: 'ig_post',
                        payload: { url: `${CDN}?post`, title: 'Post' },
                      },
                      { type: 'unsupported_type' },
                    ],
                    referral: {
                      source: 'SHORTLINK',
                      type: 'OPEN_THREAD',
                      ref: 'bio-link',
                    },
                  },
                },
              ],
            },
            {
              id: BLUE_JACKET.accountId,
              time: seconds,
              changes: [
                {
                  field: 'message_edit',
                  value: {
                    ...from,
                    timestamp: seconds,
                    message_edit: {
                      mid: 'mid.shapes-2',
                      text: 'edited twice',
                      num_edit: '2',
                    },
                  },
                },
                {
                  field: 'messaging_postbacks',
                  value: {
                    ...from,
                    timestamp: String(seconds),
                    postback: {
                      mid: 'mid.shapes-3',
                      title: 'Shop now',
                      payload: 'SHOP',
                      referral: {
                        source: 'ADS',
                        type: 'OPEN_THREAD',
                        ad_id: '777',
                      },
                    },
                  },
                },
                { field: 'comments', value: { id: 'c1', text: 'nice' } },
              ],
              messaging: [
                {
                  sender: { id: BLUE_JACKET.accountId },
                  recipient: { id: CONTACT_SHAPES },
                  timestamp: Date.now(),
                  message: {
                    mid: 'mid.shapes-echo',
                    is_echo: true,
                    attachments: [
                      {
                        type: 'story_mention',
                        payload: { url: `${CDN}?mention` },
                      },
                    ],
                  },
                },
                {
                  ...from,
                  timestamp: Date.now(),
                  message: { mid: 'mid.shapes-2', text: 'original' },
                },
              ],
            },
          ],
        }),
      );
      await settled();

      const { byMid, messages } = await threadOf(blueOwner, CONTACT_SHAPES);
      expect(byMid.get('mid.shapes-1')).toMatchObject({
        attachments: [
          { type: 'ig_story', url: `${CDN}?story` },
          { type: 'ig_post', url: `${CDN}?post` },
          { type: 'unsupported_type' },
        ],
        referral: { source: 'SHORTLINK', type: 'OPEN_THREAD', ref: 'bio-link' },
      });
      expect(byMid.get('mid.shapes-2')).toMatchObject({
        text: 'edited twice',
        editCount: 2,
      });
      expect(byMid.get('mid.shapes-3')).toMatchObject({
        text: 'Tapped “Shop now”',
        systemEvent: {
          kind: 'postback',
          payload: 'SHOP',
          referral: { source: 'ADS', adId: '777' },
        },
      });
      expect(
        new Date(byMid.get('mid.shapes-3')?.createdAt as string).getTime(),
      ).toBeGreaterThan(0);
      expect(byMid.get('mid.shapes-echo')).toMatchObject({
        isFromInstagram: false,
        attachments: [{ type: 'story_mention', url: `${CDN}?mention` }],
      });
      expect(messages).toHaveLength(4);
      const stored = await db()
        .collection('webhookevents')
        .findOne({ 'items.externalMessageId': 'mid.shapes-1' });
      expect(
        (stored?.['items'] as Document[]).map((i) => [
          i['kind'],
          i['status'],
          i['reason'],
        ]),
      ).toEqual([
        ['message', 'processed', undefined],
        ['echo', 'processed', undefined],
        ['message', 'processed', undefined],
        ['edit', 'processed', undefined],
        ['postback', 'processed', undefined],
        ['other', 'ignored', 'unsupported_kind'],
      ]);
    });

    it('recognises the echo of a reply sent from InstantChat by its Meta id: one message, announced once', async () => {
      const contact = '5551100';
      await post(
        messagingDelivery(BLUE_JACKET.accountId, [
          inbound(
            contact,
            BLUE_JACKET.accountId,
            'mid.question',
            'Open on Sunday?',
          ),
        ]),
      );
      await settled();
      const { conversation } = await threadOf(blueOwner, contact);
      // The reply as the Send path stores it once Meta answered with its id.
      await db()
        .collection('messages')
        .insertOne({
          conversationId: new Types.ObjectId(conversation.id),
          source: 'instagram',
          senderUserId: new Types.ObjectId(blueOwner.user.id),
          text: 'Yes, 10 to 4',
          attachments: [],
          status: 'sent',
          error: null,
          reactions: [],
          deletedAt: null,
          editedAt: null,
          instagramMessageId: 'mid.our-reply',
          isFromInstagram: false,
          isToInstagram: true,
          createdAt: new Date(),
          updatedAt: new Date(),
        });
      const socket = await sockets.connect(blueOwner.accessToken);
      const announced = recordEvents(socket, 'message:new');

      await post(
        messagingDelivery(BLUE_JACKET.accountId, [
          {
            sender: { id: BLUE_JACKET.accountId },
            recipient: { id: contact },
            timestamp: Date.now(),
            message: {
              mid: 'mid.our-reply',
              text: 'Yes, 10 to 4',
              is_echo: true,
            },
          },
        ]),
      );
      await settled();
      await pause(SILENCE_MS);

      const { messages } = await threadOf(blueOwner, contact);
      expect(messages.map((m) => [m.text, m.senderUserId])).toEqual([
        ['Yes, 10 to 4', blueOwner.user.id],
        ['Open on Sunday?', null],
      ]);
      expect(announced).toEqual([]);
    });

    it('keeps the list’s preview in step with an edit or an unsend of the newest message, live and when listed again', async () => {
      const contact = '5551200';
      const deliver = deliveryFrom(contact);
      await deliver({
        message: {
          mid: 'mid.preview-0',
          attachments: [{ type: 'ig_story', payload: { url: `${CDN}?story` } }],
        },
      });
      const { conversation: opened } = await threadOf(blueOwner, contact);
      // Attachments only: the preview says which kinds came, for the list to name them.
      expect(
        (await asUser(blueOwner).conversations()).find(
          (c) => c.id === opened.id,
        )?.lastMessage,
      ).toMatchObject({ text: '', attachmentTypes: ['ig_story'] });
      await deliver({ message: { mid: 'mid.preview-1', text: 'Older words' } });
      await deliver({
        message: { mid: 'mid.preview-2', text: 'Original words' },
      });
      const { conversation } = await threadOf(blueOwner, contact);
      const listed = async () =>
        (await asUser(blueOwner).conversations()).find(
          (c) => c.id === conversation.id,
        )?.lastMessage;
      const socket = await sockets.connect(blueOwner.accessToken);
      const announced = recordEvents(socket, 'conversation:updated');

      // Not the preview: the list keeps showing the newest message.
      await deliver({
        message_edit: {
          mid: 'mid.preview-1',
          text: 'Older, edited',
          num_edit: 1,
        },
      });
      expect(await listed()).toMatchObject({ text: 'Original words' });

      await deliver({
        message_edit: {
          mid: 'mid.preview-2',
          text: 'Corrected words',
          num_edit: 1,
        },
      });
      const edited = await listed();
      expect(edited).toMatchObject({ text: 'Corrected words' });
      expect(edited).not.toHaveProperty('deleted');
      expect(edited).not.toHaveProperty('attachmentTypes');

      await deliver({ message: { mid: 'mid.preview-2', is_deleted: true } });
      expect(await listed()).toMatchObject({ text: '', deleted: true });

      await pause(SILENCE_MS);
      expect(
        announced
          .filter((c) => c.id === conversation.id)
          .map((c) => [c.lastMessage?.text, c.lastMessage?.deleted ?? false]),
      ).toEqual([
        ['Corrected words', false],
        ['', true],
      ]);
    });

    it('no longer counts a message the contact took back as unread, unless it had been read', async () => {
      const contact = '5551300';
      const deliver = deliveryFrom(contact);
      for (const n of [1, 2, 3]) {
        await deliver({
          message: { mid: `mid.unread-${n}`, text: `Hello ${n}` },
        });
      }
      const { conversation } = await threadOf(blueOwner, contact);
      const state = async () => {
        const listed = (await asUser(blueOwner).conversations()).find(
          (c) => c.id === conversation.id,
        );
        return [listed?.unreadCount, listed?.lastMessage?.text];
      };
      expect(await state()).toEqual([3, 'Hello 3']);

      // An older one taken back: one less to read, the preview stays.
      await deliver({ message: { mid: 'mid.unread-1', is_deleted: true } });
      expect(await state()).toEqual([2, 'Hello 3']);

      await asUser(blueOwner)
        .post(`/api/conversations/${conversation.id}/read`)
        .expect(200);
      expect(await state()).toEqual([0, 'Hello 3']);
      // Read before it was taken back: nothing to take off.
      await deliver({ message: { mid: 'mid.unread-2', is_deleted: true } });
      expect(await state()).toEqual([0, 'Hello 3']);

      await deliver({ message: { mid: 'mid.unread-4', text: 'Hello 4' } });
      expect(await state()).toEqual([1, 'Hello 4']);
    });

    it('delivers what the sandbox’s person sends, with the contact’s profile fetched on first contact', async () => {
      const person = await env.control('POST', '/instagram-users', {
        username: 'anna.sandbox',
        name: 'Anna Sandbox',
      });
      expect(person.status).toBe(201);
      const contact = (person.json as { id: string }).id;
      await env.control('PUT', '/webhooks/callback', {
        url: `${env.testApp.url}/webhook/instagram`,
      });
      const socket = await sockets.connect(blueOwner.accessToken);
      const profileShown = nextEvent(
        socket,
        'conversation:updated',
        (c) => c.instagramContact?.username === 'anna.sandbox',
        5_000,
      );

      const sent = await env.control('POST', '/events', {
        type: 'text',
        user: contact,
        account: BLUE_JACKET.accountId,
        text: 'Hello from the sandbox',
      });
      expect(sent.status).toBe(202);
      await env.sandbox.webhooks.whenIdle();
      await settled();

      expect((await profileShown).instagramContact).toMatchObject({
        igsid: contact,
        username: 'anna.sandbox',
        name: 'Anna Sandbox',
      });
      const { messages } = await threadOf(blueOwner, contact);
      expect(messages.map((m) => m.text)).toEqual(['Hello from the sandbox']);
      await env.control('PUT', '/webhooks/callback', { url: null });
    });
  });

  describe('who sees what', () => {
    it('gives each owner only their own account’s conversations, messages and events, over REST and the socket', async () => {
      const blueSocket = await sockets.connect(blueOwner.accessToken);
      const cornerSocket = await sockets.connect(cornerOwner.accessToken);
      const blueHeard = recordEvents(blueSocket, 'message:new');
      const cornerHeard = recordEvents(cornerSocket, 'message:new');
      const blueLists = recordEvents(blueSocket, 'conversation:updated');

      await post(
        JSON.stringify({
          object: 'instagram',
          entry: [
            {
              id: BLUE_JACKET.accountId,
              time: Date.now(),
              messaging: [
                inbound(
                  '5550001',
                  BLUE_JACKET.accountId,
                  'mid.iso-blue',
                  'for blue',
                ),
              ],
            },
            {
              id: CORNER_BAKERY.accountId,
              time: Date.now(),
              messaging: [
                inbound(
                  '5550002',
                  CORNER_BAKERY.accountId,
                  'mid.iso-corner',
                  'for corner',
                ),
              ],
            },
          ],
        }),
      );
      await settled();
      await pause(SILENCE_MS);

      expect(blueHeard.map((m) => m.text)).toEqual(['for blue']);
      expect(cornerHeard.map((m) => m.text)).toEqual(['for corner']);
      expect(
        blueLists.every((c) => c.instagramContact?.igsid !== '5550002'),
      ).toBe(true);
      // Each conversation names the owner's account the contact wrote to, live and over REST.
      const blueAccount = {
        id: BLUE_JACKET.accountId,
        username: BLUE_JACKET.username,
      };
      expect(
        blueLists.find((c) => c.instagramContact?.igsid === '5550001')
          ?.instagramAccount,
      ).toEqual(blueAccount);
      expect(
        (await threadOf(blueOwner, '5550001')).conversation.instagramAccount,
      ).toEqual(blueAccount);
      expect(
        (await threadOf(cornerOwner, '5550002')).conversation.instagramAccount,
      ).toEqual({
        id: CORNER_BAKERY.accountId,
        username: CORNER_BAKERY.username,
      });

      const blueUpdates = recordEvents(blueSocket, 'message:updated');
      const cornerUpdates = recordEvents(cornerSocket, 'message:updated');
      await post(
        messagingDelivery(BLUE_JACKET.accountId, [
          {
            sender: { id: '5550001' },
            recipient: { id: BLUE_JACKET.accountId },
            timestamp: Date.now(),
            reaction: { mid: 'mid.iso-blue', action: 'react', emoji: '👍' },
          },
        ]),
      );
      await settled();
      await pause(SILENCE_MS);
      expect(blueUpdates.map((m) => m.reactions)).toEqual([
        [
          expect.objectContaining({
            reaction: '👍',
            instagramSenderId: '5550001',
          }),
        ],
      ]);
      expect(cornerUpdates).toEqual([]);

      const cornerThread = await threadOf(cornerOwner, '5550002');
      await asUser(blueOwner)
        .get(`/api/conversations/${cornerThread.conversation.id}`)
        .expect(404);
      await asUser(blueOwner)
        .get(`/api/conversations/${cornerThread.conversation.id}/messages`)
        .expect(404);
      expect(
        (await asUser(blueOwner).conversations()).map(
          (c) => c.instagramContact?.igsid,
        ),
      ).not.toContain('5550002');

      const blueEvents = await asUser(blueOwner).events();
      const delivery = blueEvents.items.find((e) =>
        e.items.some(
          (i) => i.externalMessageId === 'mid.iso-blue' && i.kind === 'message',
        ),
      );
      expect(delivery?.items).toEqual([
        expect.objectContaining({
          accountId: BLUE_JACKET.accountId,
          status: 'processed',
          kind: 'message',
        }),
      ]);
      const cornerEvents = await asUser(cornerOwner).events();
      expect(
        cornerEvents.items.flatMap((e) => e.items).map((i) => i.accountId),
      ).not.toContain(BLUE_JACKET.accountId);
      expect(
        (await asUser(blueOwner).events({ accountId: CORNER_BAKERY.accountId }))
          .items,
      ).toEqual([]);
    });

    it('refuses to retry a delivery without an item of the caller’s', async () => {
      await post(
        messagingDelivery(CORNER_BAKERY.accountId, [
          inbound('5550003', CORNER_BAKERY.accountId, 'mid.corner-only', 'hi'),
        ]),
      );
      await settled();
      const event = (await asUser(cornerOwner).events()).items.find((e) =>
        e.items.some((i) => i.externalMessageId === 'mid.corner-only'),
      );
      expect(event).toBeDefined();

      await asUser(blueOwner)
        .post(`/api/instagram/events/${event?.id}/retry`)
        .expect(404);
      await asUser(blueOwner)
        .post('/api/instagram/events/not-an-id/retry')
        .expect(404);
    });

    it('requires a signed-in caller for the events', async () => {
      await api().get('/api/instagram/events').expect(401);
      await api()
        .post(
          `/api/instagram/events/${new Types.ObjectId().toHexString()}/retry`,
        )
        .expect(401);
    });

    it.each([
      [{ status: 'done' }, 'status must be one of'],
      [{ accountId: 'abc' }, 'accountId must be an Instagram account id'],
      [{ limit: '0' }, 'limit'],
      [{ before: 'x' }, 'before must be a cursor'],
    ])('answers 400 for the query %j', async (query, message) => {
      const response = await asUser(blueOwner)
        .get('/api/instagram/events')
        .query(query)
        .expect(400);
      expect(JSON.stringify(response.body.message)).toContain(message);
    });

    it('pages the events with a cursor', async () => {
      for (const n of [1, 2, 3]) {
        await post(
          messagingDelivery(BLUE_JACKET.accountId, [
            inbound(
              '5550007',
              BLUE_JACKET.accountId,
              `mid.page-${n}`,
              `page ${n}`,
            ),
          ]),
        );
      }
      await settled();
      const first = await asUser(blueOwner).events({ limit: '2' });
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toEqual(first.items[1].id);
      const second = await asUser(blueOwner).events({
        limit: '2',
        before: first.nextCursor as string,
      });
      expect(second.items[0].id < first.items[1].id).toBe(true);
    });
  });

  describe('accounts that cannot take the event', () => {
    it('records an event for an account nobody connected as ignored (unknown_account)', async () => {
      await post(
        messagingDelivery('17841400000000999', [
          inbound('5550004', '17841400000000999', 'mid.unknown', 'anyone?'),
        ]),
      );
      await settled();
      const stored = await db()
        .collection('webhookevents')
        .findOne({ 'items.externalMessageId': 'mid.unknown' });
      expect(stored).toMatchObject({
        status: 'ignored',
        items: [
          expect.objectContaining({
            status: 'ignored',
            reason: 'unknown_account',
          }),
        ],
      });
      expect(
        await db()
          .collection('messages')
          .countDocuments({ instagramMessageId: 'mid.unknown' }),
      ).toBe(0);
    });

    it('accepts and records the app dashboard’s "Test" payload (changes, seconds, string timestamp)', async () => {
      const testPayload = JSON.stringify({
        object: 'instagram',
        entry: [
          {
            id: '0',
            time: 1732460000,
            changes: [
              {
                field: 'messages',
                value: {
                  sender: { id: '12334' },
                  recipient: { id: '23245' },
                  timestamp: '1527459824',
                  message: { mid: 'random_mid', text: 'random_text' },
                },
              },
            ],
          },
        ],
      });
      await post(testPayload);
      await settled();
      expect(
        await db()
          .collection('webhookevents')
          .findOne({ 'items.externalMessageId': 'random_mid' }),
      ).toMatchObject({
        status: 'ignored',
        items: [
          expect.objectContaining({
            kind: 'message',
            accountId: '23245',
            reason: 'unknown_account',
          }),
        ],
      });
    });

    it('keeps processing the events of an account that needs reconnecting', async () => {
      const connection = await db()
        .collection('instagramusers')
        .findOne({ instagramAccountId: BLUE_JACKET.accountId });
      await env.testApp.app
        .get(InstagramConnectionsService)
        .markNeedsReconnect(connection?._id as Types.ObjectId, 'test');

      await post(
        messagingDelivery(BLUE_JACKET.accountId, [
          inbound(
            '5550005',
            BLUE_JACKET.accountId,
            'mid.reconnect',
            'still here',
          ),
        ]),
      );
      await settled();

      const thread = await threadOf(blueOwner, '5550005');
      expect(thread.messages.map((m) => m.text)).toEqual(['still here']);
    });

    it('ignores an event for a disconnected account, with the reason its former owner can read', async () => {
      await asUser(cornerOwner).get('/api/instagram/status').expect(200);
      await request(env.testApp.http)
        .delete('/api/instagram/disconnect')
        .query({ accountId: CORNER_BAKERY.accountId })
        .set('Authorization', `Bearer ${cornerOwner.accessToken}`)
        .expect(200);

      await post(
        messagingDelivery(CORNER_BAKERY.accountId, [
          inbound(
            '5550006',
            CORNER_BAKERY.accountId,
            'mid.after-disconnect',
            'hello?',
          ),
        ]),
      );
      await settled();

      const ignored = await asUser(cornerOwner).events({ status: 'ignored' });
      expect(ignored.items[0]).toMatchObject({
        status: 'ignored',
        items: [
          expect.objectContaining({
            externalMessageId: 'mid.after-disconnect',
            reason: 'account_disconnected',
          }),
        ],
      });
      expect(
        await db()
          .collection('messages')
          .countDocuments({ instagramMessageId: 'mid.after-disconnect' }),
      ).toBe(0);
    });

    it('applies an ignored event once the owner reconnected the account and retried it', async () => {
      const run = await env.connectInBrowser(cornerOwner, {
        method: 'facebook',
        choose: { page_id: CORNER_BAKERY.pageId },
      });
      expect(run.landing.searchParams.get('status')).toBe('connected');
      const [ignored] = (
        await asUser(cornerOwner).events({ status: 'ignored' })
      ).items;

      const retried = await asUser(cornerOwner)
        .post(`/api/instagram/events/${ignored.id}/retry`)
        .expect(200);
      expect(retried.body.items[0]).toMatchObject({
        status: 'pending',
        attempts: 0,
      });
      await settled();

      const thread = await threadOf(cornerOwner, '5550006');
      expect(thread.messages.map((m) => m.text)).toEqual(['hello?']);
      const [after] = (await asUser(cornerOwner).events()).items.filter(
        (e) => e.id === ignored.id,
      );
      expect(after.items[0]).toMatchObject({
        status: 'processed',
        attempts: 1,
      });
    });
  });
});

/** One inbound text message in Meta's messaging form. */
function inbound(
  contact: string,
  accountId: string,
  mid: string,
  text: string,
) {
  return {
    sender: { id: contact },
    recipient: { id: accountId },
    timestamp: Date.now(),
    message: { mid, text },
  };
}
