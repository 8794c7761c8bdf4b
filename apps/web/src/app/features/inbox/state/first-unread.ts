import type { MessageDto } from '@instantchat/contracts';

/** What the person had not read when they opened a conversation, kept while it stays open. */
export interface UnreadMarker {
  conversationId: string;
  /** ISO 8601: everything up to here was read; null if they never read the conversation. */
  lastReadAt: string | null;
  unreadCount: number;
}

const fromOthers = (myId: string | null) => (message: MessageDto) =>
  message.senderUserId === null || message.senderUserId !== myId;

const unreadBy = (marker: UnreadMarker) => (message: MessageDto) =>
  marker.lastReadAt === null || message.createdAt > marker.lastReadAt;

/**
 * The first message the person had not read: the oldest message from someone else after their
 * read position (or, never having read, the oldest of the last `unreadCount` from others).
 * Null when nothing was unread or it is not loaded.
 */
export function firstUnreadMessageId(
  oldestFirst: readonly MessageDto[],
  marker: UnreadMarker | null,
  myId: string | null,
): string | null {
  if (!marker || marker.unreadCount <= 0) {
    return null;
  }
  const unread = oldestFirst
    .filter(fromOthers(myId))
    .filter(unreadBy(marker))
    .slice(-marker.unreadCount);
  return unread[0]?.id ?? null;
}

/**
 * Whether a history (newest first) reaches back to the first unread message: it holds a message
 * from before the read position, or as many unread messages from others as were counted.
 */
export function reachesFirstUnread(
  newestFirst: readonly MessageDto[],
  marker: UnreadMarker,
  myId: string | null,
): boolean {
  if (
    marker.lastReadAt !== null &&
    newestFirst.some(
      (message) => message.createdAt <= (marker.lastReadAt as string),
    )
  ) {
    return true;
  }
  const unreadFromOthers = newestFirst
    .filter(fromOthers(myId))
    .filter(unreadBy(marker)).length;
  return unreadFromOthers >= marker.unreadCount;
}
