import type {
  MessageReferralDto,
  MessageReplyToDto,
} from '@instantchat/contracts';
import { definedFields } from '../core/defined-fields';

/**
 * Meta's webhook body, read defensively: every field may be absent or of another type than
 * documented (timestamps in seconds or as strings, `num_edit` as a string, `standby[]` in place of
 * `messaging[]`, the `changes[]` form of the app dashboard's "Test" button). The result is the
 * same for the same bytes, so the processor can re-read a stored delivery and find item N again.
 */

/** Where an item sat in the delivery. */
export type WebhookItemSource = 'messaging' | 'standby' | 'changes';

interface WebhookItemBase {
  /** Position in the whole delivery (every entry's items, in order), stable across re-reads. */
  index: number;
  source: WebhookItemSource;
  /** The business's Instagram professional account the item belongs to. */
  accountId?: string;
  /** The other party: the contact's Instagram-scoped id. */
  contactId?: string;
  /** The business did it (an echo, its own reaction), not the contact. */
  businessActed: boolean;
  /** Meta's id of the message the item is, or is about. */
  externalMessageId?: string;
  /** When it happened; the delivery's receipt time when Meta gave no usable time. */
  at: Date;
}

export interface WebhookMessageContent {
  text: string;
  attachments: { type: string; url?: string }[];
  replyTo?: MessageReplyToDto;
  quickReplyPayload?: string;
  unsupported: boolean;
  referral?: MessageReferralDto;
}

export type WebhookItem = WebhookItemBase &
  (
    | { kind: 'message' | 'echo'; content: WebhookMessageContent }
    | { kind: 'unsend' }
    /** `reaction` null: the contact removed theirs. */
    | { kind: 'reaction'; reaction: string | null }
    | { kind: 'read' }
    | { kind: 'edit'; text: string; editCount?: number }
    | {
        kind: 'postback';
        title?: string;
        payload?: string;
        referral?: MessageReferralDto;
      }
    | { kind: 'referral'; referral: MessageReferralDto }
    /** Anything else (comments, handover, an unknown field): recorded and ignored. */
    | { kind: 'other'; description: string }
  );

/** The `changes[].field` values that carry a messaging event in their `value`. */
const MESSAGING_CHANGE_FIELDS = new Set([
  'messages',
  'message_reactions',
  'messaging_seen',
  'message_edit',
  'messaging_postbacks',
  'messaging_referral',
]);

/** The webhook's `object`, or undefined when the body is not an object with a string `object`. */
export function webhookObjectOf(payload: unknown): string | undefined {
  return asString(asRecord(payload)?.['object']);
}

/** Meta batches at most this many entries in one delivery. */
export const WEBHOOK_MAX_ENTRIES = 1_000;

/**
 * The accounts a delivery names, unique: whose delivery it is before the processor has read its
 * items. Each `entry[].id` (the account on Instagram Login, the Page on Facebook Login), then the
 * account of each item as the processor will route it (readWebhookItems: on Facebook Login only
 * the items name the Instagram account); at most WEBHOOK_MAX_ENTRIES of each. Never throws.
 * `items`: the delivery's items, when the caller has read them already (readWebhookItems).
 */
export function webhookAccountIdsOf(
  payload: unknown,
  items: readonly WebhookItem[] = readWebhookItems(payload, new Date(0)),
): string[] {
  const entryIds = new Set<string>();
  for (const entry of asArray(asRecord(payload)?.['entry'])) {
    if (entryIds.size >= WEBHOOK_MAX_ENTRIES) break;
    const entryId = asId(asRecord(entry)?.['id']);
    if (entryId) entryIds.add(entryId);
  }
  const itemAccountIds = new Set<string>();
  for (const item of items) {
    if (itemAccountIds.size >= WEBHOOK_MAX_ENTRIES) break;
    if (item.accountId) itemAccountIds.add(item.accountId);
  }
  return [...new Set([...entryIds, ...itemAccountIds])];
}

/** Every item of a delivery, in order. Never throws. */
export function readWebhookItems(
  payload: unknown,
  receivedAt: Date,
): WebhookItem[] {
  const items: WebhookItem[] = [];
  for (const entryValue of asArray(asRecord(payload)?.['entry'])) {
    const entry = asRecord(entryValue);
    if (!entry) continue;
    const entryId = asId(entry['id']);
    const entryTime = toDate(entry['time']) ?? receivedAt;
    const push = (
      source: WebhookItemSource,
      read: Omit<WebhookItemBase, 'index' | 'source'> & WebhookItemDetail,
    ) => items.push({ ...read, index: items.length, source } as WebhookItem);

    for (const source of ['messaging', 'standby'] as const) {
      for (const event of asArray(entry[source])) {
        push(source, readMessagingEvent(asRecord(event), entryId, entryTime));
      }
    }
    for (const changeValue of asArray(entry['changes'])) {
      const change = asRecord(changeValue);
      const field = asString(change?.['field']);
      const value = asRecord(change?.['value']);
      if (field && MESSAGING_CHANGE_FIELDS.has(field) && value) {
        push('changes', readMessagingEvent(value, entryId, entryTime));
      } else {
        push('changes', {
          kind: 'other',
          description: `changes: ${field ?? 'no field'}`,
          accountId: entryId,
          businessActed: false,
          at: entryTime,
        });
      }
    }
  }
  return items;
}

type WebhookItemDetail = DistributiveOmit<WebhookItem, keyof WebhookItemBase>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown
  ? Omit<T, K>
  : never;

function readMessagingEvent(
  event: Record<string, unknown> | undefined,
  entryId: string | undefined,
  entryTime: Date,
): Omit<WebhookItemBase, 'index' | 'source'> & WebhookItemDetail {
  const senderId = asId(asRecord(event?.['sender'])?.['id']);
  const recipientId = asId(asRecord(event?.['recipient'])?.['id']);
  const message = asRecord(event?.['message']);
  const isEcho = message?.['is_echo'] === true;
  // The business acted (an echo, or its own reaction) when it is the sender; otherwise the
  // contact did and the business is the recipient. entry.id names the business on Instagram
  // Login; on Facebook Login it is the Page, so the echo flag decides.
  const businessActed =
    senderId === entryId || (isEcho && senderId !== recipientId);
  const accountId = businessActed ? senderId : recipientId;
  const contactId = businessActed ? recipientId : senderId;
  const base = {
    accountId,
    contactId,
    businessActed,
    at: toDate(event?.['timestamp']) ?? entryTime,
  };

  if (message) {
    const mid = asString(message['mid']);
    if (message['is_deleted'] === true) {
      return { ...base, externalMessageId: mid, kind: 'unsend' };
    }
    return {
      ...base,
      externalMessageId: mid,
      kind: isEcho ? 'echo' : 'message',
      content: readMessageContent(message),
    };
  }
  const edit = asRecord(event?.['message_edit']);
  if (edit) {
    return {
      ...base,
      externalMessageId: asString(edit['mid']),
      kind: 'edit',
      text: asString(edit['text']) ?? '',
      editCount: asCount(edit['num_edit']),
    };
  }
  const reaction = asRecord(event?.['reaction']);
  if (reaction) {
    const removed = reaction['action'] === 'unreact';
    return {
      ...base,
      externalMessageId: asString(reaction['mid']),
      kind: 'reaction',
      reaction: removed
        ? null
        : (asString(reaction['emoji']) ??
          asString(reaction['reaction']) ??
          '❤️'),
    };
  }
  const read = asRecord(event?.['read']);
  if (read) {
    return { ...base, externalMessageId: asString(read['mid']), kind: 'read' };
  }
  const postback = asRecord(event?.['postback']);
  if (postback) {
    return {
      ...base,
      externalMessageId: asString(postback['mid']),
      kind: 'postback',
      title: asString(postback['title']),
      payload: asString(postback['payload']),
      referral: readReferral(postback['referral']),
    };
  }
  const referral = readReferral(event?.['referral']);
  if (referral) {
    return { ...base, kind: 'referral', referral };
  }
  const keys = event
    ? Object.keys(event).filter(
        (k) => !['sender', 'recipient', 'timestamp'].includes(k),
      )
    : [];
  return {
    ...base,
    kind: 'other',
    description: keys.length > 0 ? keys.join(', ') : 'empty event',
  };
}

function readMessageContent(
  message: Record<string, unknown>,
): WebhookMessageContent {
  const attachments = asArray(message['attachments']).flatMap((value) => {
    const attachment = asRecord(value);
    if (!attachment) return [];
    const url = asString(asRecord(attachment['payload'])?.['url']);
    return [
      {
        type: asString(attachment['type']) ?? 'unknown',
        ...(url !== undefined && { url }),
      },
    ];
  });
  const replyTo = asRecord(message['reply_to']);
  const story = asRecord(replyTo?.['story']);
  const reply: MessageReplyToDto = definedFields({
    externalMessageId: asString(replyTo?.['mid']),
    storyId: asId(story?.['id']),
    storyUrl: asString(story?.['url']),
  });
  return definedFields({
    text: asString(message['text']) ?? '',
    attachments,
    replyTo: Object.keys(reply).length > 0 ? reply : undefined,
    quickReplyPayload: asString(asRecord(message['quick_reply'])?.['payload']),
    unsupported: message['is_unsupported'] === true,
    referral: readReferral(message['referral']),
  });
}

/** Undefined when nothing of it is readable (e.g. Instagram Shop's `{ product: { id } }` alone). */
function readReferral(value: unknown): MessageReferralDto | undefined {
  const referral = asRecord(value);
  if (!referral) return undefined;
  const read = definedFields({
    source: asString(referral['source']),
    type: asString(referral['type']),
    ref: asString(referral['ref']),
    adId: asId(referral['ad_id']),
  });
  return Object.keys(read).length > 0 ? read : undefined;
}

/**
 * Meta's times: epoch milliseconds (messaging), epoch seconds (`changes` entries and the "Test"
 * payload), either possibly as a string. Anything else is no time at all.
 */
export function toDate(value: unknown): Date | undefined {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,16}(\.\d+)?$/.test(value.trim())
        ? Number(value.trim())
        : NaN;
  if (!Number.isFinite(number) || number <= 0) return undefined;
  // Seconds until the year 33658; milliseconds from 1970-01-12 on.
  const ms = number < 1e12 ? number * 1000 : number;
  const date = new Date(Math.round(ms));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function asCount(value: unknown): number | undefined {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,9}$/.test(value.trim())
        ? Number(value.trim())
        : NaN;
  return Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Ids are strings in Meta's bodies; a number (seen in hand-made tests) is read as its digits. */
function asId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return String(value);
  }
  return asString(value);
}
