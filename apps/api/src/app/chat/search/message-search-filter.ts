import type { Types } from 'mongoose';
import { type MessagePosition, olderThan } from '../message-cursor';

/**
 * The query behind message search, in one place so its index use can be tested: every term must be
 * among the message's `searchTerms` (the first, longest term leads the index lookup), only in the
 * given conversations (the caller's), never an unsent message, older than `before` when paging.
 */
export function messageSearchFilter(
  terms: readonly string[],
  conversationIds: readonly Types.ObjectId[],
  before?: MessagePosition,
): Record<string, unknown> {
  return {
    $and: [
      ...terms.map((term) => ({ searchTerms: term })),
      { conversationId: { $in: conversationIds } },
      { deletedAt: null },
      ...(before ? [olderThan(before)] : []),
    ],
  };
}

/** Search results come newest first, like history; `_id` breaks ties within a millisecond. */
export const MESSAGE_SEARCH_SORT = { createdAt: -1, _id: -1 } as const;
