import type { MessageDto, MessageStatus } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, UpdateQuery } from 'mongoose';
import { isDuplicateKeyError } from '../../database/duplicate-key-error';
import { parseObjectId } from '../../database/object-ids';
import { ChatNotifier } from '../chat-notifier.service';
import { toChannelConversation, toMessageDto } from '../chat.mapper';
import type { MessageRecord } from '../chat.records';
import { ConversationsService } from '../conversations.service';
import { Message } from '../schemas/message.schema';
import { messageSearchTerms } from '../search/search-terms';
import type {
  ChannelConversation,
  InboundMessage,
  InboundThread,
  MessageChange,
  MessageReference,
  RecordedMessage,
} from './channel.types';

/**
 * How other modules (Instagram's webhook processing first) record what happens outside InstantChat:
 * threads, inbound messages, and later changes to any message. Each write is announced to the
 * conversation's participants like a local one.
 */
@Injectable()
export class ChannelInbox {
  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly conversations: ConversationsService,
    private readonly notifier: ChatNotifier,
  ) {}

  /** Finds or opens the conversation of an external thread; a new one appears in its owners' lists. */
  async openThread(thread: InboundThread): Promise<ChannelConversation> {
    const { conversation, created } =
      await this.conversations.openInstagramThread(thread);
    if (created) {
      await this.notifier.conversationChanged(conversation);
    }
    return toChannelConversation(conversation);
  }

  /**
   * Stores a message from the thread's contact and announces it. Recording the same
   * `externalMessageId` again (Meta redelivers webhooks) returns the stored one with `created: false`.
   * @throws Error when the conversation does not exist or is not an external thread: a caller's bug.
   */
  async recordInbound(inbound: InboundMessage): Promise<RecordedMessage> {
    const conversationId = parseObjectId(inbound.conversationId);
    const conversation = conversationId
      ? await this.conversations.getById(conversationId)
      : undefined;
    if (conversation?.kind !== 'instagram') {
      throw new Error(
        `Conversation ${inbound.conversationId} is not an Instagram thread`,
      );
    }
    const earlier = await this.findByExternalId(inbound.externalMessageId);
    if (earlier) {
      return { message: toMessageDto(earlier), created: false };
    }
    let message: MessageRecord;
    try {
      // Stored at arrival time, not `sentAt`: history and reconnect catch-up order by createdAt, and a
      // late webhook must not land behind a cursor the dashboard already holds.
      const created = await this.messages.create({
        conversationId: conversation._id,
        source: 'instagram',
        senderUserId: null,
        text: inbound.text,
        searchTerms: messageSearchTerms(inbound.text),
        attachments: inbound.attachments ?? [],
        status: 'delivered',
        instagramMessageId: inbound.externalMessageId,
        instagramSenderId: inbound.externalSenderId,
        isFromInstagram: true,
      });
      message = created.toObject<MessageRecord>();
    } catch (error) {
      // Two deliveries of the same webhook raced past the lookup: the unique index let one win.
      const winner = isDuplicateKeyError(error)
        ? await this.findByExternalId(inbound.externalMessageId)
        : null;
      if (winner) {
        return { message: toMessageDto(winner), created: false };
      }
      throw error;
    }
    await this.conversations.recordInboundAt(conversation, inbound.sentAt);
    const updated = await this.conversations.recordNewMessage(
      conversation,
      message,
    );
    const dto = toMessageDto(message);
    await this.notifier.messageCreated(updated, dto);
    return { message: dto, created: true };
  }

  /**
   * Applies a later change to a stored message and announces it as `message:updated`. Delivery
   * status only moves forward (a late "delivered" does not undo "read").
   * @returns the changed message, or null when there is no such message or the change is stale.
   */
  async updateMessage(
    reference: MessageReference,
    change: MessageChange,
  ): Promise<MessageDto | null> {
    const filter = filterFor(reference);
    if (!filter) return null;
    let updated: MessageRecord | null;
    if (change.kind === 'reaction') {
      // One reaction per person: drop theirs, then add the new one (none when they removed it).
      updated = await this.findAndUpdate(filter, {
        $pull: { reactions: { instagramSenderId: change.externalSenderId } },
      });
      if (updated && change.reaction !== null) {
        updated = await this.findAndUpdate(filter, {
          $push: {
            reactions: {
              reaction: change.reaction,
              instagramSenderId: change.externalSenderId,
              reactedAt: change.at,
            },
          },
        });
      }
    } else if (change.kind === 'status') {
      updated = await this.findAndUpdate(
        { ...filter, status: { $in: statusesBefore(change.status) } },
        {
          $set: {
            status: change.status,
            error: change.status === 'failed' ? (change.error ?? null) : null,
            ...(change.externalMessageId !== undefined && {
              instagramMessageId: change.externalMessageId,
            }),
          },
        },
      );
    } else if (change.kind === 'edit') {
      updated = await this.findAndUpdate(filter, {
        $set: {
          text: change.text,
          editedAt: change.at,
          searchTerms: messageSearchTerms(change.text),
        },
      });
    } else {
      updated = await this.findAndUpdate(filter, {
        // An unsent message must not be found by its old words.
        $set: { deletedAt: change.at, searchTerms: [] },
      });
    }
    if (!updated) return null;
    const dto = toMessageDto(updated);
    const conversation = await this.conversations.getById(
      updated.conversationId,
    );
    this.notifier.messageUpdated(conversation, dto);
    return dto;
  }

  private findByExternalId(
    externalMessageId: string,
  ): Promise<MessageRecord | null> {
    return this.messages
      .findOne({ instagramMessageId: externalMessageId })
      .lean<MessageRecord>()
      .exec();
  }

  private findAndUpdate(
    filter: Record<string, unknown>,
    update: UpdateQuery<Message>,
  ): Promise<MessageRecord | null> {
    return this.messages
      .findOneAndUpdate(filter, update, { returnDocument: 'after' })
      .lean<MessageRecord>()
      .exec();
  }
}

function filterFor(
  reference: MessageReference,
): Record<string, unknown> | null {
  if ('externalMessageId' in reference) {
    return { instagramMessageId: reference.externalMessageId };
  }
  const id = parseObjectId(reference.messageId);
  return id ? { _id: id } : null;
}

/**
 * The order a message moves through. `failed` may follow anything short of delivery, and a failed
 * message may still move on (a retry got through).
 */
const STATUS_ORDER: readonly MessageStatus[] = [
  'pending',
  'sent',
  'delivered',
  'read',
];

function statusesBefore(status: MessageStatus): MessageStatus[] {
  if (status === 'failed') return ['pending', 'sent'];
  return STATUS_ORDER.slice(0, STATUS_ORDER.indexOf(status)).concat(
    status === 'pending' ? [] : ['failed'],
  );
}
