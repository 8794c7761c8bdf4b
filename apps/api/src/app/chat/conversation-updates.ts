import { previewText } from './chat.mapper';
import type { ConversationIdentity, MessageRecord } from './chat.records';

// What a new message changes in its conversation (its preview and list position, and the unread
// counters of those who have not read it yet), and what taking one back undoes.

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
      ...(message.deletedAt != null && { deleted: true }),
      ...(message.editedAt != null && { editedAt: message.editedAt }),
      ...(message.attachments?.length > 0 && {
        attachmentTypes: message.attachments.map(({ type }) => type),
      }),
    },
  };
}

const EPOCH = new Date(0);

/**
 * A missing date counts as the earliest: comparisons with a missing field differ between
 * implementations, dates with dates do not.
 */
const dateOf = (path: string) => ({ $ifNull: [path, { $literal: EPOCH }] });

/**
 * `unreadCounts`, with each of `userIds`' counter (missing: 0) replaced by what `next` makes of it;
 * nothing when there is no one to count for.
 */
function unreadCountsSet(
  userIds: readonly string[],
  next: (count: unknown, userId: string) => unknown,
): { unreadCounts?: unknown } {
  if (userIds.length === 0) return {};
  return {
    unreadCounts: {
      $mergeObjects: [
        '$unreadCounts',
        Object.fromEntries(
          userIds.map((id) => [
            id,
            next({ $ifNull: [`$unreadCounts.${id}`, 0] }, id),
          ]),
        ),
      ],
    },
  };
}

/** 1 when `userId` has not read the conversation since `at` (never, or before it), else 0. */
const unreadSince = (userId: string, at: { $literal: Date }) => ({
  $cond: [{ $lt: [dateOf(`$lastReadAt.${userId}`), at] }, 1, 0],
});

/**
 * A new message's whole effect on its conversation as one update pipeline that applies whatever
 * the conversation's state: the preview moves only if the message is the newest, each recipient's
 * counter grows only if they have not marked the conversation read since the message was written,
 * and the reply window (`inboundAt`, a contact's message) only moves forward. Every value the caller
 * gives is a `$literal`, so a `$` in a message's text is never read as an expression. Unconditional,
 * it needs no per-row outcome, so updates of many conversations can share one bulk write.
 */
export function newMessagePipeline(
  message: MessageRecord,
  recipientIds: readonly string[],
  inboundAt: Date | undefined,
  now: Date,
): Record<string, unknown>[] {
  const at = { $literal: message.createdAt };
  const isNewest = { $lte: [dateOf('$lastMessageAt'), at] };
  const preview = previewOf(message);
  return [
    {
      $set: {
        // Both read the conversation as it was before this stage.
        lastMessage: {
          $cond: [isNewest, { $literal: preview.lastMessage }, '$lastMessage'],
        },
        lastMessageAt: { $cond: [isNewest, at, '$lastMessageAt'] },
        updatedAt: { $literal: now },
        // Never read (no lastReadAt), or read before the message: unread.
        ...unreadCountsSet(recipientIds, (count, id) => ({
          $add: [count, unreadSince(id, at)],
        })),
        ...(inboundAt && {
          lastInboundAt: {
            $max: [dateOf('$lastInboundAt'), { $literal: inboundAt }],
          },
        }),
      },
    },
  ];
}

/**
 * Taking a message back (`withdrawn`, as stored after the unsend): where it is the preview, the
 * preview shows it withdrawn; each of `recipientIds` who had not read it since it came counts it
 * unread no more (never below zero). Whatever the conversation's state, like newMessagePipeline.
 */
export function withdrawnMessagePipeline(
  withdrawn: MessageRecord,
  recipientIds: readonly string[],
  now: Date,
): Record<string, unknown>[] {
  const at = { $literal: withdrawn.createdAt };
  const isPreview = {
    $eq: ['$lastMessage.messageId', { $literal: withdrawn._id }],
  };
  return [
    {
      $set: {
        lastMessage: {
          $cond: [
            isPreview,
            { $literal: previewOf(withdrawn).lastMessage },
            '$lastMessage',
          ],
        },
        updatedAt: { $literal: now },
        ...unreadCountsSet(recipientIds, (count, id) => ({
          $max: [0, { $subtract: [count, unreadSince(id, at)] }],
        })),
      },
    },
  ];
}
