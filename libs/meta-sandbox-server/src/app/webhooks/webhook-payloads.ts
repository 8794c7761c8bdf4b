import {
  INSTAGRAM_WEBHOOK_OBJECT,
  type InstagramMessagingEvent,
  type InstagramWebhookEntry,
  type InstagramWebhookPayload,
} from '@instantchat/meta-platform';

/**
 * The bodies Meta posts for Instagram messaging, in each form it uses:
 * - `messaging`: the usual `entry[].messaging[]`, times in epoch milliseconds;
 * - `standby`: `entry[].standby[]` in its place, for an app that is not the conversation's
 *   owner (handover protocol / conversation routing); postbacks there come without `payload`;
 * - `changes`: `entry[].changes[{ field, value }]` with `entry.time` in epoch seconds and the
 *   event's `timestamp` as a string — how the App Dashboard's "Test" button sends them.
 */
export const DELIVERY_FORMS = ['messaging', 'standby', 'changes'] as const;
export type DeliveryForm = (typeof DELIVERY_FORMS)[number];

/** The webhook field that carries each kind of messaging event. */
export function webhookFieldOf(event: InstagramMessagingEvent): string {
  if ('message' in event) return 'messages';
  if ('read' in event) return 'messaging_seen';
  if ('reaction' in event) return 'message_reactions';
  if ('message_edit' in event) return 'message_edit';
  if ('postback' in event) return 'messaging_postbacks';
  return 'messaging_referral';
}

/** The field an app must have chosen for the event to reach it in that form. */
export function deliveryFieldOf(
  event: InstagramMessagingEvent,
  form: DeliveryForm,
): string {
  return form === 'standby' ? 'standby' : webhookFieldOf(event);
}

/** One entry per run of consecutive events for the same account, as in Meta's batched posts. */
export function buildWebhookPayload(
  events: { instagramAccountId: string; event: InstagramMessagingEvent }[],
  now: number,
  form: DeliveryForm = 'messaging',
): InstagramWebhookPayload {
  const entry: InstagramWebhookEntry[] = [];
  for (const { instagramAccountId, event } of events) {
    let last = entry[entry.length - 1];
    if (!last || last.id !== instagramAccountId) {
      last = {
        id: instagramAccountId,
        time: form === 'changes' ? Math.floor(now / 1000) : now,
      };
      entry.push(last);
    }
    if (form === 'changes') {
      (last.changes ??= []).push({
        field: webhookFieldOf(event),
        value: { ...event, timestamp: String(event.timestamp) },
      });
    } else {
      (last[form] ??= []).push(
        form === 'standby' ? withoutPostbackPayload(event) : event,
      );
    }
  }
  return { object: INSTAGRAM_WEBHOOK_OBJECT, entry };
}

/** Only the app that sent the button hears its payload; the standby channel does not. */
function withoutPostbackPayload(
  event: InstagramMessagingEvent,
): InstagramMessagingEvent {
  if (!('postback' in event)) return event;
  const postback = { ...event.postback };
  delete postback.payload;
  return { ...event, postback };
}

/**
 * What the App Dashboard's "Test" button next to the `messages` field of the `instagram` object
 * posts: Meta's fixed sample, with ids that belong to no account.
 */
export function dashboardTestPayload(now: number): InstagramWebhookPayload {
  return {
    object: INSTAGRAM_WEBHOOK_OBJECT,
    entry: [
      {
        id: '0',
        time: Math.floor(now / 1000),
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
  };
}
