import type { InstagramMessagingEvent } from '@instantchat/meta-platform';
import {
  buildWebhookPayload,
  dashboardTestPayload,
  deliveryFieldOf,
} from './webhook-payloads';

const ACCOUNT = '17841405822304914';
const ANNA = '1914357145407531';
const NOW = 1_796_000_000_123;

const text: InstagramMessagingEvent = {
  sender: { id: ANNA },
  recipient: { id: ACCOUNT },
  timestamp: NOW - 5,
  message: { mid: 'aWdfMID1', text: 'hi' },
};
const postback: InstagramMessagingEvent = {
  sender: { id: ANNA },
  recipient: { id: ACCOUNT },
  timestamp: NOW - 4,
  postback: { mid: 'aWdfMID2', title: 'Hours', payload: 'HOURS' },
};
const both = [
  { instagramAccountId: ACCOUNT, event: text },
  { instagramAccountId: ACCOUNT, event: postback },
];

describe('Meta webhook bodies in each delivery form', () => {
  it('puts events in messaging[] with times in milliseconds by default', () => {
    expect(buildWebhookPayload(both, NOW)).toEqual({
      object: 'instagram',
      entry: [{ id: ACCOUNT, time: NOW, messaging: [text, postback] }],
    });
  });

  it('puts them in standby[] instead, where a postback has no payload', () => {
    const [entry] = buildWebhookPayload(both, NOW, 'standby').entry;
    expect(Object.keys(entry)).toEqual(['id', 'time', 'standby']);
    expect(entry.standby?.[1]).toEqual({
      ...postback,
      postback: { mid: 'aWdfMID2', title: 'Hours' },
    });
  });

  it('puts them in changes[] with entry.time in seconds and string timestamps', () => {
    const [entry] = buildWebhookPayload(both, NOW, 'changes').entry;
    expect(entry.time).toBe(Math.floor(NOW / 1000));
    expect(entry.changes).toEqual([
      { field: 'messages', value: { ...text, timestamp: String(NOW - 5) } },
      {
        field: 'messaging_postbacks',
        value: { ...postback, timestamp: String(NOW - 4) },
      },
    ]);
  });

  it('needs the standby field for the standby form, the event’s own field otherwise', () => {
    expect(deliveryFieldOf(postback, 'standby')).toBe('standby');
    expect(deliveryFieldOf(postback, 'changes')).toBe('messaging_postbacks');
    expect(deliveryFieldOf(text, 'messaging')).toBe('messages');
  });

  it('sends the App Dashboard’s fixed “Test” sample for the messages field', () => {
    expect(dashboardTestPayload(NOW)).toEqual({
      object: 'instagram',
      entry: [
        {
          id: '0',
          time: Math.floor(NOW / 1000),
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
  });
});
