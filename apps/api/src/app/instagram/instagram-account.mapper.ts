import type { InstagramAccountDto } from '@instantchat/contracts';
import type { InstagramConnection } from './schemas/instagram-connection.schema';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the owner sees of a connection: never a token, never another user's data. */
export function toInstagramAccountDto(
  connection: InstagramConnection,
  now = new Date(),
): InstagramAccountDto {
  const expiresAt = connection.tokenExpiresAt;
  return {
    id: connection.instagramAccountId,
    username: connection.instagramUsername,
    ...(connection.name ? { name: connection.name } : {}),
    ...(connection.profilePictureUrl
      ? { pictureUrl: connection.profilePictureUrl }
      : {}),
    method: connection.method,
    ...(connection.pageId ? { pageId: connection.pageId } : {}),
    ...(connection.pageName ? { pageName: connection.pageName } : {}),
    tokenExpiresAt: expiresAt ? expiresAt.toISOString() : null,
    daysLeft: expiresAt
      ? Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS))
      : null,
    webhookSubscribed: connection.webhookSubscribed,
    state: connection.state,
    ...(connection.lastError ? { lastError: connection.lastError } : {}),
  };
}
