import {
  type MessageDto,
  type ReadReceiptDto,
  ServerEvent,
} from '@instantchat/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { RealtimeService } from '../realtime/realtime.service';
import type { ConversationIdentity, ConversationRecord } from './chat.records';
import { ConversationPresenter } from './conversation-presenter.service';

/**
 * Who hears about what in a conversation. Every participant's room gets new messages and
 * conversation changes (the author's too: their other tabs must stay in step), and so do later changes
 * to a message (`message:updated`: delivery status, reactions, edits, unsends) and the removal of a
 * duplicate row (`message:removed`); a read receipt goes to
 * the people whose messages were read.
 *
 * Live updates are best effort and never fail the write that caused them: the write has happened,
 * and failing the request would make the client retry it. Clients catch up after a reconnect.
 */
@Injectable()
export class ChatNotifier {
  private readonly logger = new Logger(ChatNotifier.name);

  constructor(
    private readonly realtime: RealtimeService,
    private readonly presenter: ConversationPresenter,
  ) {}

  async messageCreated(
    conversation: ConversationRecord,
    message: MessageDto,
  ): Promise<void> {
    this.messageNew(conversation, message);
    await this.conversationChanged(conversation);
  }

  /**
   * A stored message, to every participant's tabs: all it needs is who takes part, so a sender
   * tells it as soon as the message is durable, before the conversation's own update (whose
   * `conversation:updated` follows).
   */
  messageNew(conversation: ConversationIdentity, message: MessageDto): void {
    this.realtime.emitToUsers(
      participantIdsOf(conversation),
      ServerEvent.MessageNew,
      message,
    );
  }

  /** A stored message changed (delivery status, reaction, edit, unsend): every participant's tabs redraw it. */
  messageUpdated(conversation: ConversationRecord, message: MessageDto): void {
    this.realtime.emitToUsers(
      participantIdsOf(conversation),
      ServerEvent.MessageUpdated,
      message,
    );
  }

  /** A duplicate row was deleted (an echo merged into our reply): every participant's tabs drop it. */
  messageRemoved(conversation: ConversationRecord, messageId: string): void {
    this.realtime.emitToUsers(
      participantIdsOf(conversation),
      ServerEvent.MessageRemoved,
      { conversationId: conversation._id.toHexString(), messageId },
    );
  }

  /** Each participant (or only those listed) gets the conversation as they see it. */
  async conversationChanged(
    conversation: ConversationRecord,
    onlyFor?: readonly string[],
  ): Promise<void> {
    try {
      const perParticipant =
        await this.presenter.toDtoPerParticipant(conversation);
      for (const [userId, dto] of perParticipant) {
        if (!onlyFor || onlyFor.includes(userId)) {
          this.realtime.emitToUser(
            userId,
            ServerEvent.ConversationUpdated,
            dto,
          );
        }
      }
    } catch (error) {
      this.logger.error(
        `conversation:updated for ${conversation._id.toHexString()} not sent: ${(error as Error).message}`,
        (error as Error).stack,
      );
    }
  }

  async conversationRead(
    conversation: ConversationRecord,
    receipt: ReadReceiptDto,
  ): Promise<void> {
    const others = participantIdsOf(conversation).filter(
      (id) => id !== receipt.userId,
    );
    this.realtime.emitToUsers(others, ServerEvent.MessageRead, receipt);
    // The reader's other tabs drop their unread badge.
    await this.conversationChanged(conversation, [receipt.userId]);
  }

  typing(
    conversation: ConversationIdentity,
    userId: string,
    isTyping: boolean,
  ): void {
    const others = participantIdsOf(conversation).filter((id) => id !== userId);
    this.realtime.emitToUsers(others, ServerEvent.Typing, {
      conversationId: conversation._id.toHexString(),
      userId,
      isTyping,
    });
  }
}

function participantIdsOf(
  conversation: Pick<ConversationIdentity, 'participantIds'>,
): string[] {
  return conversation.participantIds.map((id) => id.toHexString());
}
