import type { Types } from 'mongoose';
import type { Conversation } from './schemas/conversation.schema';
import type { Message } from './schemas/message.schema';

/**
 * Conversations and messages as the services read them (lean: plain objects straight from the
 * driver, so the per-participant maps are plain records, not Mongoose Maps).
 */
export type ConversationRecord = Omit<
  Conversation,
  'unreadCounts' | 'lastReadAt'
> & {
  _id: Types.ObjectId;
  unreadCounts: Record<string, number>;
  lastReadAt: Record<string, Date>;
};

export type MessageRecord = Message & { _id: Types.ObjectId };

/** What a conversation is, as opposed to where it stands (preview, counters, read state). */
export type ConversationIdentity = Pick<
  ConversationRecord,
  '_id' | 'kind' | 'participantIds'
>;

/** User id → display name, for the participants of the conversations being mapped. */
export type DisplayNames = ReadonlyMap<string, string>;
