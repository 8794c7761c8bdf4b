import {
  MESSAGE_PAGE_DEFAULT_LIMIT,
  type MessageDto,
  type MessageHistoryQueryDto,
  type Page,
  type ReadReceiptDto,
} from '@instantchat/contracts';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import type { RecordedMessage } from './channels/channel.types';
import { ReplyChannels } from './channels/reply-channels';
import { ChatNotifier } from './chat-notifier.service';
import { toChannelConversation, toMessageDto } from './chat.mapper';
import type { ConversationIdentity, MessageRecord } from './chat.records';
import { ConversationsService } from './conversations.service';
import { ReplyDelivery } from './reply-delivery.service';
import { CoalescedWrites, INSERTED } from '../database/coalesced-writes';
import { isDuplicateKeyError } from '../database/duplicate-key-error';
import {
  decodeMessageCursor,
  encodeMessageCursor,
  newerThan,
  olderThan,
} from './message-cursor';
import { parseObjectId } from '../database/object-ids';
import { hasVisibleText } from '../core/visible-text';
import { Message, MESSAGE_VIEW_PROJECTION } from './schemas/message.schema';
import { sentMessageDocument } from './sent-message';

/** History, sending and read state of the messages in the caller's conversations. */
@Injectable()
export class MessagesService implements OnModuleInit {
  /** Sends arriving together share one insert command (each still waits for its own row). */
  private readonly inserts = new CoalescedWrites(
    (writes) => this.messages.collection.bulkWrite(writes, { ordered: false }),
    INSERTED,
  );

  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly conversations: ConversationsService,
    private readonly notifier: ChatNotifier,
    private readonly replyChannels: ReplyChannels,
    private readonly delivery: ReplyDelivery,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.messages.init();
  }

  /**
   * One page of history, newest first. `before` (a cursor) continues an earlier page; `after` (a
   * message id) keeps only messages newer than that one, for catching up after a reconnect.
   */
  async listPage(
    userId: string,
    conversationId: string,
    query: MessageHistoryQueryDto,
  ): Promise<Page<MessageDto>> {
    const { identity: conversation } = await this.conversations.identify(
      userId,
      conversationId,
    );
    const limit = query.limit ?? MESSAGE_PAGE_DEFAULT_LIMIT;
    const conditions: Record<string, unknown>[] = [
      { conversationId: conversation._id },
    ];
    if (query.before !== undefined) {
      const position = decodeMessageCursor(query.before);
      if (!position) {
        throw new BadRequestException(
          'before must be a nextCursor returned by this endpoint',
        );
      }
      conditions.push(olderThan(position));
    }
    if (query.after !== undefined) {
      conditions.push(
        newerThan(await this.positionOf(conversation, query.after)),
      );
    }
    // One extra row tells whether an older page exists without a second query. Straight to the
    // driver: every value in the filter is already of its stored type (Mongoose would only cast it
    // again), and the projection is the one the schema's `select: false` gives.
    const rows = (await this.messages.collection
      .find(
        { $and: conditions },
        {
          projection: MESSAGE_VIEW_PROJECTION,
          sort: { createdAt: -1, _id: -1 },
          limit: limit + 1,
        },
      )
      .toArray()) as MessageRecord[];
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toMessageDto),
      nextCursor:
        rows.length > limit && last
          ? encodeMessageCursor({ createdAt: last.createdAt, id: last._id })
          : null,
    };
  }

  /**
   * Stores a message from the caller and tells every participant's open tabs. With a
   * `clientMessageId` the caller already used in this conversation (a retry), returns the stored
   * message instead, with `created: false`, and nobody is told again.
   * @throws ConflictException when that clientMessageId belongs to another conversation.
   */
  async send(
    userId: string,
    conversationId: string,
    text: string,
    clientMessageId?: string,
  ): Promise<RecordedMessage> {
    if (!hasVisibleText(text)) {
      throw new BadRequestException('text must not be empty');
    }
    const { identity, record } = await this.conversations.identify(
      userId,
      conversationId,
    );
    // Before anything is stored: a conversation nobody can deliver to takes no replies.
    const channel = this.replyChannels.forKind(identity.kind);
    const senderUserId = new Types.ObjectId(userId);
    if (channel.checkReply) {
      // A retry of a reply already accepted answers with it, whatever the channel would say now
      // (a messaging window may have closed since). Local sends skip this read: for them the
      // unique index below settles a retry.
      if (clientMessageId !== undefined) {
        const earlier = await this.findByClientMessageId(
          senderUserId,
          clientMessageId,
        );
        if (earlier) {
          return alreadySent(earlier, identity);
        }
      }
      const conversation =
        record ?? (await this.conversations.getForUser(userId, conversationId));
      await channel.checkReply({
        conversation: toChannelConversation(conversation),
        senderUserId: userId,
        text,
      });
    }
    const message = sentMessageDocument({
      conversationId: identity._id,
      senderUserId,
      text,
      status: channel.initialStatus,
      ...(clientMessageId !== undefined && { clientMessageId }),
    });
    try {
      // Straight to the driver: the document is already what Mongoose's create would store.
      await this.inserts.write({ insertOne: { document: message } });
    } catch (error) {
      // A retry, or two copies of the same send racing: the unique index on the sender's
      // clientMessageId let the first one win. Inserting first and looking up only on this rare
      // conflict saves every other send a read.
      if (clientMessageId !== undefined && isDuplicateKeyError(error)) {
        const winner = await this.findByClientMessageId(
          senderUserId,
          clientMessageId,
        );
        if (winner) {
          return alreadySent(winner, identity);
        }
      }
      throw error;
    }
    const dto = toMessageDto(message);
    // Durable now: the recipients' tabs need nothing else, so they hear of it before the
    // conversation's preview and counters are updated (its conversation:updated follows).
    this.notifier.messageNew(identity, dto);
    const updated = await this.conversations.recordNewMessage(
      identity,
      message,
    );
    await this.notifier.conversationChanged(updated);
    return {
      message: await this.delivery.deliver(channel, updated, dto),
      created: true,
    };
  }

  /** Marks everything in the conversation read by the caller, up to now. */
  async markRead(
    userId: string,
    conversationId: string,
  ): Promise<ReadReceiptDto> {
    const { identity: conversation } = await this.conversations.identify(
      userId,
      conversationId,
    );
    const readAt = new Date();
    if (conversation.kind === 'local') {
      // In a local conversation the other person's messages now show as read to them.
      await this.messages
        .updateMany(
          {
            conversationId: conversation._id,
            senderUserId: { $ne: new Types.ObjectId(userId) },
            status: { $in: ['sent', 'delivered'] },
            createdAt: { $lte: readAt },
          },
          { $set: { status: 'read' } },
        )
        .exec();
    }
    const updated = await this.conversations.markReadBy(
      conversation,
      userId,
      readAt,
    );
    const receipt: ReadReceiptDto = {
      conversationId: conversation._id.toHexString(),
      userId,
      readAt: readAt.toISOString(),
    };
    await this.notifier.conversationRead(updated, receipt);
    this.replyChannels
      .find(conversation.kind)
      ?.agentRead?.(toChannelConversation(updated), userId);
    return receipt;
  }

  private async positionOf(
    conversation: Pick<ConversationIdentity, '_id'>,
    messageId: string,
  ) {
    const id = parseObjectId(messageId);
    const message = id
      ? await this.messages
          .findOne(
            { _id: id, conversationId: conversation._id },
            { createdAt: 1 },
          )
          .lean<Pick<MessageRecord, '_id' | 'createdAt'>>()
          .exec()
      : null;
    if (!message) {
      throw new BadRequestException(
        'after must be the id of a message in this conversation',
      );
    }
    return { createdAt: message.createdAt, id: message._id };
  }

  private findByClientMessageId(
    senderUserId: Types.ObjectId,
    clientMessageId: string,
  ): Promise<MessageRecord | null> {
    return this.messages
      .findOne({ senderUserId, clientMessageId })
      .lean<MessageRecord>()
      .exec();
  }
}

/** A retried send answers with what the first one stored, but only within the same conversation. */
function alreadySent(
  earlier: MessageRecord,
  conversation: Pick<ConversationIdentity, '_id'>,
): RecordedMessage {
  if (!earlier.conversationId.equals(conversation._id)) {
    throw new ConflictException(
      'clientMessageId was already used for a message in another conversation',
    );
  }
  return { message: toMessageDto(earlier), created: false };
}
