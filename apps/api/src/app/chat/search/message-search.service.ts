import {
  MESSAGE_SEARCH_DEFAULT_LIMIT,
  type MessageDto,
  type MessageSearchQueryDto,
  type Page,
} from '@instantchat/contracts';
import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { toMessageDto } from '../chat.mapper';
import type { MessageRecord } from '../chat.records';
import { decodeMessageCursor, encodeMessageCursor } from '../message-cursor';
import { Conversation } from '../schemas/conversation.schema';
import { Message } from '../schemas/message.schema';
import {
  MESSAGE_SEARCH_SORT,
  messageSearchFilter,
} from './message-search-filter';
import { searchQueryTerms } from './search-terms';

/**
 * Searches the caller's messages by the words they contain. Only conversations the caller takes
 * part in are searched: their ids are part of the indexed query, so another person's messages are
 * never even read.
 */
@Injectable()
export class MessageSearchService {
  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    @InjectModel(Conversation.name)
    private readonly conversations: Model<Conversation>,
  ) {}

  /** @throws BadRequestException when `q` has no word to search for or `before` is not a cursor. */
  async search(
    callerId: string,
    query: MessageSearchQueryDto,
  ): Promise<Page<MessageDto>> {
    const terms = searchQueryTerms(query.q);
    if (terms.length === 0) {
      throw new BadRequestException(
        'q must contain a word of at least 2 letters or digits',
      );
    }
    const before =
      query.before === undefined
        ? undefined
        : decodeMessageCursor(query.before);
    if (before === null) {
      throw new BadRequestException(
        'before must be a nextCursor returned by this endpoint',
      );
    }
    const limit = query.limit ?? MESSAGE_SEARCH_DEFAULT_LIMIT;
    const conversationIds = await this.conversationIdsOf(callerId);
    if (conversationIds.length === 0) {
      return { items: [], nextCursor: null };
    }
    // One extra row tells whether an older page exists without a second query.
    const rows = await this.messages
      .find(messageSearchFilter(terms, conversationIds, before))
      .sort(MESSAGE_SEARCH_SORT)
      .limit(limit + 1)
      .lean<MessageRecord[]>()
      .exec();
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

  private async conversationIdsOf(callerId: string): Promise<Types.ObjectId[]> {
    const rows = await this.conversations
      .find({ participantIds: new Types.ObjectId(callerId) }, { _id: 1 })
      .lean<{ _id: Types.ObjectId }[]>()
      .exec();
    return rows.map((row) => row._id);
  }
}
