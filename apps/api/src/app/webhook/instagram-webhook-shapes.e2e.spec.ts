import type {
  AuthResponseDto,
  ConversationDto,
  MessageDto,
} from '@instantchat/contracts';
import {
  DEFAULT_GRAPH_API_VERSION,
  INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
} from '@instantchat/meta-platform';
import type { Document } from 'mongodb';
import request from 'supertest';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import { SendTestKit } from '../instagram/sending/testing/send-test-kit';
import { inboxSettled } from './testing/webhook-test-kit';

/** What the sandbox answers for each event it built and delivered. */
interface SentEvent {
  mid?: string;
  event: Record<string, unknown> & { timestamp: number };
}

/** Meta's message ids: long url-safe base64 of `ig_message_item:…`, so they start `aWdf`. */
const META_MID = /^aWdf[A-Za-z0-9_-]{60,}$/;
const CDN = /^https:\/\/lookaside\.fbsbx\.com\/ig_messaging_cdn\//;

/**
 * Every inbound shape Meta really sends, produced by the Meta sandbox and delivered over real HTTP
 * (signed, with Meta's headers) to the API, which must store each as the contact's conversation
 * shows it: `standby[]` in place of `messaging[]`, the `changes` form with times in seconds and
 * string timestamps, new attachment types and several in one message, `num_edit` as a string,
 * referrals in postbacks, links and messages, the echo of a story mention.
 */
describe('Instagram webhook shapes from the Meta sandbox (e2e)', () => {
  let env: InstagramTestEnv;
  let owner: AuthResponseDto;
  let contact: string;

  const db = () => env.database();
  const settled = () => inboxSettled(db());

  /** The person (or the business, for echoes) does something; Meta delivers it in `delivery` form. */
  const act = async (
    events: Record<string, unknown>[],
    delivery?: 'messaging' | 'standby' | 'changes',
  ): Promise<SentEvent[]> => {
    const sent = await env.control('POST', '/events', {
      events: events.map((e) => ({
        user: contact,
        account: BLUE_JACKET.accountId,
        ...e,
      })),
      batch: true,
      ...(delivery && { delivery }),
    });
    expect(sent.status).toBe(202);
    const json = sent.json as {
      events: SentEvent[];
      deliveries: { state: string; reason?: string }[];
    };
    expect(json.deliveries.map((d) => d.reason)).toEqual(
      json.deliveries.map(() => undefined),
    );
    await env.sandbox.webhooks.whenIdle();
    await settled();
    return json.events;
  };

  const thread = async (): Promise<MessageDto[]> => {
    const conversations = (
      await request(env.testApp.http)
        .get('/api/conversations')
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body as ConversationDto[];
    const conversation = conversations.find(
      (c) => c.instagramContact?.igsid === contact,
    );
    if (!conversation) throw new Error('No conversation with the contact');
    return (
      await request(env.testApp.http)
        .get(`/api/conversations/${conversation.id}/messages?limit=100`)
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body.items as MessageDto[];
  };

  /** The message the owner sees for Meta's id. */
  const shown = async (mid: string | undefined): Promise<MessageDto> => {
    const stored = await db()
      .collection('messages')
      .findOne({ instagramMessageId: mid });
    if (!stored) throw new Error(`No message stored for ${mid}`);
    const dto = (await thread()).find((m) => m.id === stored._id.toHexString());
    if (!dto) throw new Error(`Message ${mid} is not in the owner's thread`);
    return dto;
  };

  /** The latest delivery as the inbox stored it, with its body parsed. */
  const latestDelivery = async () => {
    const stored = (await db()
      .collection('webhookevents')
      .find()
      .sort({ _id: -1 })
      .limit(1)
      .next()) as Document;
    return {
      ...stored,
      payload: JSON.parse(stored['rawBody']) as Document,
    } as Document & { payload: Document };
  };

  beforeAll(async () => {
    env = await startInstagramTestEnv();
    owner = await env.testApp.register();
    await new SendTestKit(env).connectWithFacebook(owner);
    const person = await env.control('POST', '/instagram-users', {
      username: 'shapes.tester',
    });
    contact = (person.json as { id: string }).id;
    await env.control('PUT', '/webhooks/callback', {
      url: `${env.testApp.url}/webhook/instagram`,
    });
    // The App Dashboard's fields: the messaging ones and `standby`.
    const fields = await env.control('PUT', '/webhooks/instagram-fields', {
      fields: [...INSTAGRAM_MESSAGING_WEBHOOK_FIELDS, 'standby'],
    });
    expect(fields.status).toBe(200);
  });
  afterAll(async () => {
    await env?.control('PUT', '/webhooks/callback', { url: null });
    await env?.close();
  });

  it('stores a message under Meta’s real id form, delivered with the Facebook-API-Version header', async () => {
    const [text] = await act([{ type: 'text', text: 'Hello there' }]);
    expect(text.mid).toMatch(META_MID);
    expect((await shown(text.mid)).text).toBe('Hello there');
    const stored = await latestDelivery();
    expect(stored['status']).toBe('processed');
    expect(stored['apiVersion']).toBe(DEFAULT_GRAPH_API_VERSION);
  });

  it('stores what arrives on the standby channel like the messaging one', async () => {
    const [text, postback] = await act(
      [
        { type: 'text', text: 'Sent while another app owns the thread' },
        { type: 'postback', payload: 'HOURS', title: 'Opening hours' },
      ],
      'standby',
    );
    const stored = await latestDelivery();
    expect(Object.keys(stored.payload['entry'][0])).toEqual([
      'id',
      'time',
      'standby',
    ]);
    expect(
      (stored['items'] as Document[]).map((i) => [i['kind'], i['status']]),
    ).toEqual([
      ['message', 'processed'],
      ['postback', 'processed'],
    ]);
    expect((await shown(text.mid)).text).toBe(
      'Sent while another app owns the thread',
    );
    // Standby postbacks carry no payload: the title alone makes the line.
    expect((await shown(postback.mid)).systemEvent).toEqual({
      kind: 'postback',
      title: 'Opening hours',
    });
  });

  it('stores the changes form, with entry.time in seconds and the timestamp as a string, dated by that timestamp', async () => {
    const [text] = await act(
      [{ type: 'text', text: 'Via changes' }],
      'changes',
    );
    const stored = await latestDelivery();
    const entry = stored.payload['entry'][0];
    expect(entry['time']).toBeLessThan(1e11);
    expect(typeof entry['changes'][0]['value']['timestamp']).toBe('string');
    const message = await shown(text.mid);
    expect(message.text).toBe('Via changes');
    // The string timestamp (milliseconds), not the entry's second, opens Meta's window.
    const conversation = await db()
      .collection('conversations')
      .findOne({ 'instagram.contactIgsid': contact });
    expect(conversation?.['lastInboundAt']?.getTime()).toBe(
      text.event.timestamp,
    );
  });

  it('records the App Dashboard’s “Test” payload, ignored for its unknown account', async () => {
    const sent = await env.control('POST', '/webhooks/test', {
      field: 'messages',
    });
    expect(sent.status).toBe(202);
    await env.sandbox.webhooks.whenIdle();
    await settled();
    const stored = await latestDelivery();
    expect(stored['status']).toBe('ignored');
    expect(stored.payload['entry'][0]['changes'][0]['field']).toBe('messages');
    expect(stored['items']).toEqual([
      expect.objectContaining({
        kind: 'message',
        accountId: '23245',
        status: 'ignored',
        reason: 'unknown_account',
      }),
    ]);
  });

  it('keeps ig_story, ig_post and unsupported_type attachments, and several in one message, with type and CDN URL', async () => {
    const [story, post, unsupported, several] = await act([
      { type: 'ig_story' },
      { type: 'ig_post', title: 'Our new jacket' },
      { type: 'unsupported_type' },
      { type: 'attachments', attachments: ['image', 'image', 'video'] },
    ]);
    const [storyShown, postShown, unsupportedShown, severalShown] =
      await Promise.all(
        [story, post, unsupported, several].map((e) => shown(e.mid)),
      );
    expect(storyShown.attachments).toEqual([
      { type: 'ig_story', url: expect.stringMatching(CDN) },
    ]);
    expect(postShown.attachments).toEqual([
      { type: 'ig_post', url: expect.stringMatching(CDN) },
    ]);
    // Meta hands over no payload for it: the type alone is kept.
    expect(unsupportedShown.attachments).toEqual([
      { type: 'unsupported_type' },
    ]);
    expect(severalShown.attachments.map((a) => a.type)).toEqual([
      'image',
      'image',
      'video',
    ]);
    expect(new Set(severalShown.attachments.map((a) => a.url)).size).toBe(3);
  });

  it('applies edits whose num_edit is a string, ending at the latest', async () => {
    const [original] = await act([{ type: 'text', text: 'Frist draft' }]);
    await act([
      {
        type: 'edit',
        mid: original.mid,
        text: 'First draft',
        numEditAsString: true,
      },
    ]);
    await act([
      {
        type: 'edit',
        mid: original.mid,
        text: 'First draft, fixed',
        numEditAsString: true,
      },
    ]);
    const edits = (await latestDelivery()).payload['entry'][0]['messaging'][0][
      'message_edit'
    ];
    expect(edits['num_edit']).toBe('2');
    const message = await shown(original.mid);
    expect(message.text).toBe('First draft, fixed');
    expect(message.editCount).toBe(2);
  });

  it('keeps the referral of a postback (an Icebreaker tapped from an ig.me link)', async () => {
    const [postback] = await act([
      {
        type: 'postback',
        payload: 'PRICES',
        title: 'Prices?',
        ref: 'spring-sale',
        source: 'SHORTLINK',
      },
    ]);
    const line = await shown(postback.mid);
    expect(line.text).toBe('Tapped “Prices?”');
    expect(line.systemEvent).toEqual({
      kind: 'postback',
      title: 'Prices?',
      payload: 'PRICES',
      referral: {
        source: 'SHORTLINK',
        type: 'OPEN_THREAD',
        ref: 'spring-sale',
      },
    });
  });

  it('shows an ig.me link (SHORTLINK) referral as a system line without an ad', async () => {
    await act([{ type: 'referral', source: 'SHORTLINK', ref: 'bio-link' }]);
    const line = (await thread()).find(
      (m) => m.systemEvent?.kind === 'referral',
    );
    expect(line?.text).toBe(
      'Started the conversation through a link (ref: bio-link)',
    );
    expect(line?.systemEvent?.referral).toEqual({
      source: 'SHORTLINK',
      type: 'OPEN_THREAD',
      ref: 'bio-link',
    });
  });

  it('keeps the ad a message came through (a referral inside the message)', async () => {
    const [text] = await act([
      { type: 'text', text: 'Is this still available?', ref: 'ad-42' },
    ]);
    const sentReferral = (text.event['message'] as Document)['referral'];
    const message = await shown(text.mid);
    expect(message.text).toBe('Is this still available?');
    expect(message.systemEvent).toBeUndefined();
    expect(message.referral).toEqual({
      source: 'ADS',
      type: 'OPEN_THREAD',
      ref: 'ad-42',
      adId: sentReferral['ad_id'],
    });
  });

  it('shows the echo of the business’s story mention as an outbound message with its media', async () => {
    const [echo] = await act([
      { type: 'echo', attachments: ['story_mention'] },
    ]);
    const message = await shown(echo.mid);
    // Sent by the business from Instagram itself: outbound, written by no InstantChat user.
    expect(message.isFromInstagram).toBe(false);
    expect(message.senderUserId).toBeNull();
    expect(message.text).toBe('');
    expect(message.attachments).toEqual([
      { type: 'story_mention', url: expect.stringMatching(CDN) },
    ]);
  });
});
