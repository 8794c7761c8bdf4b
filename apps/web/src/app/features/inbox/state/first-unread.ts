import type { MessageDto } from '@instantchat/contracts';

/**
 * What the person had not read when the open conversation was opened (or its tab shown again),
 * kept while it stays open: where the "New messages" divider goes.
 */
export interface UnreadMarker {
  conversationId: string;
  /** ISO 8601: everything up to here was read; null if they never read the conversation. */
  lastReadAt: string | null;
  unreadCount: number;
  /**
   * ISO 8601: the conversation's newest message when the marker was taken. What arrives later is
   * not what was counted: without this bound each new message would push the divider down.
   */
  until: string;
}

const fromOthers = (myId: string | null) => (message: MessageDto) =>
  message.senderUserId === null || message.senderUserId !== myId;

const unreadBy = (marker: UnreadMarker) => (message: MessageDto) =>
  (marker.lastReadAt === null || message.createdAt > marker.lastReadAt) &&
  message.createdAt <= marker.until;

/**
 * The first message the person had not read: the oldest message from someone else after their
 * read position (or, never having read, the oldest of the last `unreadCount` from others), among
 * those the marker counted (up to `until`).
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
