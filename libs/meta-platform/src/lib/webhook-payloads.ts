/**
 * Meta's Instagram messaging webhook notifications, as documented for the Messenger Platform
 * (Instagram) `messages`, `messaging_seen`, `message_reactions`, `message_edit`,
 * `messaging_postbacks` and `messaging_referral` fields.
 *
 * Times are epoch milliseconds and ids are strings. Every optional key may be absent in a real
 * delivery, so consumers must not assume more than the documented minimum.
 */

export const INSTAGRAM_WEBHOOK_OBJECT = 'instagram';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-hub-signature-256';
export const WEBHOOK_SIGNATURE_PREFIX = 'sha256=';

export interface WebhookParty {
  id: string;
}

export type InstagramAttachmentType =
  | 'image'
  | 'video'
  | 'audio'
  | 'file'
  | 'share'
  | 'story_mention'
  | 'ig_reel'
  | 'reel'
  | 'ig_post'
  | 'ig_story'
  | 'unsupported_type'
  | 'template'
  | 'fallback';

export interface InstagramAttachmentPayload {
  url?: string;
  title?: string;
  reel_video_id?: string;
  /** `ig_post` (and, until February 2026, `share`): the shared post's media id. */
  ig_post_media_id?: string;
  [key: string]: unknown;
}

export interface InstagramAttachment {
  type: InstagramAttachmentType | string;
  /** Usually present; absent for content Instagram cannot hand over (e.g. some stickers). */
  payload?: InstagramAttachmentPayload;
}

export interface InstagramReplyTo {
  /** Set when the person replied to a specific message. */
  mid?: string;
  /** Set when the person replied to the business's story; `url` is gone once the story expired. */
  story?: { id: string; url?: string };
}

export interface InstagramWebhookMessage {
  mid: string;
  text?: string;
  attachments?: InstagramAttachment[];
  /** The business account sent this message (from our app or from the Instagram app). */
  is_echo?: boolean;
  /** The sender unsent this message; only `mid` accompanies it. */
  is_deleted?: boolean;
  /** Instagram could not represent the content (e.g. a GIF sticker) over the API. */
  is_unsupported?: boolean;
  reply_to?: InstagramReplyTo;
  quick_reply?: { payload: string };
  referral?: InstagramReferral;
}

export interface InstagramReaction {
  mid: string;
  action: 'react' | 'unreact';
  /** Present on `react` only. */
  reaction?: string;
  emoji?: string;
}

export interface InstagramRead {
  mid: string;
}

export interface InstagramMessageEdit {
  mid: string;
  text?: string;
  /** Documented as an integer; Meta's own example (and some deliveries) carry it as a string. */
  num_edit: number | string;
}

export interface InstagramPostback {
  /** Only from Graph API v11.0 on. */
  mid?: string;
  title?: string;
  /** Absent in postbacks delivered on the `standby` channel. */
  payload?: string;
  /** The person came through an ig.me link (or an ad) and tapped an Icebreaker. */
  referral?: InstagramReferral;
}

export interface InstagramReferral {
  ref?: string;
  /** `ADS`, `SHORTLINK` (an ig.me link), …; absent on Instagram Shop product referrals. */
  source?: string;
  type?: string;
  ad_id?: string;
  /** Instagram Shop: the product the person asked about (inside a message). */
  product?: { id: string };
  [key: string]: unknown;
}

interface MessagingEventBase {
  sender: WebhookParty;
  recipient: WebhookParty;
  timestamp: number;
}

export interface MessageMessagingEvent extends MessagingEventBase {
  message: InstagramWebhookMessage;
}
export interface ReactionMessagingEvent extends MessagingEventBase {
  reaction: InstagramReaction;
}
export interface ReadMessagingEvent extends MessagingEventBase {
  read: InstagramRead;
}
export interface MessageEditMessagingEvent extends MessagingEventBase {
  message_edit: InstagramMessageEdit;
}
export interface PostbackMessagingEvent extends MessagingEventBase {
  postback: InstagramPostback;
}
export interface ReferralMessagingEvent extends MessagingEventBase {
  referral: InstagramReferral;
}

export type InstagramMessagingEvent =
  | MessageMessagingEvent
  | ReactionMessagingEvent
  | ReadMessagingEvent
  | MessageEditMessagingEvent
  | PostbackMessagingEvent
  | ReferralMessagingEvent;

export interface InstagramWebhookEntry {
  /** The Instagram professional account the events belong to. */
  id: string;
  time: number;
  /**
   * Absent on entries that carry other fields instead (`standby` when another app controls
   * the conversation, `changes` for comments and mentions).
   */
  messaging?: InstagramMessagingEvent[];
  standby?: InstagramMessagingEvent[];
  changes?: InstagramWebhookChange[];
}

/**
 * The `changes[]` form: one field and its value. Messaging fields carry a messaging event as the
 * value (the App Dashboard's "Test" button sends them so, with `entry.time` in seconds and the
 * event's `timestamp` as a string); comments and mentions carry their own objects.
 */
export interface InstagramWebhookChange {
  field: string;
  value: Record<string, unknown>;
}

export interface InstagramWebhookPayload {
  object: typeof INSTAGRAM_WEBHOOK_OBJECT;
  entry: InstagramWebhookEntry[];
}

export function isMessageEvent(
  e: InstagramMessagingEvent,
): e is MessageMessagingEvent {
  return 'message' in e;
}
export function isReactionEvent(
  e: InstagramMessagingEvent,
): e is ReactionMessagingEvent {
  return 'reaction' in e;
}
export function isReadEvent(
  e: InstagramMessagingEvent,
): e is ReadMessagingEvent {
  return 'read' in e;
}
export function isMessageEditEvent(
  e: InstagramMessagingEvent,
): e is MessageEditMessagingEvent {
  return 'message_edit' in e;
}
export function isPostbackEvent(
  e: InstagramMessagingEvent,
): e is PostbackMessagingEvent {
  return 'postback' in e;
}
export function isReferralEvent(
  e: InstagramMessagingEvent,
): e is ReferralMessagingEvent {
  return 'referral' in e && !('message' in e);
}
