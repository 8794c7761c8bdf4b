import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../../database/duplicate-key-error';
import type { MessageRecord } from '../chat.records';
import type { Message } from '../schemas/message.schema';
import { messageSearchTerms } from '../search/search-terms';
import type { MessageChange } from './channel.types';
import { findMessageRecord, updateMessageRecord } from './message-records';
import { statusesBefore } from './message-status-order';
import type { ReplyEchoes } from './reply-echo';

/**
 * Later changes to a stored message — delivery status, reactions, edits, unsends, reads — each
 * applied so that events delivered late or out of order cannot undo newer ones. Announcing the
 * result is the caller's (ChannelInbox's) job.
 */
export class MessageChanges {
  constructor(
    private readonly messages: Model<Message>,
    private readonly echoes: ReplyEchoes,
  ) {}

  /** @returns the changed message, or null when none matches `filter` or the change is stale. */
  apply(
    filter: Record<string, unknown>,
    change: MessageChange,
  ): Promise<MessageRecord | null> {
    switch (change.kind) {
      case 'reaction':
        return this.applyReaction(filter, change);
      case 'status':
        return this.applyStatus(filter, change);
      case 'edit':
        return this.applyEdit(filter, change);
      case 'delete':
        return this.applyDelete(filter, change);
    }
  }

  /**
   * Each of the business's messages up to `seen` (the contact's latest seen one) that is not yet
   * `read` becomes `read`.
   * @returns the messages that changed, oldest first.
   */
  async markReadUpTo(seen: MessageRecord): Promise<MessageRecord[]> {
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
    return this.messages
      .find({ _id: { $in: ids }, status: 'read' })
      .sort({ createdAt: 1, _id: 1 })
      .lean<MessageRecord[]>()
      .exec();
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
    const statusSet = {
      status: change.status,
      error: change.status === 'failed' ? (change.error ?? null) : null,
      deliveryError:
        change.status === 'failed' ? (change.deliveryError ?? null) : null,
      ...(change.externalMessageId !== undefined && {
        instagramMessageId: change.externalMessageId,
      }),
    };
    try {
      return await updateMessageRecord(this.messages, statusFilter, {
        $set: statusSet,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error) || change.externalMessageId === undefined)
        throw error;
      return this.echoes.mergeEchoIntoReply(
        filter,
        { filter: statusFilter, set: statusSet },
        change.externalMessageId,
      );
    }
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
      const replaced = await updateMessageRecord(
        this.messages,
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
      const added = await updateMessageRecord(
        this.messages,
        {
          ...filter,
          'reactions.instagramSenderId': { $ne: change.externalSenderId },
        },
        { $push: { reactions: entry } },
      );
      if (added) return added;
      const current = await findMessageRecord(this.messages, filter);
      const theirs = current?.reactions.find(
        (r) => r.instagramSenderId === change.externalSenderId,
      );
      // No such message, or theirs is newer than this change: nothing to do.
      if (!current || (theirs && theirs.reactedAt > change.at)) return null;
    }
    return null;
  }

  private applyEdit(
    filter: Record<string, unknown>,
    change: Extract<MessageChange, { kind: 'edit' }>,
  ): Promise<MessageRecord | null> {
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
    return updateMessageRecord(
      this.messages,
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
  }

  /** The content goes for good (the author took it back); the row keeps its place in history. */
  private applyDelete(
    filter: Record<string, unknown>,
    change: Extract<MessageChange, { kind: 'delete' }>,
  ): Promise<MessageRecord | null> {
    return updateMessageRecord(
      this.messages,
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
}
