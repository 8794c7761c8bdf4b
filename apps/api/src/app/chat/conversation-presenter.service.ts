import type { ConversationDto } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { UsersService } from '../users/users.service';
import { ReplyChannels } from './channels/reply-channels';
import { toChannelConversation, toConversationDto } from './chat.mapper';
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
    const names = await this.displayNamesOf(conversations);
    return conversations.map((conversation) =>
      toConversationDto(
        conversation,
        viewerId,
        names,
        ...this.replyWindowOf(conversation),
      ),
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
    const names = await this.displayNamesOf([conversation]);
    return new Map(
      conversation.participantIds.map((id) => {
        const viewerId = id.toHexString();
        return [
          viewerId,
          toConversationDto(
            conversation,
            viewerId,
            names,
            ...this.replyWindowOf(conversation),
          ),
        ];
      }),
    );
  }

  /**
   * Asked of the conversation's channel: only channels with a messaging window have one.
   * @returns when it closes (undefined: no window) and whether it is the human agent's.
   */
  private replyWindowOf(
    conversation: ConversationRecord,
  ): [Date | null | undefined, boolean] {
    const channel = this.replyChannels.find(conversation.kind);
    return [
      channel?.replyWindowClosesAt?.(toChannelConversation(conversation)),
      channel?.repliesAsHumanAgent ?? false,
    ];
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
