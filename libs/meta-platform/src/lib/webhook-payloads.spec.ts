import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isMessageEditEvent,
  isMessageEvent,
  isPostbackEvent,
  isReactionEvent,
  isReadEvent,
  isReferralEvent,
  type InstagramMessagingEvent,
  type InstagramWebhookPayload,
} from './webhook-payloads';
import type { GraphErrorBody } from './graph-api';

const WEBHOOKS = join(__dirname, '../../fixtures/webhooks');
const guards = {
  message: isMessageEvent,
  reaction: isReactionEvent,
  read: isReadEvent,
  edit: isMessageEditEvent,
  postback: isPostbackEvent,
  referral: isReferralEvent,
};

function kindsOf(event: InstagramMessagingEvent): string[] {
  return Object.entries(guards)
    .filter(([, guard]) => guard(event))
    .map(([kind]) => kind);
}

function eventsOf(file: string): InstagramMessagingEvent[] {
  const payload = JSON.parse(
    readFileSync(join(WEBHOOKS, file), 'utf8'),
  ) as InstagramWebhookPayload;
  return payload.entry.flatMap((entry) => entry.messaging ?? []);
}

describe('messaging event guards', () => {
  it('classify every documented example as exactly one kind', () => {
    for (const file of readdirSync(WEBHOOKS).filter((f) =>
      f.endsWith('.json'),
    )) {
      for (const event of eventsOf(file)) {
        expect({ file, kinds: kindsOf(event) }).toEqual({
          file,
          kinds: [expect.any(String)],
        });
      }
    }
  });

  it.each([
    ['01-text.json', 'message'],
    ['07-echo-from-instagram-app.json', 'message'],
    ['09-reaction.json', 'reaction'],
    ['10-unreact.json', 'reaction'],
    ['11-seen.json', 'read'],
    ['12-postback.json', 'postback'],
    ['17-edit.json', 'edit'],
    ['18-referral.json', 'referral'],
  ])('%s is a %s event', (file, kind) => {
    expect(kindsOf(eventsOf(file)[0])).toEqual([kind]);
  });

  it('does not take a message that carries a referral for a bare referral', () => {
    const event = {
      sender: { id: '1' },
      recipient: { id: '2' },
      timestamp: 1,
      message: {
        mid: 'm',
        text: 'hi',
        referral: { source: 'ADS', type: 'OPEN_THREAD' },
      },
    };
    expect(kindsOf(event)).toEqual(['message']);
  });
});

describe('payload types', () => {
  it('accept what Meta may leave out (checked by the type checker, and at run time)', () => {
    // Each of these is a delivery Meta documents or is known to send; the types must not
    // promise fields that are missing here.
    const payload: InstagramWebhookPayload = {
      object: 'instagram',
      entry: [
        // Another app controls the conversation: `standby` instead of `messaging`.
        {
          id: '17841405822304914',
          time: 1,
          standby: [
            {
              sender: { id: '1' },
              recipient: { id: '2' },
              timestamp: 1,
              message: { mid: 'm0', text: 'hi' },
            },
          ],
        },
        {
          id: '17841405822304914',
          time: 2,
          messaging: [
            {
              sender: { id: '1' },
              recipient: { id: '2' },
              timestamp: 2,
              // A postback before v11.0 has no mid.
              postback: { title: 'Start', payload: 'START' },
            },
            {
              sender: { id: '1' },
              recipient: { id: '2' },
              timestamp: 3,
              // A reply to an expired story; an attachment without a payload.
              message: {
                mid: 'm1',
                reply_to: { story: { id: '99' } },
                attachments: [{ type: 'fallback' }],
              },
            },
          ],
        },
      ],
    };
    const events = payload.entry.flatMap((e) => e.messaging ?? []);
    expect(events.map(kindsOf)).toEqual([['postback'], ['message']]);
    const error: GraphErrorBody = { error: { code: 2 } };
    expect(error.error.fbtrace_id).toBeUndefined();
  });
});
