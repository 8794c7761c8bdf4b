import {
  BadRequestException,
  Injectable,
  NotFoundException,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { UsersService } from '../users/users.service';
import { ChatNotifier } from './chat-notifier.service';
import type {
  ConversationIdentity,
  ConversationRecord,
  MessageRecord,
} from './chat.records';
import { ConversationMessageChanges } from './conversation-message-changes';
import { newMessagePipeline, recipientsOf } from './conversation-updates';
import { CoalescedReads } from '../database/coalesced-reads';
import { CoalescedWrites, MATCHED } from '../database/coalesced-writes';
import { isDuplicateKeyError } from '../database/duplicate-key-error';
import { parseObjectId } from '../database/object-ids';
import { Conversation } from './schemas/conversation.schema';

export interface ListConversationsOptions {
  /** Only conversations changed at or after this instant. */
  updatedSince?: Date;
  limit: number;
}

/** Local conversations whose identity one API instance keeps (a few hundred bytes each). */
const LOCAL_IDENTITIES_MAX = 10_000;

/** A caller's conversation as far as sending, reading history or marking read needs it. */
export interface IdentifiedConversation {
  identity: ConversationIdentity;
  /** The whole conversation, when it was read for this call; always for a kind other than local. */
  record?: ConversationRecord;
}

export interface OpenedConversation {
  conversation: ConversationRecord;
  /** False when the pair already had a conversation and it was returned as is. */
  created: boolean;
}

/**
 * Conversations and their per-participant read state. Every lookup by id takes the caller's id too:
 * a conversation the caller is not part of is indistinguishable from one that does not exist.
 */
@Injectable()
export class ConversationsService implements OnModuleInit {
  /**
   * Local conversations already read, by id: their kind and participants never change (the pair
   * key is unique and nothing deletes a conversation), so what one read told stays true on every
   * API instance.
   */
  private readonly localIdentities = new Map<
    string,
    { identity: ConversationIdentity; participants: readonly string[] }
  >();

  /** New messages' conversation updates of one turn share one bulk write… */
  private readonly newMessageWrites: CoalescedWrites;
  /** …and the conversations are read back together. */
  private readonly latest: CoalescedReads<ConversationRecord>;
  /** What a later change to a stored message (edit, unsend, merge) does to its conversation. */
  readonly changedMessages: ConversationMessageChanges;

  constructor(
    @InjectModel(Conversation.name)
    private readonly conversations: Model<Conversation>,
    private readonly users: UsersService,
    private readonly notifier: ChatNotifier,
  ) {
    this.newMessageWrites = new CoalescedWrites(
      (writes) =>
        conversations.collection.bulkWrite(writes, { ordered: false }),
      MATCHED,
    );
    this.changedMessages = new ConversationMessageChanges(conversations);
    this.latest = new CoalescedReads(
      async (ids) =>
        (await conversations.collection
          // From the primary, whatever the connection's read preference: these are its own
          // writes, read back (a secondary could answer from before them).
          .find(
            { _id: { $in: ids.map((id) => new Types.ObjectId(id)) } },
            { readPreference: 'primary' },
          )
          .toArray()) as ConversationRecord[],
      (conversation) => conversation._id.toHexString(),
    );
  }

  /** The unique indexes must exist before the first write, or a duplicate pair could slip in. */
  async onModuleInit(): Promise<void> {
    await this.conversations.init();
  }

  async listForUser(
    userId: string,
    options: ListConversationsOptions,
  ): Promise<ConversationRecord[]> {
    const filter: Record<string, unknown> = {
      participantIds: new Types.ObjectId(userId),
    };
    if (options.updatedSince) {
      filter['updatedAt'] = { $gte: options.updatedSince };
    }
    return this.conversations
      .find(filter)
      .sort({ lastMessageAt: -1, _id: -1 })
      .limit(options.limit)
      .lean<ConversationRecord[]>()
      .exec();
  }

  /**
   * Opens the local 1:1 conversation between the caller and another user, or returns the one they
   * already have (whoever opened it).
   * @throws BadRequestException for the caller themself; NotFoundException for an unknown user.
   */
  async openLocal(
    callerId: string,
    requestedParticipantId: string,
  ): Promise<OpenedConversation> {
    // Ids are compared and keyed as text below: the same id in capitals must not count as another
    // person (a conversation with oneself, or a second conversation with the same person).
    const participantId =
      parseObjectId(requestedParticipantId)?.toHexString() ?? null;
    if (!participantId) {
      throw new NotFoundException('User not found');
    }
    if (participantId === callerId) {
      throw new BadRequestException(
        'You cannot start a conversation with yourself',
      );
    }
    const participant = await this.users.findProfile(participantId);
    if (!participant) {
      throw new NotFoundException('User not found');
    }
    const localPairKey = [callerId, participantId].sort().join(':');
    const existing = await this.findByPairKey(localPairKey);
    if (existing) {
      return { conversation: existing, created: false };
    }
    try {
      const created = await this.conversations.create({
        kind: 'local',
        participantIds: [
          new Types.ObjectId(callerId),
          new Types.ObjectId(participantId),
        ],
        localPairKey,
        lastMessageAt: new Date(),
        lastMessage: null,
        unreadCounts: { [callerId]: 0, [participantId]: 0 },
      });
      const conversation = created.toObject<ConversationRecord>({
        flattenMaps: true,
      });
      // Both people's lists (and the caller's other tabs) show it at once.
      await this.notifier.conversationChanged(conversation);
      return { conversation, created: true };
    } catch (error) {
      // Both people opened it at the same moment: the unique pair key let one insert win.
      if (isDuplicateKeyError(error)) {
        const winner = await this.findByPairKey(localPairKey);
        if (winner) {
          return { conversation: winner, created: false };
        }
      }
      throw error;
    }
  }

  /** @throws NotFoundException unless the conversation exists and the user takes part in it. */
  async getForUser(
    userId: string,
    conversationId: string,
  ): Promise<ConversationRecord> {
    const id = parseObjectId(conversationId);
    const conversation = id
      ? await this.conversations
          .findOne({ _id: id, participantIds: new Types.ObjectId(userId) })
          .lean<ConversationRecord>()
          .exec()
      : null;
    if (!conversation) {
      throw new NotFoundException('Conversation not found');
    }
    return conversation;
  }

  /**
   * What the conversation is, for a caller who takes part in it: enough for a send, a history
   * page, a read receipt or a typing signal. A local conversation is read once per API instance and
   * then answered from memory (see localIdentities). Any other kind is read every time, whole: its
   * participants follow the connected account and its channel asks where it stands (a reply
   * window).
   * @throws NotFoundException unless the conversation exists and the user takes part in it.
   */
  async identify(
    userId: string,
    conversationId: string,
  ): Promise<IdentifiedConversation> {
    const id = parseObjectId(conversationId);
    const known = id && this.localIdentities.get(id.toHexString());
    if (known) {
      if (!known.participants.includes(userId)) {
        throw new NotFoundException('Conversation not found');
      }
      return { identity: known.identity };
    }
    const record = await this.getForUser(userId, conversationId);
    if (record.kind === 'local') {
      this.rememberLocal(record);
    }
    return { identity: record, record };
  }

  private rememberLocal({ _id, kind, participantIds }: ConversationRecord) {
    if (this.localIdentities.size >= LOCAL_IDENTITIES_MAX) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.localIdentities.keys().next().value;
      if (oldest !== undefined) this.localIdentities.delete(oldest);
    }
    this.localIdentities.set(_id.toHexString(), {
      identity: { _id, kind, participantIds },
      participants: participantIds.map((p) => p.toHexString()),
    });
  }

  /**
   * Moves the conversation to the top of everyone's list, with this message as its preview, and
   * counts it as unread for every participant but its author. `countUnread: false` for a message
   * the participants wrote themselves outside InstantChat (an Instagram echo). `inboundAt` for a
   * message the contact wrote then: Meta's 24-hour reply window runs from their latest message, so
   * the conversation returned (and announced) already has its window open.
   */
  async recordNewMessage(
    conversation: Pick<ConversationIdentity, '_id' | 'participantIds'>,
    message: MessageRecord,
    {
      countUnread = true,
      inboundAt,
    }: { countUnread?: boolean; inboundAt?: Date } = {},
  ): Promise<ConversationRecord> {
    const recipientIds = countUnread ? recipientsOf(conversation, message) : [];
    // One update that settles every race by itself (an older message recorded late, a read that
    // landed first), shared with the other messages of this turn; then the conversation as it is
    // now, read together with theirs. Two commands per turn instead of one or more per message.
    await this.newMessageWrites.write({
      updateOne: {
        filter: { _id: conversation._id },
        update: newMessagePipeline(
          message,
          recipientIds,
          inboundAt,
          new Date(),
        ),
      },
    });
    return orNotFound(
      (await this.latest.read(conversation._id.toHexString())) ?? null,
    );
  }

  /** Everything up to `readAt` is read by the user: their unread count drops to zero. */
  async markReadBy(
    conversation: Pick<ConversationIdentity, '_id'>,
    userId: string,
    readAt: Date,
  ): Promise<ConversationRecord> {
    return updateConversation(this.conversations, conversation._id, {
      $set: { [`unreadCounts.${userId}`]: 0, [`lastReadAt.${userId}`]: readAt },
    });
  }

  private findByPairKey(
    localPairKey: string,
  ): Promise<ConversationRecord | null> {
    return this.conversations
      .findOne({ localPairKey })
      .lean<ConversationRecord>()
      .exec();
  }

  /** Any conversation by id, for Chat's own services (callers' lookups go through getForUser). */
  async getById(id: Types.ObjectId): Promise<ConversationRecord> {
    return orNotFound(
      await this.conversations.findById(id).lean<ConversationRecord>().exec(),
    );
  }
}

/**
 * Applies `update` to one conversation and returns it as it is after.
 * @throws NotFoundException when it no longer exists.
 */
export async function updateConversation(
  conversations: Model<Conversation>,
  id: Types.ObjectId,
  update: Record<string, Record<string, unknown>>,
): Promise<ConversationRecord> {
  return orNotFound(
    await conversations
      .findOneAndUpdate({ _id: id }, update, { returnDocument: 'after' })
      .lean<ConversationRecord>()
      .exec(),
  );
}

function orNotFound(
  conversation: ConversationRecord | null,
): ConversationRecord {
  if (!conversation) {
    // Conversations are not deleted while in use; one that vanished leaves the caller's view stale.
    throw new NotFoundException('Conversation not found');
  }
  return conversation;
}
