import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { previewText } from './chat.mapper';
import type { ConversationRecord, MessageRecord } from './chat.records';
import { Conversation } from './schemas/conversation.schema';
import { Message } from './schemas/message.schema';

type RepairableConversation = Pick<
  ConversationRecord,
  '_id' | 'participantIds' | 'lastReadAt' | 'lastMessageAt'
>;

/**
 * Sending stores the message first and then updates its conversation (preview, unread counts) in
 * separate writes. A crash in between leaves the conversation behind its messages: a stale
 * preview and counts that stay short forever. Messages are the truth, so this recomputes the
 * conversation from them.
 *
 * At start, before the API accepts requests (so no send can race a repair and be counted twice),
 * every conversation whose newest message is newer than its `lastMessageAt` is repaired. That
 * costs one indexed lookup per conversation per boot.
 */
@Injectable()
export class ConversationRepairService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ConversationRepairService.name);

  constructor(
    @InjectModel(Conversation.name)
    private readonly conversations: Model<Conversation>,
    @InjectModel(Message.name) private readonly messages: Model<Message>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const repaired = await this.repairConversationsBehindTheirMessages();
    if (repaired > 0) {
      this.logger.warn(
        `Repaired ${repaired} conversation(s) whose preview and unread counts missed messages (an earlier crash mid-send)`,
      );
    }
  }

  /** @returns how many conversations were repaired. */
  async repairConversationsBehindTheirMessages(): Promise<number> {
    let repaired = 0;
    const cursor = this.conversations
      .find({}, { participantIds: 1, lastReadAt: 1, lastMessageAt: 1 })
      .lean<RepairableConversation>()
      .cursor();
    for await (const conversation of cursor) {
      const newest = await this.newestMessageOf(conversation._id);
      if (newest && newest.createdAt > conversation.lastMessageAt) {
        await this.recompute(conversation, newest);
        repaired += 1;
      }
    }
    return repaired;
  }

  /**
   * Sets the preview to the newest message and each participant's unread count to the messages
   * others wrote after that participant last read the conversation.
   */
  private async recompute(
    conversation: RepairableConversation,
    newest: MessageRecord,
  ): Promise<void> {
    const unreadCounts: Record<string, number> = {};
    for (const participantId of conversation.participantIds) {
      const id = participantId.toHexString();
      const readAt = conversation.lastReadAt?.[id];
      unreadCounts[id] = await this.messages
        .countDocuments({
          conversationId: conversation._id,
          senderUserId: { $ne: new Types.ObjectId(id) },
          ...(readAt && { createdAt: { $gt: readAt } }),
        })
        .exec();
    }
    await this.conversations
      .updateOne(
        { _id: conversation._id },
        {
          $set: {
            unreadCounts,
            lastMessageAt: newest.createdAt,
            lastMessage: {
              messageId: newest._id,
              text: previewText(newest.text),
              senderUserId: newest.senderUserId,
              source: newest.source,
              createdAt: newest.createdAt,
            },
          },
        },
      )
      .exec();
  }

  private newestMessageOf(
    conversationId: Types.ObjectId,
  ): Promise<MessageRecord | null> {
    return this.messages
      .findOne({ conversationId })
      .sort({ createdAt: -1, _id: -1 })
      .lean<MessageRecord>()
      .exec();
  }
}
