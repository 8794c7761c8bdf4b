import { NotFoundException } from '@nestjs/common';
import type { Model, Types } from 'mongoose';
import type {
  ConversationIdentity,
  ConversationRecord,
  MessageRecord,
} from './chat.records';
import {
  previewOf,
  recipientsOf,
  withdrawnMessagePipeline,
} from './conversation-updates';
import type { Conversation } from './schemas/conversation.schema';

/**
 * What a later change to a stored message does to its conversation: an edit or an unsend of the
 * preview, an echo merged into the reply it echoed. Owned by ConversationsService
 * (`changedMessages`); announcing the result is the caller's job.
 */
export class ConversationMessageChanges {
  constructor(private readonly conversations: Model<Conversation>) {}

  /**
   * A message was merged into another (an echo into the reply it echoed): where the removed one was
   * the preview, the one kept takes its place, at the same spot in the list.
   * @returns the changed conversation, or null when the removed message was not its preview.
   */
  async replacePreviewMessage(
    conversationId: Types.ObjectId,
    removedMessageId: Types.ObjectId,
    kept: MessageRecord,
  ): Promise<ConversationRecord | null> {
    return this.conversations
      .findOneAndUpdate(
        { _id: conversationId, 'lastMessage.messageId': removedMessageId },
        { $set: { lastMessage: previewOf(kept).lastMessage } },
        { returnDocument: 'after' },
      )
      .lean<ConversationRecord>()
      .exec();
  }

  /**
   * A message edited after it was stored: where it is the preview, the preview shows its new
   * words, unless its withdrawal or a newer edit got there first (a message's changes are worked
   * on concurrently, and the one applied last may be announced first).
   * @returns the changed conversation, or null when the preview did not change.
   */
  refreshPreview(edited: MessageRecord): Promise<ConversationRecord | null> {
    return this.conversations
      .findOneAndUpdate(
        {
          _id: edited.conversationId,
          'lastMessage.messageId': edited._id,
          'lastMessage.deleted': { $ne: true },
          ...(edited.editedAt && {
            $or: [
              { 'lastMessage.editedAt': null },
              { 'lastMessage.editedAt': { $lte: edited.editedAt } },
            ],
          }),
        },
        { $set: { lastMessage: previewOf(edited).lastMessage } },
        { returnDocument: 'after' },
      )
      .lean<ConversationRecord>()
      .exec();
  }

  /**
   * A message its author took back (an Instagram unsend): where it is the preview, the preview
   * shows it withdrawn, and a contact's message no one has read since counts as unread no more.
   * @returns the conversation as it is now.
   */
  async withdrawMessage(
    conversation: Pick<ConversationIdentity, '_id' | 'participantIds'>,
    withdrawn: MessageRecord,
  ): Promise<ConversationRecord> {
    // Only a contact's messages were counted (the business's own, echoes included, never were).
    const recipientIds = withdrawn.isFromInstagram
      ? recipientsOf(conversation, withdrawn)
      : [];
    await this.recordedIn(conversation._id, withdrawn.createdAt);
    return orNotFound(
      await this.conversations
        .findOneAndUpdate(
          { _id: conversation._id },
          withdrawnMessagePipeline(withdrawn, recipientIds, new Date()),
          { returnDocument: 'after', updatePipeline: true },
        )
        .lean<ConversationRecord>()
        .exec(),
    );
  }

  /**
   * Waits, a little over a second at most, until the conversation has taken in a message written
   * at `at`: a message's own conversation update follows its insert, and a change to it worked on
   * in between (its delivery and the unsend's run at once) would be undone by what that update
   * brings (the message's words as the preview, one more unread). Past the wait (the process
   * stopped in between), the crash repair recounts at the next start.
   */
  private async recordedIn(id: Types.ObjectId, at: Date): Promise<void> {
    for (let pauseMs = 5; pauseMs <= 640; pauseMs *= 2) {
      const current = await this.conversations
        .findById(id, { lastMessageAt: 1 })
        .lean<Pick<ConversationRecord, 'lastMessageAt'>>()
        .exec();
      if (!current || current.lastMessageAt >= at) return;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

function orNotFound(
  conversation: ConversationRecord | null,
): ConversationRecord {
  if (!conversation) throw new NotFoundException('Conversation not found');
  return conversation;
}
