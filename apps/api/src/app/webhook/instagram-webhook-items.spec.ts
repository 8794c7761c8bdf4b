import fc from 'fast-check';
import {
  readWebhookItems,
  toDate,
  WEBHOOK_MAX_ENTRIES,
  webhookAccountIdsOf,
  webhookObjectOf,
  type WebhookItem,
} from './instagram-webhook-items';
import { loadWebhookFixtures } from './testing/webhook-test-kit';

const ACCOUNT = '17841405822304914';
const CONTACT = '1914357145407531';
const RECEIVED = new Date('2026-01-01T00:00:00Z');

const read = (payload: unknown) => readWebhookItems(payload, RECEIVED);
const one = (
  event: Record<string, unknown>,
  entry: Record<string, unknown> = {},
) => {
  const items = read({
    object: 'instagram',
    entry: [{ id: ACCOUNT, time: 1732460000123, messaging: [event], ...entry }],
  });
  expect(items).toHaveLength(1);
  return items[0];
};
const fromContact = {
  sender: { id: CONTACT },
  recipient: { id: ACCOUNT },
  timestamp: 1732459999876,
};

describe('readWebhookItems', () => {
  it('reads one item per fixture event, each routed to the business and the contact', () => {
    const items = loadWebhookFixtures().flatMap((f) =>
      read(JSON.parse(f.body)),
    );
    expect(items.map((i) => i.kind)).toEqual([
      'message', // 01 text
      'message', // 02 image
      'message', // 03 media
      'message', // 04 story mention
      'message', // 05 story reply
      'message', // 06 reply to message
      'echo', // 07
      'unsend', // 08
      'reaction', // 09
      'reaction', // 10
      'read', // 11
      'postback', // 12
      'message', // 13 quick reply
      'message', // 14 share
      'message', // 15 reel
      'message', // 16 unsupported
      'edit', // 17
      'referral', // 18
      'message', // 19
      'message',
      'message',
    ]);
    expect(new Set(items.map((i) => i.accountId))).toEqual(new Set([ACCOUNT]));
    expect(items.every((i) => i.contactId && i.contactId !== ACCOUNT)).toBe(
      true,
    );
  });

  it('numbers items across entries, so item N is found again in a re-read', () => {
    const batch = loadWebhookFixtures().find((f) => f.name.startsWith('19'));
    const items = read(JSON.parse(batch?.body as string));
    expect(items.map((i) => [i.index, i.externalMessageId?.slice(-6)])).toEqual(
      [
        [0, 'BATCH1'],
        [1, 'BATCH2'],
        [2, 'BATCH3'],
      ],
    );
  });

  it('routes an echo to its sender, the business, with the recipient as contact', () => {
    const item = one({
      sender: { id: ACCOUNT },
      recipient: { id: CONTACT },
      timestamp: 1,
      message: { mid: 'm', is_echo: true, text: 'hi' },
    });
    expect(item).toMatchObject({
      kind: 'echo',
      accountId: ACCOUNT,
      contactId: CONTACT,
      businessActed: true,
    });
  });

  it('routes an echo by its flag when entry.id is a Page (Facebook Login)', () => {
    const item = one(
      {
        sender: { id: ACCOUNT },
        recipient: { id: CONTACT },
        timestamp: 1,
        message: { mid: 'm', is_echo: true },
      },
      { id: '109876543210001' },
    );
    expect(item).toMatchObject({ accountId: ACCOUNT, contactId: CONTACT });
  });

  it('reads a message’s details: attachments (several, payload-less), reply, quick reply, referral', () => {
    const item = one({
      ...fromContact,
      message: {
        mid: 'm',
        text: 'look',
        attachments: [
          { type: 'ig_story', payload: { url: 'https://cdn/1' } },
          { type: 'unsupported_type' },
          'not an attachment',
          { payload: { url: 'https://cdn/2' } },
        ],
        reply_to: { story: { id: 'st', url: 'https://cdn/s' } },
        quick_reply: { payload: 'Q' },
        referral: {
          source: 'SHORTLINK',
          type: 'OPEN_THREAD',
          ref: 'r',
          ad_id: 42,
        },
      },
    });
    expect(item).toMatchObject({
      kind: 'message',
      content: {
        text: 'look',
        attachments: [
          { type: 'ig_story', url: 'https://cdn/1' },
          { type: 'unsupported_type' },
          { type: 'unknown', url: 'https://cdn/2' },
        ],
        replyTo: { storyId: 'st', storyUrl: 'https://cdn/s' },
        quickReplyPayload: 'Q',
        unsupported: false,
        referral: {
          source: 'SHORTLINK',
          type: 'OPEN_THREAD',
          ref: 'r',
          adId: '42',
        },
      },
    });
  });

  it('reads an unsend before anything else of the message', () => {
    expect(
      one({
        ...fromContact,
        message: { mid: 'm', is_deleted: true, text: 'x' },
      }),
    ).toMatchObject({ kind: 'unsend', externalMessageId: 'm' });
  });

  it.each([
    [1, 1],
    ['3', 3],
    [' 2 ', 2],
    ['two', undefined],
    [-1, undefined],
    [1.5, undefined],
  ])('reads num_edit %j as %j', (numEdit, expected) => {
    const item = one({
      ...fromContact,
      message_edit: { mid: 'm', text: 'new', num_edit: numEdit },
    });
    expect(item).toMatchObject({ kind: 'edit', text: 'new' });
    expect((item as Extract<WebhookItem, { kind: 'edit' }>).editCount).toBe(
      expected,
    );
  });

  it('reads a reaction’s emoji, its name without one, and an unreact as no reaction', () => {
    const reaction = (r: Record<string, unknown>) =>
      (
        one({ ...fromContact, reaction: { mid: 'm', ...r } }) as Extract<
          WebhookItem,
          { kind: 'reaction' }
        >
      ).reaction;
    expect(reaction({ action: 'react', reaction: 'love', emoji: '❤️' })).toBe(
      '❤️',
    );
    expect(reaction({ action: 'react', reaction: 'love' })).toBe('love');
    expect(reaction({ action: 'unreact' })).toBeNull();
  });

  it('reads a postback with its referral, and a referral on its own', () => {
    expect(
      one({
        ...fromContact,
        postback: {
          title: 'Go',
          payload: 'GO',
          referral: { source: 'ADS', ad_id: '1' },
        },
      }),
    ).toMatchObject({
      kind: 'postback',
      title: 'Go',
      payload: 'GO',
      referral: { source: 'ADS', adId: '1' },
    });
    expect(
      one({ ...fromContact, referral: { source: 'SHORTLINK', ref: 'x' } }),
    ).toMatchObject({
      kind: 'referral',
      referral: { source: 'SHORTLINK', ref: 'x' },
    });
  });

  it('keeps no empty referral when nothing of it is readable', () => {
    const item = one({
      ...fromContact,
      message: {
        mid: 'm',
        text: 'This one?',
        referral: { product: { id: '9' } },
      },
    });
    expect(item).toMatchObject({ kind: 'message' });
    expect(item.kind === 'message' && item.content.referral).toBeUndefined();
    expect(
      one({ ...fromContact, referral: { product: { id: '9' } } }),
    ).toMatchObject({ kind: 'other' });
  });

  it('reads standby[] like messaging[]', () => {
    const items = read({
      object: 'instagram',
      entry: [
        {
          id: ACCOUNT,
          time: 1,
          standby: [{ ...fromContact, message: { mid: 'm', text: 't' } }],
        },
      ],
    });
    expect(items).toEqual([
      expect.objectContaining({ kind: 'message', source: 'standby' }),
    ]);
  });

  it('reads the changes form: messaging fields as events, anything else as other', () => {
    const items = read({
      object: 'instagram',
      entry: [
        {
          id: '0',
          time: 1527459824,
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
            { field: 'comments', value: { id: '1' } },
            'junk',
          ],
        },
      ],
    });
    expect(items).toEqual([
      expect.objectContaining({
        kind: 'message',
        source: 'changes',
        accountId: '23245',
        contactId: '12334',
        at: new Date(1527459824000),
      }),
      expect.objectContaining({
        kind: 'other',
        description: 'changes: comments',
      }),
      expect.objectContaining({
        kind: 'other',
        description: 'changes: no field',
      }),
    ]);
  });

  it('describes an event it does not know as other', () => {
    expect(one({ ...fromContact, optin: { ref: 'x' } })).toMatchObject({
      kind: 'other',
      description: 'optin',
    });
  });

  it('falls back to the entry’s time, then to the receipt time, when the event has none', () => {
    expect(
      one({ ...fromContact, timestamp: 'soon', read: { mid: 'm' } }).at,
    ).toEqual(new Date(1732460000123));
    const items = read({
      object: 'instagram',
      entry: [
        {
          id: ACCOUNT,
          messaging: [
            {
              sender: { id: CONTACT },
              recipient: { id: ACCOUNT },
              read: { mid: 'm' },
            },
          ],
        },
      ],
    });
    expect(items[0].at).toEqual(RECEIVED);
  });

  it.each([
    null,
    42,
    'text',
    [],
    {},
    { entry: 'x' },
    { entry: [null, 1, { messaging: 'x' }] },
  ])('reads no items from %j', (payload) => {
    expect(read(payload)).toEqual([]);
  });

  it('never throws, and numbers its items 0..n-1, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const items = read({
          object: 'instagram',
          entry: [json, { messaging: [json], changes: [json] }],
        });
        expect(items.map((i) => i.index)).toEqual(items.map((_, n) => n));
      }),
      { numRuns: 300 },
    );
  });
});

describe('toDate', () => {
  it.each([
    [1732460000123, '2024-11-24T14:53:20.123Z'],
    [1732460000, '2024-11-24T14:53:20.000Z'],
    ['1732460000', '2024-11-24T14:53:20.000Z'],
    ['1732460000123', '2024-11-24T14:53:20.123Z'],
  ])('reads %j (ms or s, number or string)', (value, iso) => {
    expect(toDate(value)?.toISOString()).toBe(iso);
  });

  it.each([undefined, null, '', 'yesterday', -5, 0, Number.NaN, '1e3', {}])(
    'reads %j as no time',
    (value) => {
      expect(toDate(value)).toBeUndefined();
    },
  );
});

describe('webhookObjectOf', () => {
  it('reads the object, or nothing', () => {
    expect(webhookObjectOf({ object: 'page' })).toBe('page');
    expect(webhookObjectOf({ object: 1 })).toBeUndefined();
    expect(webhookObjectOf([])).toBeUndefined();
  });
});

describe('webhookAccountIdsOf', () => {
  it('reads the account of every entry, once each, in order', () => {
    expect(
      webhookAccountIdsOf({
        object: 'instagram',
        entry: [{ id: ACCOUNT }, { id: '2' }, { id: ACCOUNT }, { id: '3' }],
      }),
    ).toEqual([ACCOUNT, '2', '3']);
  });

  it.each([
    ['no body', undefined],
    ['a body that is not an object', 'entry'],
    ['an array body', [{ id: ACCOUNT }]],
    ['no entry', { object: 'instagram' }],
    ['an entry that is not an array', { entry: { id: ACCOUNT } }],
    ['entries that are not objects', { entry: [ACCOUNT, null, 7, [ACCOUNT]] }],
  ])('reads no account from %s', (_, payload) => {
    expect(webhookAccountIdsOf(payload)).toEqual([]);
  });

  it('skips ids that are not ids, and reads a number as its digits, as the items do', () => {
    const payload = {
      entry: [
        { time: 1 },
        { id: null },
        { id: '' },
        { id: { id: ACCOUNT } },
        { id: [ACCOUNT] },
        { id: true },
        { id: -1 },
        { id: 1.5 },
        { id: 42 },
        { id: ACCOUNT, messaging: [fromContact] },
      ],
    };
    expect(webhookAccountIdsOf(payload)).toEqual(['42', ACCOUNT]);
    expect(read(payload).map((item) => item.accountId)).toEqual([ACCOUNT]);
  });

  it(`keeps the first ${WEBHOOK_MAX_ENTRIES} accounts of a larger batch`, () => {
    const entry = Array.from({ length: WEBHOOK_MAX_ENTRIES + 5 }, (_, i) => ({
      id: String(i),
    }));
    const accountIds = webhookAccountIdsOf({ entry });
    expect(accountIds).toHaveLength(WEBHOOK_MAX_ENTRIES);
    expect(accountIds[0]).toBe('0');
    expect(accountIds.at(-1)).toBe(String(WEBHOOK_MAX_ENTRIES - 1));
  });

  it('names the Instagram account on Facebook Login, where entry.id is the Page', () => {
    const PAGE = '109876543210001';
    const payload = {
      object: 'page',
      entry: [
        {
          id: PAGE,
          messaging: [
            fromContact,
            {
              sender: { id: ACCOUNT },
              recipient: { id: CONTACT },
              message: { mid: 'm.echo', text: 'hi', is_echo: true },
            },
          ],
        },
      ],
    };
    expect(webhookAccountIdsOf(payload)).toEqual([PAGE, ACCOUNT]);
  });

  it('names the accounts of every fixture', () => {
    for (const fixture of loadWebhookFixtures()) {
      const payload: unknown = JSON.parse(fixture.body);
      const named = new Set(webhookAccountIdsOf(payload));
      for (const item of read(payload)) {
        if (item.accountId) expect(named).toContain(item.accountId);
      }
    }
  });
});
