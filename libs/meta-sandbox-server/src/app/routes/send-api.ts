import {
  HUMAN_AGENT_MESSAGING_WINDOW_MS,
  STANDARD_MESSAGING_WINDOW_MS,
  type InstagramAttachment,
  type SendMessageRequest,
  type SendMessageResponse,
} from '@instantchat/meta-platform';
import type { AppToken } from '../graph-auth';
import { GraphErrors } from '../graph-errors';
import type { Reply, SandboxRequest } from '../http/router';
import { messageId } from '../ids';
import { deliverEvents, type SandboxContext } from '../sandbox-context';
import type { IssuedToken } from '../world';

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
const MAX_TEXT_BYTES = 1000;

/** The business account a send speaks for, as its token says, and the permission it needs. */
type Sender =
  | { accountId: string; scopes: string[]; permission: string }
  | { error: Reply };

/**
 * `POST /me/messages`, `POST /{page-id}/messages` and `POST /{ig-id}/messages` with a Page token
 * (Facebook Login): validates like Meta, enforces the messaging window, records what was asked,
 * answers `{recipient_id, message_id}` and then delivers the echo webhook Meta sends for every
 * message an app sends.
 */
export function handleSendApi(
  ctx: SandboxContext,
  req: SandboxRequest,
  token: IssuedToken | AppToken,
  pathId: string | undefined,
): Reply {
  return recorded(ctx, req, pageSender(ctx, token, pathId), pathId);
}

/** The same Send API on graph.instagram.com with an Instagram Login token. */
export function handleInstagramLoginSendApi(
  ctx: SandboxContext,
  req: SandboxRequest,
  token: IssuedToken,
  pathId: string | undefined,
): Reply {
  const accountId = token.instagramAccountId;
  const sender: Sender =
    accountId === undefined || (pathId !== undefined && pathId !== accountId)
      ? { error: GraphErrors.unknownObject('post', pathId ?? 'me') }
      : {
          accountId,
          scopes: token.scopes,
          permission: 'instagram_business_manage_messages',
        };
  return recorded(ctx, req, sender, pathId);
}

function pageSender(
  ctx: SandboxContext,
  token: IssuedToken | AppToken,
  pathId: string | undefined,
): Sender {
  if (token.type !== 'PAGE') {
    return {
      error: pathId
        ? GraphErrors.unknownObject('post', pathId)
        : GraphErrors.permissionMissing('pages_messaging'),
    };
  }
  const page = ctx.world.pages.get(token.pageIds[0]);
  const accountId = page?.instagramAccountId;
  if (!page || !accountId)
    return { error: GraphErrors.unknownObject('post', pathId ?? 'me') };
  if (pathId && pathId !== accountId && pathId !== page.id)
    return { error: GraphErrors.unknownObject('post', pathId) };
  return {
    accountId,
    scopes: token.scopes,
    permission: 'instagram_manage_messages',
  };
}

function recorded(
  ctx: SandboxContext,
  req: SandboxRequest,
  sender: Sender,
  pathId: string | undefined,
): Reply {
  const reply =
    'error' in sender
      ? sender.error
      : sender.scopes.includes(sender.permission)
        ? send(ctx, req, sender.accountId)
        : GraphErrors.permissionMissing(sender.permission);
  ctx.world.sendLog.push({
    id: ctx.world.nextSequence(),
    receivedAt: ctx.world.now(),
    path: req.path,
    instagramAccountId: 'error' in sender ? pathId : sender.accountId,
    body: redactToken(req.body),
    status: reply.status,
    response: reply.json,
  });
  return reply;
}

/** The record is readable by anyone with the control API, so credentials stay out of it. */
function redactToken(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).filter(
      ([key]) => key !== 'access_token' && key !== 'appsecret_proof',
    ),
  );
}

function send(
  ctx: SandboxContext,
  req: SandboxRequest,
  accountId: string,
): Reply {
  const { world } = ctx;
  const parsed = parseSendRequest(req.body);
  if ('error' in parsed) return parsed.error;
  const request = parsed.request;
  const recipientId = (request.recipient as { id: string }).id;

  const user = world.instagramUsers.get(recipientId);
  const lastInbound = world.lastInboundAt.get(
    world.conversationKey(accountId, recipientId),
  );
  // Instagram only lets a business message people who wrote to it first.
  if (!user || lastInbound === undefined) return GraphErrors.noMatchingUser();
  if (!user.available) return GraphErrors.userUnavailable();
  const window =
    request.tag === 'HUMAN_AGENT'
      ? HUMAN_AGENT_MESSAGING_WINDOW_MS
      : STANDARD_MESSAGING_WINDOW_MS;
  if (world.now() - lastInbound > window) return GraphErrors.outsideWindow();

  if (request.sender_action) {
    if (
      request.sender_action === 'react' ||
      request.sender_action === 'unreact'
    ) {
      const target = world.messages.get(request.payload?.message_id ?? '');
      if (
        !target ||
        target.instagramAccountId !== accountId ||
        target.instagramUserId !== recipientId
      ) {
        return GraphErrors.invalidParameter(
          'Param payload[message_id] must be a message in this conversation',
        );
      }
      if (request.sender_action === 'react')
        target.reactions[accountId] = request.payload?.reaction ?? 'love';
      else delete target.reactions[accountId];
    }
    return { status: 200, json: { recipient_id: recipientId } };
  }

  const content = request.message ?? {};
  const mid = messageId();
  const timestamp = world.now();
  const attachments: InstagramAttachment[] | undefined = content.attachment
    ? [
        {
          type:
            content.attachment.type === 'MEDIA_SHARE'
              ? 'share'
              : content.attachment.type,
          // `like_heart` has no payload; an attachment sent by `id` has no url.
          payload:
            content.attachment.payload?.url !== undefined
              ? { url: content.attachment.payload.url }
              : {},
        },
      ]
    : undefined;
  world.messages.set(mid, {
    mid,
    instagramAccountId: accountId,
    instagramUserId: recipientId,
    direction: 'outbound',
    origin: 'api',
    text: content.text,
    attachments,
    timestamp,
    numEdit: 0,
    deleted: false,
    reactions: {},
  });
  deliverEvents(ctx, [
    {
      instagramAccountId: accountId,
      mid,
      event: {
        sender: { id: accountId },
        recipient: { id: recipientId },
        timestamp,
        message: {
          mid,
          ...(content.text !== undefined ? { text: content.text } : {}),
          ...(attachments ? { attachments } : {}),
          is_echo: true,
        },
      },
    },
  ]);
  const body: SendMessageResponse = {
    recipient_id: recipientId,
    message_id: mid,
  };
  return { status: 200, json: body };
}

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
    if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) {
      return {
        error: GraphErrors.invalidParameter(
          `Length of param message[text] must be less than or equal to ${MAX_TEXT_BYTES}`,
        ),
      };
    }
  }
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
      message: message as SendMessageRequest['message'],
    },
  };
}
