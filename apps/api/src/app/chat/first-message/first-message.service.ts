import type {
  FirstMessageResult,
  SendFirstMessageDto,
} from '@instantchat/contracts';
import { BadRequestException, Injectable } from '@nestjs/common';
import { ConversationPresenter } from '../conversation-presenter.service';
import { ConversationsService } from '../conversations.service';
import { MessagesService } from '../messages.service';

export interface SentFirstMessage extends FirstMessageResult {
  /** False for a retry (same clientMessageId): nothing new was stored. */
  created: boolean;
}

/**
 * Starts a conversation with its first message, so that picking a person in the dashboard creates
 * nothing in their inbox until something is actually said. With an existing conversation between
 * the two, the message simply goes there.
 */
@Injectable()
export class FirstMessageService {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly presenter: ConversationPresenter,
  ) {}

  /**
   * @throws BadRequestException for blank text or the caller themself; NotFoundException for an
   * unknown person; ConflictException for a clientMessageId used in another conversation.
   */
  async send(
    callerId: string,
    request: SendFirstMessageDto,
  ): Promise<SentFirstMessage> {
    // Checked before opening: a refused message must not leave an empty conversation behind.
    if (request.text.trim().length === 0) {
      throw new BadRequestException('text must not be empty');
    }
    const { conversation } = await this.conversations.openLocal(
      callerId,
      request.participantId,
    );
    const conversationId = conversation._id.toHexString();
    const { message, created } = await this.messages.send(
      callerId,
      conversationId,
      request.text,
      request.clientMessageId,
    );
    const withPreview = await this.conversations.getForUser(
      callerId,
      conversationId,
    );
    return {
      conversation: await this.presenter.toDto(withPreview, callerId),
      message,
      created,
    };
  }
}
