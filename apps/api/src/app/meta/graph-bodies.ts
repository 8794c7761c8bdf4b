import type {
  AccessTokenResponse,
  InstagramUserProfile,
  SendMessageRequest,
  SendMessageResponse,
} from '@instantchat/meta-platform';
import { MetaRequestError } from './meta-api.errors';
import type { MetaGraphTransport } from './meta-graph-transport';
import type {
  InstagramContactProfile,
  MetaAccessToken,
  OutgoingMessage,
  SentMessage,
} from './meta-graph.types';

/**
 * Bodies both login methods share: token answers, the Send API's request and answer and the User
 * Profile API's query and answer (graph.facebook.com with a Page token, graph.instagram.com with
 * an Instagram Login token).
 */

/** What the User Profile API is asked for about a person who messaged the account. */
const CONTACT_PROFILE_FIELDS =
  'name,username,profile_pic,follower_count,is_verified_user,is_user_follow_business';

/**
 * The User Profile API, on whichever host `graph` speaks to (graph.facebook.com with a Page token,
 * graph.instagram.com with an Instagram Login token): the same node, fields and answer.
 */
export async function requestContactProfile(
  graph: MetaGraphTransport,
  operation: string,
  instagramScopedId: string,
  accessToken: string,
): Promise<InstagramContactProfile> {
  const body = await graph.request<InstagramUserProfile>({
    operation,
    method: 'GET',
    path: `/${encodeURIComponent(instagramScopedId)}`,
    query: { fields: CONTACT_PROFILE_FIELDS },
    token: accessToken,
    idempotent: true,
  });
  return toContactProfile(body);
}

function toContactProfile(body: InstagramUserProfile): InstagramContactProfile {
  return {
    id: body.id,
    name: body.name,
    username: body.username,
    profilePictureUrl: body.profile_pic,
    followerCount: body.follower_count,
    isVerified: body.is_verified_user,
    followsBusiness: body.is_user_follow_business,
  };
}

export function toAccessToken(body: AccessTokenResponse): MetaAccessToken {
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new MetaRequestError(
      'Meta answered the token exchange without an access_token',
    );
  }
  return {
    accessToken: body.access_token,
    ...(typeof body.expires_in === 'number' && body.expires_in > 0
      ? { expiresAt: new Date(Date.now() + body.expires_in * 1000) }
      : {}),
  };
}

export function toSendMessageRequest(
  input: OutgoingMessage & { recipientId: string; humanAgent?: boolean },
): SendMessageRequest {
  return {
    recipient: { id: input.recipientId },
    ...(input.humanAgent
      ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
      : { messaging_type: 'RESPONSE' }),
    message:
      input.attachment !== undefined
        ? {
            attachment: {
              type: input.attachment.type,
              payload: { url: input.attachment.url },
            },
          }
        : { text: input.text },
  };
}

export function toSentMessage(
  body: SendMessageResponse,
  recipientId: string,
): SentMessage {
  if (typeof body.message_id !== 'string')
    throw new MetaRequestError(
      'Meta accepted the message but returned no message_id',
    );
  return {
    recipientId: body.recipient_id ?? recipientId,
    messageId: body.message_id,
  };
}
