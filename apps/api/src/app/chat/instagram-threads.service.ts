import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import type { InboundThread } from './channels/channel.types';
import type { ConversationRecord } from './chat.records';
import {
  type OpenedConversation,
  updateConversation,
} from './conversations.service';
import { CoalescedReads } from '../database/coalesced-reads';
import { isDuplicateKeyError } from '../database/duplicate-key-error';
import { Conversation } from './schemas/conversation.schema';

/**
 * The conversations of external threads (an Instagram contact of a connected account): opened when
 * the first message of a contact arrives, pointed at the current connection and owners as they
 * change, found by account and contact. Local conversations are ConversationsService's.
 */
@Injectable()
export class InstagramThreads {
  /**
   * The thread lookups of one event-loop turn in one query on the unique (account, contact) index:
   * every account asked for with every contact asked for, so at most THREAD_READS_PER_QUERY of
   * them (a few hundred index points); pairs nobody asked for are left out by their key.
   */
  private readonly threadReads: CoalescedReads<ConversationRecord>;

  constructor(
    @InjectModel(Conversation.name)
    private readonly conversations: Model<Conversation>,
  ) {
    this.threadReads = new CoalescedReads<ConversationRecord>(
      (keys) => {
        const threads = keys.map(
          (key) => JSON.parse(key) as [accountId: string, contactIgsid: string],
        );
        return (
          conversations
            .find({
              kind: 'instagram',
              'instagram.accountId': {
                $in: [...new Set(threads.map(([a]) => a))],
              },
              'instagram.contactIgsid': {
                $in: [...new Set(threads.map(([, c]) => c))],
              },
            })
            // From the primary, whatever the connection's read preference: opening a thread after a
            // lost race must see the winner's insert.
            .read('primary')
            .lean<ConversationRecord[]>()
            .exec()
        );
      },
      (conversation) =>
        instagramThreadKey(
          conversation.instagram?.accountId ?? '',
          conversation.instagram?.contactIgsid ?? '',
        ),
      THREAD_READS_PER_QUERY,
    );
  }

  /**
   * Opens the conversation of an external thread (an Instagram contact of a connected account), or
   * returns the one it already has, pointed at the current connection and owner and with the
   * newest profile given.
   */
  openInstagramThread(thread: InboundThread): Promise<OpenedConversation> {
    return this.openThread(thread, false);
  }

  private async openThread(
    thread: InboundThread,
    afterLostRace: boolean,
  ): Promise<OpenedConversation> {
    const participantIds = thread.participantIds.map(
      (id) => new Types.ObjectId(id),
    );
    const instagram = {
      connectionId: new Types.ObjectId(thread.instagram.connectionId),
      accountId: thread.instagram.accountId,
      contactIgsid: thread.instagram.contactIgsid,
    };
    const existing = await this.findInstagramThread(
      thread.instagram.accountId,
      thread.instagram.contactIgsid,
    );
    if (existing) {
      // The usual case: the thread already points at this connection and these owners, and no new
      // profile came with it. Nothing to write (a write would cost a journal flush per cache miss).
      if (
        !thread.contactProfile &&
        existing.instagram?.connectionId?.equals(instagram.connectionId) &&
        sameIds(existing.participantIds, participantIds)
      ) {
        return { conversation: existing, created: false };
      }
      const contactProfile =
        thread.contactProfile ?? existing.instagram?.contactProfile;
      const conversation = await updateConversation(
        this.conversations,
        existing._id,
        {
          $set: {
            participantIds,
            instagram: {
              ...instagram,
              ...(contactProfile && { contactProfile }),
            },
          },
        },
      );
      return { conversation, created: false };
    }
    try {
      const created = await this.conversations.create({
        kind: 'instagram',
        participantIds,
        instagram: { ...instagram, contactProfile: thread.contactProfile },
        lastMessageAt: new Date(),
        lastMessage: null,
        unreadCounts: Object.fromEntries(
          thread.participantIds.map((id) => [id, 0]),
        ),
      });
      return {
        conversation: created.toObject<ConversationRecord>({
          flattenMaps: true,
        }),
        created: true,
      };
    } catch (error) {
      // Two webhooks for a new contact raced: the unique (account, contact) index let one win, and
      // a second look finds the winner. Once only: a duplicate the lookup cannot see (another
      // unique index) would otherwise send this round for ever; the caller's retry takes it up.
      if (isDuplicateKeyError(error) && !afterLostRace) {
        return this.openThread(thread, true);
      }
      throw error;
    }
  }

  /**
   * The conversation of one contact of one Instagram account, if it exists; the lookups of one
   * event-loop turn share a query.
   */
  async findInstagramThread(
    accountId: string,
    contactIgsid: string,
  ): Promise<ConversationRecord | null> {
    return (
      (await this.threadReads.read(
        instagramThreadKey(accountId, contactIgsid),
      )) ?? null
    );
  }
}

/** Thread lookups per query at most (each brings its account and its contact). */
const THREAD_READS_PER_QUERY = 16;

/** One Instagram thread (account and contact) as a string, for maps and caches. */
export function instagramThreadKey(
  accountId: string,
  contactIgsid: string,
): string {
  return JSON.stringify([accountId, contactIgsid]);
}

/** The same ids in the same order. */
function sameIds(
  a: readonly Types.ObjectId[] | undefined,
  b: readonly Types.ObjectId[],
): boolean {
  return a?.length === b.length && a.every((id, i) => id.equals(b[i]));
}
