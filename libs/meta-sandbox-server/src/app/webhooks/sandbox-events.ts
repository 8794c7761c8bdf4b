import type { InstagramMessagingEvent } from '@instantchat/meta-platform';
import { messageId, numericId } from '../ids';
import type { SandboxWorld } from '../world';
import type { StoredMessage } from '../world-model';
import {
  type AttachmentKind,
  buildAttachment,
  buildReferral,
  cdnUrl,
} from './sandbox-attachments';
import { EventInputError, type SandboxEventInput } from './sandbox-event-input';

/**
 * Turns a control-API request ("Anna sends a photo") into the messaging event Meta would
 * deliver, and applies it to the sandbox's world (stores messages, opens the messaging window,
 * counts edits) so later calls behave consistently.
 */

export interface BuiltEvent {
  instagramAccountId: string;
  event: InstagramMessagingEvent;
  /** The id of the message this event created (text, attachments, echo, postback…). */
  mid?: string;
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
            // An ad or an ig.me link the person came through rides on their first message.
            ...((input.ref !== undefined || input.source) && {
              referral: buildReferral(input.source ?? 'ADS', input.ref),
            }),
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
    case 'reel':
    case 'ig_story':
    case 'ig_post':
    case 'unsupported_type':
    case 'attachments': {
      const kinds: AttachmentKind[] =
        input.type === 'attachments' ? (input.attachments ?? []) : [input.type];
      if (kinds.length === 0)
        throw new EventInputError(
          'attachments is required for an attachments event',
        );
      const attachments = kinds.map((kind) =>
        buildAttachment(kind, { url: input.url, title: input.title }),
      );
      const mid = store({ direction: 'inbound', origin: 'user', attachments });
      opensWindow();
      return {
        instagramAccountId: account.id,
        mid,
        event: { ...inbound, message: { mid, attachments } },
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
                url: input.url ?? cdnUrl(storyId, 'story'),
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
          message_edit: {
            mid: message.mid,
            text,
            num_edit: input.numEditAsString
              ? String(message.numEdit)
              : message.numEdit,
          },
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
        event: {
          ...inbound,
          postback: {
            mid,
            title,
            payload: input.payload,
            // An Icebreaker tapped after opening an ig.me link (or an ad) names the referral.
            ...((input.ref !== undefined || input.source) && {
              referral: buildReferral(input.source ?? 'SHORTLINK', input.ref),
            }),
          },
        },
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
          referral: buildReferral(
            input.source ?? 'ADS',
            input.ref ?? input.payload ?? 'sandbox',
          ),
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
      // The business replied from the Instagram app itself, or mentioned the person in its story
      // (attachments: ['story_mention']): Meta echoes it with is_echo.
      const attachments = input.attachments?.map((kind) =>
        buildAttachment(kind, { url: input.url, title: input.title }),
      );
      const text = attachments ? input.text : requireText();
      const mid = store({
        direction: 'outbound',
        origin: 'instagram_app',
        ...(text !== undefined && { text }),
        ...(attachments && { attachments }),
      });
      return {
        instagramAccountId: account.id,
        mid,
        event: {
          sender: { id: account.id },
          recipient: { id: user.id },
          timestamp,
          message: {
            mid,
            ...(text !== undefined && { text }),
            ...(attachments && { attachments }),
            is_echo: true,
          },
        },
      };
    }
  }
}
