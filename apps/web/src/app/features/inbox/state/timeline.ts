import type {
  ConversationDto,
  MessageDto,
  MessageReactionDto,
} from '@instantchat/contracts';
import type {
  ReactionSummary,
  TimelineEntry,
} from '../components/message-list/timeline-entry';
import { senderName } from './conversation-names';
import type { PendingMessage } from './outbox.state';

/** Where a retry of a failed reply stands, by message id (see DeliveryRetryState). */
export interface RetryProgress {
  retrying: boolean;
  error: string | null;
}

/** A stored message as the chat window shows it. */
export function storedEntry(
  message: MessageDto,
  conversation: ConversationDto | null,
  myId: string | null,
  retry: RetryProgress | null = null,
): TimelineEntry {
  const deleted = !!message.deletedAt;
  const isMine = message.senderUserId !== null && message.senderUserId === myId;
  const channel = conversation?.kind === 'instagram' ? 'instagram' : 'local';
  return {
    key: message.id,
    clientId: null,
    text: deleted ? 'Message deleted' : message.text,
    attachments: deleted
      ? []
      : message.attachments.filter(
          (attachment): attachment is { type: string; url: string } =>
            !!attachment.url,
        ),
    media: deleted ? [] : message.attachments,
    isDeleted: deleted,
    createdAt: message.createdAt,
    isMine,
    senderName: senderName(message.senderUserId, conversation, myId),
    status: message.status,
    error: message.error ?? null,
    isFromInstagram: message.isFromInstagram,
    channel,
    retryableId:
      isMine && channel === 'instagram' && message.status === 'failed'
        ? message.id
        : null,
    deliveryError: message.deliveryError ?? null,
    replyTo: deleted ? null : (message.replyTo ?? null),
    reactions: summarizeReactions(message.reactions ?? [], conversation, myId),
    edited: !deleted && !!message.editedAt,
    unsupported: !deleted && !!message.unsupported,
    systemLine: message.systemEvent ? message.text : null,
    retrying: retry?.retrying ?? false,
    retryError: retry?.error ?? null,
  };
}

/** A message still on this device, below the stored ones. */
export function pendingEntry(
  item: PendingMessage,
  conversation: ConversationDto | null = null,
): TimelineEntry {
  return {
    key: `pending:${item.clientMessageId}`,
    clientId: item.clientMessageId,
    text: item.text,
    isDeleted: false,
    createdAt: item.createdAt,
    isMine: true,
    senderName: 'You',
    status: item.status,
    error: item.error,
    isFromInstagram: false,
    attachments: [],
    channel: conversation?.kind === 'instagram' ? 'instagram' : 'local',
    // Refused before anything was stored: the failure reads as one Meta's refusal would.
    ...(item.reconnectRequired && {
      deliveryError: { mayHaveBeenDelivered: false, reconnectRequired: true },
    }),
  };
}

/** One chip per emoji, in the order they were first used, naming who reacted. */
function summarizeReactions(
  reactions: MessageReactionDto[],
  conversation: ConversationDto | null,
  myId: string | null,
): ReactionSummary[] {
  const byEmoji = new Map<string, ReactionSummary>();
  const ordered = [...reactions].sort((a, b) =>
    a.reactedAt.localeCompare(b.reactedAt),
  );
  for (const reaction of ordered) {
    const summary = byEmoji.get(reaction.reaction) ?? {
      emoji: reaction.reaction,
      count: 0,
      names: [],
    };
    summary.count += 1;
    summary.names.push(reactorName(reaction, conversation, myId));
    byEmoji.set(reaction.reaction, summary);
  }
  return [...byEmoji.values()];
}

/**
 * The contact by their name; the business account (its owner reacted in Instagram's app) as
 * "Your account"; an InstantChat user by their name.
 */
function reactorName(
  reaction: MessageReactionDto,
  conversation: ConversationDto | null,
  myId: string | null,
): string {
  if (reaction.userId) {
    return senderName(reaction.userId, conversation, myId);
  }
  if (
    reaction.instagramSenderId &&
    reaction.instagramSenderId === conversation?.instagramContact?.igsid
  ) {
    return senderName(null, conversation, myId);
  }
  return 'Your account';
}
