import {
  ATTACHMENT_KINDS,
  type AttachmentKind,
  isAttachmentKind,
  REFERRAL_SOURCES,
  type ReferralSource,
} from './sandbox-attachments';

/** What the control API's `POST /_sandbox/events` accepts: one thing a person (or the business) does. */

export const SANDBOX_EVENT_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'file',
  'share',
  'story_mention',
  'reel',
  'ig_story',
  'ig_post',
  'unsupported_type',
  'attachments',
  'story_reply',
  'reaction',
  'unreaction',
  'read',
  'unsend',
  'edit',
  'postback',
  'quick_reply',
  'referral',
  'unsupported',
  'echo',
] as const;
export type SandboxEventType = (typeof SANDBOX_EVENT_TYPES)[number];

export interface SandboxEventInput {
  type: SandboxEventType;
  /** The Instagram user (IGSID) on the other side of the conversation. */
  user: string;
  /** The business's Instagram professional account id; defaults to the first one. */
  account?: string;
  text?: string;
  url?: string;
  title?: string;
  /** Target message for reaction, unreaction, read, unsend, edit; `reply_to` for text. */
  mid?: string;
  reaction?: string;
  emoji?: string;
  payload?: string;
  storyId?: string;
  /** `attachments` (several in one message) and `echo`: the kinds, in order. */
  attachments?: AttachmentKind[];
  /** `referral`, `postback` and `text`: the ig.me link's or the ad's `ref`. */
  ref?: string;
  /** `referral`, `postback` and `text`: where the person came from. */
  source?: ReferralSource;
  /** `edit`: `num_edit` as a string, as in Meta's own example. */
  numEditAsString?: boolean;
}

export class EventInputError extends Error {}

/** Meta's messages carry at most this many attachments (several photos sent at once). */
const MAX_ATTACHMENTS = 10;

export function parseEventInput(raw: unknown): SandboxEventInput {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new EventInputError('Each event must be a JSON object');
  const input = raw as Record<string, unknown>;
  const type = input['type'];
  if (
    typeof type !== 'string' ||
    !(SANDBOX_EVENT_TYPES as readonly string[]).includes(type)
  ) {
    throw new EventInputError(
      `type must be one of ${SANDBOX_EVENT_TYPES.join(', ')}`,
    );
  }
  const stringField = (name: string): string | undefined => {
    const value = input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string')
      throw new EventInputError(`${name} must be a string`);
    return value;
  };
  const user = stringField('user');
  if (!user)
    throw new EventInputError('user (the Instagram user id) is required');
  const attachments = input['attachments'];
  if (
    attachments !== undefined &&
    (!Array.isArray(attachments) ||
      attachments.length === 0 ||
      attachments.length > MAX_ATTACHMENTS ||
      !attachments.every(isAttachmentKind))
  )
    throw new EventInputError(
      `attachments must list 1–${MAX_ATTACHMENTS} of ${ATTACHMENT_KINDS.join(', ')}`,
    );
  const source = stringField('source');
  if (
    source !== undefined &&
    !(REFERRAL_SOURCES as readonly string[]).includes(source)
  )
    throw new EventInputError(
      `source must be one of ${REFERRAL_SOURCES.join(', ')}`,
    );
  const numEditAsString = input['numEditAsString'];
  if (numEditAsString !== undefined && typeof numEditAsString !== 'boolean')
    throw new EventInputError('numEditAsString must be a boolean');
  return {
    type: type as SandboxEventType,
    user,
    account: stringField('account'),
    text: stringField('text'),
    url: stringField('url'),
    title: stringField('title'),
    mid: stringField('mid'),
    reaction: stringField('reaction'),
    emoji: stringField('emoji'),
    payload: stringField('payload'),
    storyId: stringField('storyId'),
    attachments: attachments as AttachmentKind[] | undefined,
    ref: stringField('ref'),
    source: source as ReferralSource | undefined,
    numEditAsString,
  };
}
