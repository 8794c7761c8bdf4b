import { previewText } from './chat.mapper';
import type { ConversationIdentity, MessageRecord } from './chat.records';

// The pieces of a conversation update that a new message brings: its preview and list position,
// and the unread counters of those who have not read it yet. ConversationsService composes them
// into one atomic update in the usual case, and into separate ones when the message lost a race.

/** Everyone in the conversation but the message's author. */
export function recipientsOf(
  conversation: Pick<ConversationIdentity, 'participantIds'>,
  message: MessageRecord,
): string[] {
  const authorId = message.senderUserId?.toHexString() ?? null;
  return conversation.participantIds
    .map((id) => id.toHexString())
    .filter((id) => id !== authorId);
}

/** The conversation's list position and preview, as of this message. */
export function previewOf(message: MessageRecord) {
  return {
    lastMessageAt: message.createdAt,
    lastMessage: {
      messageId: message._id,
      text: previewText(message.text),
      senderUserId: message.senderUserId,
      source: message.source,
      createdAt: message.createdAt,
    },
  };
}

/** The user has not marked the conversation read at or after `at`. */
export function notReadSince(userId: string, at: Date) {
  return {
    $or: [
      { [`lastReadAt.${userId}`]: { $exists: false } },
      { [`lastReadAt.${userId}`]: { $lt: at } },
    ],
  };
}

export function unreadIncrements(
  userIds: readonly string[],
): Record<string, 1> {
  return Object.fromEntries(userIds.map((id) => [`unreadCounts.${id}`, 1]));
}
