import type { MessageDto } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../../database/duplicate-key-error';
import { parseObjectId } from '../../database/object-ids';
import { ChatNotifier } from '../chat-notifier.service';
import { toChannelConversation, toMessageDto } from '../chat.mapper';
import type { MessageRecord } from '../chat.records';
import { ConversationsService } from '../conversations.service';
import { Message } from '../schemas/message.schema';
import type { CachedContactProfile } from '../schemas/conversation.schema';
import { messageSearchTerms } from '../search/search-terms';
import type {
  ChannelConversation,
  InboundMessage,
  InboundThread,
  MessageChange,
  MessageReference,
  RecordedMessage,
} from './channel.types';
import { MessageChanges } from './message-changes';
import { findMessageRecord } from './message-records';
import { ReplyEchoes } from './reply-echo';

/**
 * How other modules (Instagram's webhook processing first) record what happens outside InstantChat:
 * threads, inbound messages, and later changes to any message. Each write is announced to the
 * conversation's participants like a local one. How each kind of change is applied lives in
 * MessageChanges (`message-changes.ts`), and how a reply's echo becomes that reply in ReplyEchoes
 * (`reply-echo.ts`).
 */
@Injectable()
export class ChannelInbox {
  private readonly echoes: ReplyEchoes;
  private readonly changes: MessageChanges;

  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly conversations: ConversationsService,
    private readonly notifier: ChatNotifier,
  ) {
    this.echoes = new ReplyEchoes(messages, conversations, notifier);
    this.changes = new MessageChanges(messages, this.echoes);
  }

  /** Finds or opens the conversation of an external thread; a new one appears in its owners' lists. */
  async openThread(thread: InboundThread): Promise<ChannelConversation> {
    const { conversation, created } =
      await this.conversations.openInstagramThread(thread);
    if (created) {
      await this.notifier.conversationChanged(conversation);
    }
    return toChannelConversation(conversation);
  }

  /** The conversation of an external thread, if it has one. */
  async findThread(
    accountId: string,
    contactIgsid: string,
  ): Promise<ChannelConversation | null> {
    const conversation = await this.conversations.findInstagramThread(
      accountId,
      contactIgsid,
    );
    return conversation ? toChannelConversation(conversation) : null;
  }

  /**
   * Stores a freshly fetched contact profile on the thread's conversation and shows it to its
   * participants (`conversation:updated`).
   */
  async saveContactProfile(
    thread: InboundThread & { contactProfile: CachedContactProfile },
  ): Promise<ChannelConversation> {
    const { conversation } =
      await this.conversations.openInstagramThread(thread);
    await this.notifier.conversationChanged(conversation);
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
    const identity = {
      conversationId: conversation._id,
      instagramMessageId: inbound.externalMessageId,
    };
    // Also finds our own reply when this is its echo: the Send API's answer stored Meta's id on it.
    const earlier = await findMessageRecord(this.messages, identity);
    if (earlier) {
      return { message: toMessageDto(earlier), created: false };
    }
    const outbound = inbound.direction === 'outbound';
    if (outbound) {
      const claimed = await this.echoes.claimOwnReply(
        conversation._id,
        inbound,
      );
      if (claimed) return { message: claimed, created: false };
    }
    let message: MessageRecord;
    try {
      // Stored at arrival time, not `sentAt`: history and reconnect catch-up order by createdAt, and a
      // late webhook must not land behind a cursor the dashboard already holds.
      const created = await this.messages.create({
        ...identity,
        source: 'instagram',
        senderUserId: null,
        text: inbound.text,
        searchTerms: messageSearchTerms(inbound.text),
        attachments: inbound.attachments ?? [],
        // An echo was written by the business in Instagram's app: it has left, like a sent reply.
        status: outbound ? 'sent' : 'delivered',
        instagramSenderId: inbound.externalSenderId,
        isFromInstagram: !outbound,
        isToInstagram: outbound,
        replyTo: inbound.replyTo,
        quickReplyPayload: inbound.quickReplyPayload,
        isUnsupported: inbound.unsupported || undefined,
        referral: inbound.referral,
        systemEvent: inbound.systemEvent,
      });
      message = created.toObject<MessageRecord>();
    } catch (error) {
      // Two deliveries of the same webhook raced past the lookup: the unique index let one win.
      const winner = isDuplicateKeyError(error)
        ? await findMessageRecord(this.messages, identity)
        : null;
      if (winner) {
        return { message: toMessageDto(winner), created: false };
      }
      throw error;
    }
    if (!outbound) {
      await this.conversations.recordInboundAt(conversation, inbound.sentAt);
    }
    // The owner wrote an echo themselves (in Instagram's app): it is not news to them.
    const updated = await this.conversations.recordNewMessage(
      conversation,
      message,
      { countUnread: !outbound },
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
    const updated = await this.changes.apply(filter, change);
    if (!updated) return null;
    const dto = toMessageDto(updated);
    const conversation = await this.conversations.getById(
      updated.conversationId,
    );
    this.notifier.messageUpdated(conversation, dto);
    return dto;
  }

  /** The referenced message as stored now, or null when there is none. */
  async findMessage(reference: MessageReference): Promise<MessageDto | null> {
    const filter = filterFor(reference);
    const message = filter
      ? await findMessageRecord(this.messages, filter)
      : null;
    return message ? toMessageDto(message) : null;
  }

  /** Whether the referenced message is stored: a change to one that is not is kept for later. */
  async hasMessage(reference: MessageReference): Promise<boolean> {
    const filter = filterFor(reference);
    return (
      filter !== null && (await this.messages.exists(filter).exec()) !== null
    );
  }

  /**
   * The contact has seen everything up to the referenced message: each of the business's
   * messages up to it that is not yet `read` becomes `read` and is announced.
   * @returns the messages that changed, or null when the referenced message is not stored (yet).
   */
  async markReadUpTo(
    reference: MessageReference,
  ): Promise<MessageDto[] | null> {
    const filter = filterFor(reference);
    const seen = filter ? await findMessageRecord(this.messages, filter) : null;
    if (!seen) return null;
    const changed = await this.changes.markReadUpTo(seen);
    if (changed.length === 0) return [];
    const conversation = await this.conversations.getById(seen.conversationId);
    const dtos = changed.map(toMessageDto);
    for (const dto of dtos) this.notifier.messageUpdated(conversation, dto);
    return dtos;
  }
}

function filterFor(
  reference: MessageReference,
): Record<string, unknown> | null {
  if ('conversationId' in reference) {
    const conversationId = parseObjectId(reference.conversationId);
    return conversationId
      ? { conversationId, instagramMessageId: reference.externalMessageId }
      : null;
  }
  if ('externalMessageId' in reference) {
    return { instagramMessageId: reference.externalMessageId };
  }
  const id = parseObjectId(reference.messageId);
  return id ? { _id: id } : null;
}
