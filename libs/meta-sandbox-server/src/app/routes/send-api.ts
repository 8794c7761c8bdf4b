import {
  HUMAN_AGENT_MESSAGING_WINDOW_MS,
  STANDARD_MESSAGING_WINDOW_MS,
  type InstagramAttachment,
  type SendMessageResponse,
} from '@instantchat/meta-platform';
import type { AppToken } from '../graph-auth';
import { GraphErrors } from '../graph-errors';
import type { Reply, SandboxRequest } from '../http/router';
import { messageId } from '../ids';
import { parseSendRequest } from './send-api-request';
import { MEDIA_MAX_BYTES, mediaSize, mediaTooLarge } from './send-api-media';
import { deliverEvents, type SandboxContext } from '../sandbox-context';
import type { IssuedToken } from '../world-model';

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
): Promise<Reply> {
  return recorded(ctx, req, pageSender(ctx, token, pathId), pathId);
}

/** The same Send API on graph.instagram.com with an Instagram Login token. */
export function handleInstagramLoginSendApi(
  ctx: SandboxContext,
  req: SandboxRequest,
  token: IssuedToken,
  pathId: string | undefined,
): Promise<Reply> {
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

async function recorded(
  ctx: SandboxContext,
  req: SandboxRequest,
  sender: Sender,
  pathId: string | undefined,
): Promise<Reply> {
  const reply =
    'error' in sender
      ? sender.error
      : sender.scopes.includes(sender.permission)
        ? await send(ctx, req, sender.accountId)
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

async function send(
  ctx: SandboxContext,
  req: SandboxRequest,
  accountId: string,
): Promise<Reply> {
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
  const media = content.attachment;
  const limit = media ? MEDIA_MAX_BYTES[media.type] : undefined;
  if (media?.payload?.url !== undefined && limit !== undefined) {
    const size = await mediaSize(media.payload.url, limit);
    if (size !== undefined && size > limit) return mediaTooLarge(media.type);
  }
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
