import type { MessageDto, MessageStatus } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types, UpdateQuery } from 'mongoose';
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
    const earlier = await this.findOne(identity);
    if (earlier) {
      return { message: toMessageDto(earlier), created: false };
    }
    const outbound = inbound.direction === 'outbound';
    if (outbound) {
      const claimed = await this.claimOwnReply(conversation._id, inbound);
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
        ? await this.findOne(identity)
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
    let updated: MessageRecord | null;
    if (change.kind === 'reaction') {
      updated = await this.applyReaction(filter, change);
    } else if (change.kind === 'status') {
      updated = await this.applyStatus(filter, change);
    } else if (change.kind === 'edit') {
      // An unsent message stays unsent; an older edit delivered late does not undo a newer one.
      const newer =
        change.editCount === undefined
          ? { $or: [{ editedAt: null }, { editedAt: { $lte: change.at } }] }
          : {
              $or: [
                { editCount: { $exists: false } },
                { editCount: { $lt: change.editCount } },
              ],
            };
      updated = await this.findAndUpdate(
        { ...filter, deletedAt: null, ...newer },
        {
          $set: {
            text: change.text,
            editedAt: change.at,
            ...(change.editCount !== undefined && {
              editCount: change.editCount,
            }),
            searchTerms: messageSearchTerms(change.text),
          },
        },
      );
    } else {
      // The content goes for good (the author took it back); the row keeps its place in history.
      updated = await this.findAndUpdate(
        { ...filter, deletedAt: null },
        // An unsent message must not be found by its old words either.
        {
          $set: {
            deletedAt: change.at,
            text: '',
            attachments: [],
            searchTerms: [],
          },
        },
      );
    }
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
    const message = filter ? await this.findOne(filter) : null;
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
    const seen = filter ? await this.findOne(filter) : null;
    if (!seen) return null;
    const unread = {
      conversationId: seen.conversationId,
      isFromInstagram: false,
      createdAt: { $lte: seen.createdAt },
      status: { $in: statusesBefore('read') },
    };
    const ids = (
      await this.messages
        .find(unread, { _id: 1 })
        .lean<MessageRecord[]>()
        .exec()
    ).map((m) => m._id);
    if (ids.length === 0) return [];
    await this.messages
      .updateMany(
        { ...unread, _id: { $in: ids } },
        { $set: { status: 'read', error: null } },
      )
      .exec();
    const changed = await this.messages
      .find({ _id: { $in: ids }, status: 'read' })
      .sort({ createdAt: 1, _id: 1 })
      .lean<MessageRecord[]>()
      .exec();
    const conversation = await this.conversations.getById(seen.conversationId);
    const dtos = changed.map(toMessageDto);
    for (const dto of dtos) this.notifier.messageUpdated(conversation, dto);
    return dtos;
  }

  /**
   * Replies still `pending` that were stored before `before`, oldest first. Only channels that hand
   * replies over after storing them (Instagram) leave any pending; one left long after its channel
   * gave up on it was orphaned (the process stopped mid-send).
   */
  async pendingRepliesBefore(before: Date, limit = 100): Promise<string[]> {
    const rows = await this.messages
      .find(
        {
          status: 'pending',
          senderUserId: { $ne: null },
          createdAt: { $lt: before },
        },
        { _id: 1 },
      )
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<{ _id: Types.ObjectId }[]>()
      .exec();
    return rows.map((row) => row._id.toHexString());
  }

  /**
   * The echo of a reply sent from InstantChat may arrive before the channel's answer that names
   * it (or after that answer timed out): it then becomes that reply, not a second message. The
   * reply claimed is ours, still without an external id, not known to have failed for sure, with
   * the same text, recent; the oldest such first, so two identical replies each get one echo.
   * One atomic update, so the channel's answer and the echo cannot both claim it.
   * @returns the claimed reply, announced as `message:updated`; null when the echo is not ours.
   */
  private async claimOwnReply(
    conversationId: Types.ObjectId,
    echo: InboundMessage,
  ): Promise<MessageDto | null> {
    // Replies from InstantChat carry text only; an echo with media was sent elsewhere.
    if ((echo.attachments ?? []).length > 0 || echo.systemEvent) return null;
    const claimed = await this.messages
      .findOneAndUpdate(
        {
          conversationId,
          senderUserId: { $ne: null },
          instagramMessageId: { $not: { $type: 'string' } },
          text: echo.text,
          'attachments.0': { $exists: false },
          createdAt: { $gte: new Date(Date.now() - ECHO_CLAIM_WINDOW_MS) },
          $or: [
            { status: 'pending' },
            { status: 'failed', 'deliveryError.mayHaveBeenDelivered': true },
          ],
        },
        {
          $set: {
            instagramMessageId: echo.externalMessageId,
            status: 'sent',
            error: null,
            deliveryError: null,
          },
        },
        { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' },
      )
      .lean<MessageRecord>()
      .exec();
    if (!claimed) return null;
    const dto = toMessageDto(claimed);
    const conversation = await this.conversations.getById(conversationId);
    this.notifier.messageUpdated(conversation, dto);
    return dto;
  }

  /**
   * Moves a message's status forward. When the change names the message's external id (the Send
   * API's answer) and that id already sits on another row of the conversation, that row is the
   * echo of this very message, stored before the answer came: the two are merged into ours.
   */
  private async applyStatus(
    filter: Record<string, unknown>,
    change: Extract<MessageChange, { kind: 'status' }>,
  ): Promise<MessageRecord | null> {
    const statusFilter = {
      ...filter,
      status: { $in: statusesBefore(change.status) },
      // An ambiguous failure reported after the echo proved delivery changes nothing.
      ...(change.status === 'failed' && {
        instagramMessageId: { $not: { $type: 'string' } },
      }),
    };
    const update = {
      $set: {
        status: change.status,
        error: change.status === 'failed' ? (change.error ?? null) : null,
        deliveryError:
          change.status === 'failed' ? (change.deliveryError ?? null) : null,
        ...(change.externalMessageId !== undefined && {
          instagramMessageId: change.externalMessageId,
        }),
      },
    };
    try {
      return await this.findAndUpdate(statusFilter, update);
    } catch (error) {
      if (!isDuplicateKeyError(error) || change.externalMessageId === undefined)
        throw error;
    }
    const ours = await this.findOne(filter);
    if (!ours) return null;
    const echo = await this.findOne({
      conversationId: ours.conversationId,
      instagramMessageId: change.externalMessageId,
      _id: { $ne: ours._id },
      senderUserId: null,
      isToInstagram: true,
    });
    // Another reply of ours with the same text took this echo first (echoes came in another order
    // than the answers): this one stays as it is until the other reply's echo claims it.
    if (!echo) return null;
    await this.messages.deleteOne({ _id: echo._id }).exec();
    // What the contact did to the echo (read it, reacted) happened to our reply.
    const furthest =
      STATUS_ORDER.indexOf(echo.status) > STATUS_ORDER.indexOf(change.status)
        ? echo.status
        : change.status;
    const merged = await this.findAndUpdate(statusFilter, {
      $set: {
        ...update.$set,
        status: furthest,
        ...(echo.reactions.length > 0 && { reactions: echo.reactions }),
      },
    });
    if (merged) {
      const conversation = await this.conversations.replacePreviewMessage(
        merged.conversationId,
        echo._id,
        merged,
      );
      if (conversation) await this.notifier.conversationChanged(conversation);
    }
    return merged;
  }

  /**
   * One reaction per person, the latest by its time: each person's entry is replaced only by a
   * newer one, and a removal stays as an entry without emoji, so events applied in any order end
   * in the same state. Each step is one atomic update guarded by the stored entry.
   */
  private async applyReaction(
    filter: Record<string, unknown>,
    change: Extract<MessageChange, { kind: 'reaction' }>,
  ): Promise<MessageRecord | null> {
    const entry = {
      reaction: change.reaction,
      instagramSenderId: change.externalSenderId,
      reactedAt: change.at,
    };
    // Two tries: the person's entry may appear between "replace theirs" and "add theirs".
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const replaced = await this.findAndUpdate(
        {
          ...filter,
          reactions: {
            $elemMatch: {
              instagramSenderId: change.externalSenderId,
              reactedAt: { $lte: change.at },
            },
          },
        },
        { $set: { 'reactions.$': entry } },
      );
      if (replaced) return replaced;
      const added = await this.findAndUpdate(
        {
          ...filter,
          'reactions.instagramSenderId': { $ne: change.externalSenderId },
        },
        { $push: { reactions: entry } },
      );
      if (added) return added;
      const current = await this.findOne(filter);
      const theirs = current?.reactions.find(
        (r) => r.instagramSenderId === change.externalSenderId,
      );
      // No such message, or theirs is newer than this change: nothing to do.
      if (!current || (theirs && theirs.reactedAt > change.at)) return null;
    }
    return null;
  }

  private findOne(
    filter: Record<string, unknown>,
  ): Promise<MessageRecord | null> {
    return this.messages.findOne(filter).lean<MessageRecord>().exec();
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

/**
 * How long after storing a reply its echo may still claim it: Meta echoes within seconds, and a
 * send times out well within this; an older reply with the same text is another message.
 */
const ECHO_CLAIM_WINDOW_MS = 5 * 60_000;

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
