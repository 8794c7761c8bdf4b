import type { SendMessageRequest } from '@instantchat/meta-platform';
import { GraphErrors } from '../graph-errors';
import type { Reply } from '../http/router';

/**
 * The Send API's body checked the way Meta checks it (JSON, or form fields holding JSON), with
 * Meta's `#100` wording for each mistake.
 */

const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];
const TAGS = ['HUMAN_AGENT'];
const SENDER_ACTIONS = [
  'typing_on',
  'typing_off',
  'mark_seen',
  'react',
  'unreact',
];
const ATTACHMENT_TYPES = [
  'image',
  'video',
  'audio',
  'file',
  'like_heart',
  'MEDIA_SHARE',
];
/** Meta counts characters (code points: an emoji is one), not UTF-8 bytes. */
const MAX_TEXT_CHARACTERS = 1000;
/** "A maximum of 13 quick replies … each up to 20 characters before being truncated." */
const MAX_QUICK_REPLIES = 13;
const QUICK_REPLY_TITLE_CHARACTERS = 20;
const QUICK_REPLY_CONTENT_TYPES = ['text', 'user_phone_number', 'user_email'];

/** Meta takes the body as JSON or as form fields whose values are JSON strings. */
function jsonField(
  body: Record<string, unknown>,
  name: string,
): { value?: unknown; error?: Reply } {
  const raw = body[name];
  if (typeof raw !== 'string') return { value: raw };
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('['))
    return { value: raw };
  try {
    return { value: JSON.parse(trimmed) };
  } catch {
    return {
      error: GraphErrors.invalidParameter(
        `param ${name} must be a JSON object`,
      ),
    };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseSendRequest(
  body: Record<string, unknown>,
): { request: SendMessageRequest } | { error: Reply } {
  const recipientField = jsonField(body, 'recipient');
  if (recipientField.error) return { error: recipientField.error };
  const recipient = recipientField.value;
  if (recipient === undefined || recipient === null || recipient === '')
    return {
      error: GraphErrors.invalidParameter(
        'The parameter recipient is required',
      ),
    };
  if (
    !isObject(recipient) ||
    typeof recipient['id'] !== 'string' ||
    recipient['id'] === ''
  ) {
    return {
      error: GraphErrors.invalidParameter(
        'param recipient[id] must be a non-empty string',
      ),
    };
  }

  const messagingType = body['messaging_type'];
  if (
    messagingType !== undefined &&
    (typeof messagingType !== 'string' ||
      !MESSAGING_TYPES.includes(messagingType))
  ) {
    return {
      error: GraphErrors.invalidParameter(
        `Param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}} - got "${String(messagingType)}"`,
      ),
    };
  }
  const tag = body['tag'];
  if (tag !== undefined) {
    if (typeof tag !== 'string' || !TAGS.includes(tag))
      return {
        error: GraphErrors.invalidParameter(
          `Param tag must be one of {${TAGS.join(', ')}} - got "${String(tag)}"`,
        ),
      };
    if (messagingType !== undefined && messagingType !== 'MESSAGE_TAG') {
      return {
        error: GraphErrors.invalidParameter(
          'Param messaging_type must be MESSAGE_TAG when a tag is set',
        ),
      };
    }
  } else if (messagingType === 'MESSAGE_TAG') {
    return {
      error: GraphErrors.invalidParameter(
        'The parameter tag is required when messaging_type is MESSAGE_TAG',
      ),
    };
  }

  const messageField = jsonField(body, 'message');
  if (messageField.error) return { error: messageField.error };
  const message = messageField.value;
  const senderAction = body['sender_action'];
  if (message === undefined && senderAction === undefined)
    return {
      error: GraphErrors.invalidParameter(
        'Must send either message or sender action',
      ),
    };
  if (message !== undefined && senderAction !== undefined)
    return {
      error: GraphErrors.invalidParameter(
        'Cannot send a message and a sender action in the same request',
      ),
    };

  if (senderAction !== undefined) {
    if (
      typeof senderAction !== 'string' ||
      !SENDER_ACTIONS.includes(senderAction)
    ) {
      return {
        error: GraphErrors.invalidParameter(
          `Param sender_action must be one of {${SENDER_ACTIONS.join(', ')}} - got "${String(senderAction)}"`,
        ),
      };
    }
    const payloadField = jsonField(body, 'payload');
    if (payloadField.error) return { error: payloadField.error };
    const payload = payloadField.value;
    if (senderAction === 'react' || senderAction === 'unreact') {
      if (!isObject(payload) || typeof payload['message_id'] !== 'string') {
        return {
          error: GraphErrors.invalidParameter(
            'The parameter payload[message_id] is required',
          ),
        };
      }
    }
    return {
      request: {
        recipient: { id: recipient['id'] },
        sender_action: senderAction as SendMessageRequest['sender_action'],
        ...(isObject(payload)
          ? { payload: payload as SendMessageRequest['payload'] }
          : {}),
      },
    };
  }

  if (!isObject(message))
    return {
      error: GraphErrors.invalidParameter(
        'param message must be a JSON object',
      ),
    };
  const text = message['text'];
  const attachment = message['attachment'];
  if (text === undefined && attachment === undefined)
    return {
      error: GraphErrors.invalidParameter(
        'param message must contain either text or attachment',
      ),
    };
  if (text !== undefined && attachment !== undefined)
    return {
      error: GraphErrors.invalidParameter(
        'param message must contain only one of text or attachment',
      ),
    };
  if (text !== undefined) {
    if (typeof text !== 'string' || text.trim() === '')
      return {
        error: GraphErrors.invalidParameter(
          'param message[text] must be a non-empty UTF-8 encoded string',
        ),
      };
    if (Array.from(text).length > MAX_TEXT_CHARACTERS) {
      return {
        error: GraphErrors.invalidParameter(
          `Length of param message[text] must be less than or equal to ${MAX_TEXT_CHARACTERS}`,
        ),
      };
    }
  }
  const quickReplies = quickRepliesOf(message['quick_replies']);
  if ('error' in quickReplies) return { error: quickReplies.error };
  if (attachment !== undefined) {
    if (
      !isObject(attachment) ||
      typeof attachment['type'] !== 'string' ||
      !ATTACHMENT_TYPES.includes(attachment['type'])
    ) {
      return {
        error: GraphErrors.invalidParameter(
          `param message[attachment][type] must be one of {${ATTACHMENT_TYPES.join(', ')}}`,
        ),
      };
    }
    const payload = attachment['payload'];
    if (attachment['type'] !== 'like_heart') {
      const url = isObject(payload) ? payload['url'] : undefined;
      const id = isObject(payload) ? payload['id'] : undefined;
      if (
        typeof id !== 'string' &&
        (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(url))
      ) {
        return {
          error: GraphErrors.invalidParameter(
            'param message[attachment][payload][url] must be a valid URL',
          ),
        };
      }
    }
  }
  return {
    request: {
      recipient: { id: recipient['id'] },
      ...(typeof messagingType === 'string'
        ? {
            messaging_type:
              messagingType as SendMessageRequest['messaging_type'],
          }
        : {}),
      ...(typeof tag === 'string'
        ? { tag: tag as SendMessageRequest['tag'] }
        : {}),
      message: {
        ...(message as SendMessageRequest['message']),
        ...(quickReplies.value ? { quick_replies: quickReplies.value } : {}),
      },
    },
  };
}

type QuickReplies = NonNullable<
  NonNullable<SendMessageRequest['message']>['quick_replies']
>;

/** At most 13; a title longer than 20 characters is cut to 20, as Instagram shows it. */
function quickRepliesOf(
  value: unknown,
): { value?: QuickReplies } | { error: Reply } {
  if (value === undefined) return {};
  if (!Array.isArray(value))
    return {
      error: GraphErrors.invalidParameter(
        'param message[quick_replies] must be an array',
      ),
    };
  if (value.length > MAX_QUICK_REPLIES)
    return {
      error: GraphErrors.invalidParameter(
        `param message[quick_replies] must have at most ${MAX_QUICK_REPLIES} elements`,
      ),
    };
  const replies: QuickReplies = [];
  for (const [index, reply] of value.entries()) {
    const contentType = isObject(reply) ? reply['content_type'] : undefined;
    if (
      typeof contentType !== 'string' ||
      !QUICK_REPLY_CONTENT_TYPES.includes(contentType)
    )
      return {
        error: GraphErrors.invalidParameter(
          `param message[quick_replies][${index}][content_type] must be one of {${QUICK_REPLY_CONTENT_TYPES.join(', ')}}`,
        ),
      };
    const title = (reply as Record<string, unknown>)['title'];
    if (
      contentType === 'text' &&
      (typeof title !== 'string' || title.trim() === '')
    )
      return {
        error: GraphErrors.invalidParameter(
          `param message[quick_replies][${index}][title] must be a non-empty string`,
        ),
      };
    replies.push({
      ...(reply as QuickReplies[number]),
      ...(typeof title === 'string'
        ? {
            title: Array.from(title)
              .slice(0, QUICK_REPLY_TITLE_CHARACTERS)
              .join(''),
          }
        : {}),
    });
  }
  return { value: replies };
}
