import type { ConversationDto } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { UsersService } from '../users/users.service';
import { ReplyChannels } from './channels/reply-channels';
import {
  type ChannelView,
  toChannelConversation,
  toConversationDto,
} from './chat.mapper';
import type { ConversationRecord, DisplayNames } from './chat.records';

/** Conversations as a given person sees them, with participants' display names resolved. */
@Injectable()
export class ConversationPresenter {
  constructor(
    private readonly users: UsersService,
    private readonly replyChannels: ReplyChannels,
  ) {}

  /** DTOs for one viewer; every participant's name comes from one query. */
  async toDtos(
    conversations: readonly ConversationRecord[],
    viewerId: string,
  ): Promise<ConversationDto[]> {
    const [names, channelViews] = await Promise.all([
      this.displayNamesOf(conversations),
      this.channelViewsOf(conversations),
    ]);
    return conversations.map((conversation, i) =>
      toConversationDto(conversation, viewerId, names, channelViews[i]),
    );
  }

  async toDto(
    conversation: ConversationRecord,
    viewerId: string,
  ): Promise<ConversationDto> {
    const [dto] = await this.toDtos([conversation], viewerId);
    return dto;
  }

  /** The conversation as each of its participants sees it (their own unread count), by user id. */
  async toDtoPerParticipant(
    conversation: ConversationRecord,
  ): Promise<Map<string, ConversationDto>> {
    const [names, [channelView]] = await Promise.all([
      this.displayNamesOf([conversation]),
      this.channelViewsOf([conversation]),
    ]);
    return new Map(
      conversation.participantIds.map((id) => {
        const viewerId = id.toHexString();
        return [
          viewerId,
          toConversationDto(conversation, viewerId, names, channelView),
        ];
      }),
    );
  }

  /**
   * Asked of each conversation's channel: the messaging window (only channels with one) and the
   * receiving account's username (one lookup for every Instagram conversation in the batch).
   */
  private async channelViewsOf(
    conversations: readonly ConversationRecord[],
  ): Promise<ChannelView[]> {
    const instagram = this.replyChannels.find('instagram');
    const connectionIds = [
      ...new Set(
        conversations.flatMap((c) =>
          c.instagram ? [c.instagram.connectionId.toHexString()] : [],
        ),
      ),
    ];
    const usernames =
      connectionIds.length > 0 && instagram?.accountUsernames
        ? await instagram.accountUsernames(connectionIds)
        : new Map<string, string>();
    return conversations.map((conversation) => {
      const channel = this.replyChannels.find(conversation.kind);
      return {
        windowClosesAt: channel?.replyWindowClosesAt?.(
          toChannelConversation(conversation),
        ),
        windowHumanAgent: channel?.repliesAsHumanAgent ?? false,
        accountUsername:
          conversation.instagram &&
          usernames.get(conversation.instagram.connectionId.toHexString()),
      };
    });
  }

  private async displayNamesOf(
    conversations: readonly ConversationRecord[],
  ): Promise<DisplayNames> {
    const ids = new Set(
      conversations.flatMap((c) =>
        c.participantIds.map((id) => id.toHexString()),
      ),
    );
    const users = await this.users.findProfiles([...ids]);
    return new Map(users.map((user) => [user.id, user.displayName]));
  }
}
