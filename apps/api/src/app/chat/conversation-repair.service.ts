import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { previewOf } from './conversation-updates';
import type { ConversationRecord, MessageRecord } from './chat.records';
import { Conversation } from './schemas/conversation.schema';
import { Message } from './schemas/message.schema';

type RepairableConversation = Pick<
  ConversationRecord,
  | '_id'
  | 'participantIds'
  | 'lastReadAt'
  | 'lastMessageAt'
  | 'unreadCounts'
  | 'lastMessage'
>;

/**
 * Sends still in flight when the process stopped wrote their messages at most this long before
 * the newest message of all.
 */
const IN_FLIGHT_WINDOW_MS = 60_000;

/**
 * Sending stores the message first and then updates its conversation in separate writes (the
 * preview, then each recipient's unread count). A crash in between leaves the conversation behind
 * its messages: a stale preview, or counts that stay short forever. Messages are the truth, so
 * this recomputes the conversation from them.
 *
 * At start, before the API accepts requests (so no send can race a repair and be counted twice),
 * it checks every conversation whose newest message is newer than its preview (the crash came
 * before the preview write), and every conversation active within a minute of the newest message
 * of all (a crash between the preview and the counters leaves no other trace). The cost is one
 * indexed lookup per conversation, plus a count per participant of the recently active ones.
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
        `Repaired ${repaired} conversation(s) whose preview or unread counts missed messages (an earlier crash mid-send)`,
      );
    }
  }

  /** @returns how many conversations were out of step with their messages (and are not now). */
  async repairConversationsBehindTheirMessages(): Promise<number> {
    const newestOfAll = await this.messages
      .findOne({}, { createdAt: 1 })
      .sort({ _id: -1 })
      .lean<Pick<MessageRecord, 'createdAt'>>()
      .exec();
    if (!newestOfAll) return 0;
    const recentlyActiveSince = new Date(
      newestOfAll.createdAt.getTime() - IN_FLIGHT_WINDOW_MS,
    );
    let repaired = 0;
    const cursor = this.conversations
      .find(
        {},
        {
          participantIds: 1,
          lastReadAt: 1,
          lastMessageAt: 1,
          unreadCounts: 1,
          lastMessage: 1,
        },
      )
      .lean<RepairableConversation>()
      .cursor();
    for await (const conversation of cursor) {
      const newest = await this.newestMessageOf(conversation._id);
      if (!newest) continue;
      const suspect =
        newest.createdAt > conversation.lastMessageAt ||
        conversation.lastMessageAt >= recentlyActiveSince;
      if (suspect && (await this.recompute(conversation, newest))) {
        repaired += 1;
      }
    }
    return repaired;
  }

  /**
   * Sets the preview to the newest message and each participant's unread count to the messages
   * others wrote after that participant last read the conversation.
   * @returns whether anything had to change.
   */
  private async recompute(
    conversation: RepairableConversation,
    newest: MessageRecord,
  ): Promise<boolean> {
    const unreadCounts: Record<string, number> = {};
    for (const participantId of conversation.participantIds) {
      const id = participantId.toHexString();
      const readAt = conversation.lastReadAt?.[id];
      unreadCounts[id] = await this.messages
        .countDocuments({
          conversationId: conversation._id,
          senderUserId: { $ne: new Types.ObjectId(id) },
          // Not unread to anyone: withdrawn by its author, or the business's own words going out
          // to Instagram (echoes of what it wrote in Instagram's app have no sender).
          deletedAt: null,
          isToInstagram: { $ne: true },
          ...(readAt && { createdAt: { $gt: readAt } }),
        })
        .exec();
    }
    const upToDate =
      conversation.lastMessage?.messageId?.equals(newest._id) === true &&
      Object.entries(unreadCounts).every(
        ([id, count]) => (conversation.unreadCounts?.[id] ?? 0) === count,
      );
    if (upToDate) return false;
    await this.conversations
      .updateOne(
        { _id: conversation._id },
        {
          $set: { unreadCounts, ...previewOf(newest) },
        },
      )
      .exec();
    return true;
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
