import { type MessageDto, ServerEvent } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { CoalescedWrites, INSERTED } from '../../database/coalesced-writes';
import { isDuplicateKeyError } from '../../database/duplicate-key-error';
import { RealtimeService } from '../../realtime/realtime.service';
import { parseObjectId } from '../../database/object-ids';
import { ChatNotifier } from '../chat-notifier.service';
import { toChannelConversation, toMessageDto } from '../chat.mapper';
import type { ConversationRecord, MessageRecord } from '../chat.records';
import { ConversationsService } from '../conversations.service';
import {
  instagramThreadKey,
  InstagramThreads,
} from '../instagram-threads.service';
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
import {
  CHANNEL_MESSAGE_ORIGIN,
  type ChannelMessageFields,
  inboundMessageDocument,
} from './inbound-message-document';
import { findMessageRecord, newMessageDocument } from './message-records';
import { ReplyEchoes } from './reply-echo';

/**
 * How long an opened thread's conversation is reused without asking the database again. Within it,
 * a thread opened again for the same connection and participants changes nothing; a change of
 * either (another owner, a new connection) opens it through the database at once.
 */
export const THREAD_CACHE_MS = 10_000;
/** Threads remembered at most; the oldest go first. */
const THREAD_CACHE_SIZE = 10_000;

/** A thread's conversation as last opened or written here. */
interface CachedThread {
  conversation: ConversationRecord;
  /** The connection and participants it was opened for. */
  openedFor: string;
  expiresAt: number;
}

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
  /** By `accountId contactIgsid`, and the same entries by conversation id. */
  private readonly threads = new Map<string, CachedThread>();
  private readonly threadsById = new Map<string, CachedThread>();
  /** Messages recorded in the same event-loop turn share one insert command. */
  private readonly inserts: CoalescedWrites;

  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly conversations: ConversationsService,
    private readonly instagramThreads: InstagramThreads,
    private readonly notifier: ChatNotifier,
    private readonly realtime: RealtimeService,
  ) {
    this.echoes = new ReplyEchoes(messages, conversations, notifier);
    this.changes = new MessageChanges(messages, this.echoes);
    this.inserts = new CoalescedWrites(
      (writes) => messages.collection.bulkWrite(writes, { ordered: false }),
      INSERTED,
    );
  }

  /**
   * Finds or opens the conversation of an external thread; a new one appears in its owners' lists.
   * A thread opened here moments ago for the same connection and owners is answered from memory.
   */
  async openThread(thread: InboundThread): Promise<ChannelConversation> {
    const cached = this.cachedThread(thread);
    if (cached) return toChannelConversation(cached);
    const { conversation, created } =
      await this.instagramThreads.openInstagramThread(thread);
    this.rememberThread(conversation);
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
    const conversation = await this.instagramThreads.findInstagramThread(
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
      await this.instagramThreads.openInstagramThread(thread);
    this.rememberThread(conversation);
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
      ? (this.rememberedConversation(conversationId) ??
        (await this.conversations.getById(conversationId)))
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
    const outbound = inbound.direction === 'outbound';
    if (outbound) {
      // Also finds our own reply when this is its echo: the Send API's answer stored Meta's id on it.
      const earlier = await findMessageRecord(this.messages, identity);
      if (earlier) {
        return { message: toMessageDto(earlier), created: false };
      }
      const claimed = await this.echoes.claimOwnReply(
        conversation._id,
        inbound,
      );
      if (claimed) return { message: claimed, created: false };
    }
    let message: MessageRecord;
    try {
      // Stored at arrival time, not `sentAt`: history and reconnect catch-up order by createdAt, and a
      // late webhook must not land behind a cursor the dashboard already holds. A redelivered
      // inbound message is refused by the unique index (no lookup first: redeliveries are rare).
      message = await this.insertMessage({
        ...identity,
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
    } catch (error) {
      // Stored before (a redelivery), or two deliveries raced: the unique index let one win.
      const winner = isDuplicateKeyError(error)
        ? await findMessageRecord(this.messages, identity)
        : null;
      if (winner) {
        return { message: toMessageDto(winner), created: false };
      }
      throw error;
    }
    const dto = toMessageDto(message);
    // Stored: its participants see it now, before the conversation's preview and counters move
    // (conversation:updated follows once they have).
    this.realtime.emitToUsers(
      conversation.participantIds.map((id) => id.toHexString()),
      ServerEvent.MessageNew,
      dto,
    );
    let updated: ConversationRecord;
    try {
      // The owner wrote an echo themselves (in Instagram's app): it is not news to them, and
      // only the contact's own messages open the reply window.
      updated = await this.conversations.recordNewMessage(
        conversation,
        message,
        outbound
          ? { countUnread: false }
          : { countUnread: true, inboundAt: inbound.sentAt },
      );
    } catch (error) {
      // The remembered conversation may be gone (nothing deletes one in use, but a reset may).
      this.forgetThread(conversation);
      throw error;
    }
    this.rememberThread(updated);
    await this.notifier.conversationChanged(updated);
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
    const held =
      this.rememberedConversation(updated.conversationId) ??
      (await this.conversations.getById(updated.conversationId));
    // New words, or none: the list's preview follows when this message is it, and a withdrawn
    // message is no longer anyone's to read.
    const changed =
      change.kind === 'edit'
        ? await this.conversations.changedMessages.refreshPreview(updated)
        : change.kind === 'delete'
          ? await this.conversations.changedMessages.withdrawMessage(
              held,
              updated,
            )
          : null;
    this.notifier.messageUpdated(changed ?? held, dto);
    if (changed) {
      this.rememberThread(changed);
      await this.notifier.conversationChanged(changed);
    }
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
    const conversation =
      this.rememberedConversation(seen.conversationId) ??
      (await this.conversations.getById(seen.conversationId));
    const dtos = changed.map(toMessageDto);
    for (const dto of dtos) this.notifier.messageUpdated(conversation, dto);
    return dtos;
  }

  /**
   * Inserts one message from a channel (`source: instagram`, no InstantChat sender) as Mongoose
   * would store it; the messages recorded in the same event-loop turn share one insert command
   * (unordered: a refusal, such as a duplicate, fails only its own caller).
   */
  private async insertMessage(
    fields: ChannelMessageFields,
  ): Promise<MessageRecord> {
    const document =
      inboundMessageDocument(fields) ??
      (await newMessageDocument(this.messages, {
        ...fields,
        ...CHANNEL_MESSAGE_ORIGIN,
      }));
    await this.inserts.write({ insertOne: { document } });
    return document;
  }

  /** The thread's conversation, when it was opened here moments ago for the same owners. */
  private cachedThread(thread: InboundThread): ConversationRecord | null {
    if (thread.contactProfile) return null;
    const key = instagramThreadKey(
      thread.instagram.accountId,
      thread.instagram.contactIgsid,
    );
    const cached = this.threads.get(key);
    if (!cached || cached.expiresAt <= Date.now()) return null;
    return cached.openedFor ===
      openedFor(thread.instagram.connectionId, thread.participantIds)
      ? cached.conversation
      : null;
  }

  private rememberedConversation(
    id: Types.ObjectId,
  ): ConversationRecord | null {
    const cached = this.threadsById.get(id.toHexString());
    return cached && cached.expiresAt > Date.now() ? cached.conversation : null;
  }

  private rememberThread(conversation: ConversationRecord): void {
    const { instagram } = conversation;
    if (conversation.kind !== 'instagram' || !instagram) return;
    const key = instagramThreadKey(instagram.accountId, instagram.contactIgsid);
    const id = conversation._id.toHexString();
    this.threads.delete(key);
    this.threadsById.delete(id);
    if (this.threads.size >= THREAD_CACHE_SIZE) {
      const oldest = this.threads.entries().next().value as [
        string,
        CachedThread,
      ];
      this.threads.delete(oldest[0]);
      this.threadsById.delete(oldest[1].conversation._id.toHexString());
    }
    const entry: CachedThread = {
      conversation,
      openedFor: openedFor(
        instagram.connectionId.toHexString(),
        conversation.participantIds.map((p) => p.toHexString()),
      ),
      expiresAt: Date.now() + THREAD_CACHE_MS,
    };
    this.threads.set(key, entry);
    this.threadsById.set(id, entry);
  }

  private forgetThread(conversation: ConversationRecord): void {
    const cached = this.threadsById.get(conversation._id.toHexString());
    if (!cached) return;
    this.threadsById.delete(conversation._id.toHexString());
    const { instagram } = cached.conversation;
    if (instagram)
      this.threads.delete(
        instagramThreadKey(instagram.accountId, instagram.contactIgsid),
      );
  }
}

function openedFor(
  connectionId: string,
  participantIds: readonly string[],
): string {
  return `${connectionId} ${participantIds.join(',')}`;
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
