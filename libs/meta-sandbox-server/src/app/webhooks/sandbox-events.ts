import type {
  InstagramAttachment,
  InstagramMessagingEvent,
} from '@instantchat/meta-platform';
import { messageId, numericId } from '../ids';
import type { SandboxWorld } from '../world';
import type { StoredMessage } from '../world-model';

/**
 * Turns a control-API request ("Anna sends a photo") into the messaging event Meta would
 * deliver, and applies it to the sandbox's world (stores messages, opens the messaging window,
 * counts edits) so later calls behave consistently.
 */

export const SANDBOX_EVENT_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'file',
  'share',
  'story_mention',
  'reel',
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
}

export interface BuiltEvent {
  instagramAccountId: string;
  event: InstagramMessagingEvent;
  /** The id of the message this event created (text, attachments, echo, postback…). */
  mid?: string;
}

export class EventInputError extends Error {}

const MEDIA_TYPES: Partial<Record<SandboxEventType, string>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'file',
  share: 'share',
  story_mention: 'story_mention',
  reel: 'ig_reel',
};

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
  };
}

export function buildSandboxEvent(
  world: SandboxWorld,
  input: SandboxEventInput,
): BuiltEvent {
  const user = world.instagramUsers.get(input.user);
  if (!user)
    throw new EventInputError(
      `Unknown Instagram user ${input.user}; create it with POST /_sandbox/instagram-users`,
    );
  const accountId = input.account ?? [...world.instagramAccounts.keys()][0];
  const account = world.instagramAccounts.get(accountId);
  if (!account)
    throw new EventInputError(
      `Unknown Instagram professional account ${accountId}`,
    );

  const timestamp = world.now();
  const inbound = {
    sender: { id: user.id },
    recipient: { id: account.id },
    timestamp,
  };
  const requireText = (): string => {
    if (!input.text || input.text.trim() === '')
      throw new EventInputError(`text is required for a ${input.type} event`);
    return input.text;
  };
  const requireMessage = (): StoredMessage => {
    if (!input.mid)
      throw new EventInputError(`mid is required for a ${input.type} event`);
    const message = world.messages.get(input.mid);
    if (
      !message ||
      message.instagramAccountId !== account.id ||
      message.instagramUserId !== user.id
    ) {
      throw new EventInputError(
        `No message ${input.mid} in the conversation between ${user.id} and ${account.id}`,
      );
    }
    return message;
  };
  const store = (
    message: Omit<
      StoredMessage,
      | 'mid'
      | 'instagramAccountId'
      | 'instagramUserId'
      | 'timestamp'
      | 'numEdit'
      | 'deleted'
      | 'reactions'
    >,
  ) => {
    const mid = messageId();
    world.messages.set(mid, {
      ...message,
      mid,
      instagramAccountId: account.id,
      instagramUserId: user.id,
      timestamp,
      numEdit: 0,
      deleted: false,
      reactions: {},
    });
    return mid;
  };
  const opensWindow = () => world.recordInbound(account.id, user.id, timestamp);

  switch (input.type) {
    case 'text': {
      const text = requireText();
      if (input.mid) requireMessage();
      const mid = store({ direction: 'inbound', origin: 'user', text });
      opensWindow();
      return {
        instagramAccountId: account.id,
        mid,
        event: {
          ...inbound,
          message: {
            mid,
            text,
            ...(input.mid ? { reply_to: { mid: input.mid } } : {}),
          },
        },
      };
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
    case 'share':
    case 'story_mention':
    case 'reel': {
      const assetId = numericId(17);
      const url =
        input.url ??
        `https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=${assetId}&signature=sandbox`;
      const attachment: InstagramAttachment =
        input.type === 'reel'
          ? {
              type: 'ig_reel',
              payload: {
                reel_video_id: assetId,
                title: input.title ?? 'Sandbox reel',
                url,
              },
            }
          : { type: MEDIA_TYPES[input.type] as string, payload: { url } };
      const mid = store({
        direction: 'inbound',
        origin: 'user',
        attachments: [attachment],
      });
      opensWindow();
      return {
        instagramAccountId: account.id,
        mid,
        event: { ...inbound, message: { mid, attachments: [attachment] } },
      };
    }
    case 'story_reply': {
      const text = requireText();
      const mid = store({ direction: 'inbound', origin: 'user', text });
      opensWindow();
      const storyId = input.storyId ?? numericId(19);
      return {
        instagramAccountId: account.id,
        mid,
        event: {
          ...inbound,
          message: {
            mid,
            text,
            reply_to: {
              story: {
                url:
                  input.url ??
                  `https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=${storyId}&signature=story`,
                id: storyId,
              },
            },
          },
        },
      };
    }
    case 'reaction': {
      const message = requireMessage();
      const reaction = input.reaction ?? 'love';
      const emoji = input.emoji ?? '\u2764\ufe0f';
      message.reactions[user.id] = emoji;
      opensWindow();
      return {
        instagramAccountId: account.id,
        event: {
          ...inbound,
          reaction: { mid: message.mid, action: 'react', reaction, emoji },
        },
      };
    }
    case 'unreaction': {
      const message = requireMessage();
      delete message.reactions[user.id];
      return {
        instagramAccountId: account.id,
        event: {
          ...inbound,
          reaction: { mid: message.mid, action: 'unreact' },
        },
      };
    }
    case 'read': {
      const message = requireMessage();
      return {
        instagramAccountId: account.id,
        event: { ...inbound, read: { mid: message.mid } },
      };
    }
    case 'unsend': {
      const message = requireMessage();
      if (message.direction !== 'inbound')
        throw new EventInputError(
          'A person can only unsend their own messages',
        );
      message.deleted = true;
      return {
        instagramAccountId: account.id,
        event: { ...inbound, message: { mid: message.mid, is_deleted: true } },
      };
    }
    case 'edit': {
      const message = requireMessage();
      if (message.direction !== 'inbound')
        throw new EventInputError('A person can only edit their own messages');
      const text = requireText();
      message.text = text;
      message.numEdit++;
      return {
        instagramAccountId: account.id,
        event: {
          ...inbound,
          message_edit: { mid: message.mid, text, num_edit: message.numEdit },
        },
      };
    }
    case 'postback': {
      if (!input.payload)
        throw new EventInputError('payload is required for a postback event');
      const title = input.title ?? input.payload;
      const mid = messageId();
      opensWindow();
      return {
        instagramAccountId: account.id,
        mid,
        event: { ...inbound, postback: { mid, title, payload: input.payload } },
      };
    }
    case 'quick_reply': {
      const text = requireText();
      if (!input.payload)
        throw new EventInputError(
          'payload is required for a quick_reply event',
        );
      const mid = store({ direction: 'inbound', origin: 'user', text });
      opensWindow();
      return {
        instagramAccountId: account.id,
        mid,
        event: {
          ...inbound,
          message: { mid, text, quick_reply: { payload: input.payload } },
        },
      };
    }
    case 'referral': {
      // The person opened the conversation from an ad or an ig.me link with a ref parameter.
      opensWindow();
      return {
        instagramAccountId: account.id,
        event: {
          ...inbound,
          referral: {
            ref: input.payload ?? 'sandbox',
            source: 'ADS',
            type: 'OPEN_THREAD',
            ad_id: numericId(17),
          },
        },
      };
    }
    case 'unsupported': {
      const mid = store({ direction: 'inbound', origin: 'user' });
      opensWindow();
      return {
        instagramAccountId: account.id,
        mid,
        event: { ...inbound, message: { mid, is_unsupported: true } },
      };
    }
    case 'echo': {
      // The business replied from the Instagram app itself: Meta echoes it with is_echo.
      const text = requireText();
      const mid = store({
        direction: 'outbound',
        origin: 'instagram_app',
        text,
      });
      return {
        instagramAccountId: account.id,
        mid,
        event: {
          sender: { id: account.id },
          recipient: { id: user.id },
          timestamp,
          message: { mid, text, is_echo: true },
        },
      };
    }
  }
}
