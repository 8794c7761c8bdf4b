import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { UsersService } from '../../users/users.service';
import type { ConversationRecord } from '../chat.records';
import { Conversation } from '../schemas/conversation.schema';
import { foldedWords } from './search-terms';

/**
 * Finds the caller's conversations by who is in them: the other people's display names and, for
 * Instagram threads, the contact's username and name. Every word of the search must occur in those
 * names (anywhere, any letter case, diacritics ignored). Only the caller's own conversations are
 * read (by the participant index), so the work grows with their inbox, not with everyone's.
 */
@Injectable()
export class ConversationSearchService {
  constructor(
    @InjectModel(Conversation.name)
    private readonly conversations: Model<Conversation>,
    private readonly users: UsersService,
  ) {}

  /** Newest activity first, at most `limit`; nothing when the search has no letters or digits. */
  async find(
    callerId: string,
    search: string,
    limit: number,
  ): Promise<ConversationRecord[]> {
    const words = foldedWords(search);
    if (words.length === 0) {
      return [];
    }
    const mine = await this.conversations
      .find({ participantIds: new Types.ObjectId(callerId) })
      .sort({ lastMessageAt: -1, _id: -1 })
      .lean<ConversationRecord[]>()
      .exec();
    const names = await this.displayNamesOfOthers(mine, callerId);
    return mine
      .filter((conversation) => {
        const haystack = foldedWords(
          [
            ...conversation.participantIds.map(
              (id) => names.get(id.toHexString()) ?? '',
            ),
            conversation.instagram?.contactProfile?.username ?? '',
            conversation.instagram?.contactProfile?.name ?? '',
          ].join(' '),
        ).join(' ');
        return words.every((word) => haystack.includes(word));
      })
      .slice(0, limit);
  }

  /** The caller's own name is left out: it would make every conversation match it. */
  private async displayNamesOfOthers(
    conversations: readonly ConversationRecord[],
    callerId: string,
  ): Promise<Map<string, string>> {
    const ids = new Set(
      conversations.flatMap((conversation) =>
        conversation.participantIds.map((id) => id.toHexString()),
      ),
    );
    ids.delete(callerId);
    const users = await this.users.findProfiles([...ids]);
    return new Map(users.map((user) => [user.id, user.displayName]));
  }
}
