import type { MessageDto } from '@instantchat/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { ChannelInbox } from './channels/channel-inbox.service';
import type { DeliveryOutcome, ReplyChannel } from './channels/channel.types';
import { statusChangeOf } from './channels/delivery-outcome';
import { toChannelConversation } from './chat.mapper';
import type { ConversationRecord } from './chat.records';

/** What the sender reads when a channel gave up on their reply without saying why. */
const UNDELIVERABLE = 'The message could not be delivered';

/**
 * Hands a stored, announced reply to its channel and records where it stands: the one path a
 * first send and a retry of a failed one both take.
 */
@Injectable()
export class ReplyDelivery {
  private readonly logger = new Logger(ReplyDelivery.name);

  constructor(private readonly inbox: ChannelInbox) {}

  /**
   * A channel that throws leaves the reply failed rather than failing the request: the message
   * exists either way.
   * @returns the message as it stands after the attempt.
   */
  async deliver(
    channel: ReplyChannel,
    conversation: ConversationRecord,
    message: MessageDto,
  ): Promise<MessageDto> {
    let outcome: DeliveryOutcome | void;
    try {
      outcome = await channel.deliver({
        conversation: toChannelConversation(conversation),
        message,
      });
    } catch (error) {
      this.logger.error(
        `Delivery of message ${message.id} over ${channel.kind} failed: ${(error as Error).message}`,
        (error as Error).stack,
      );
      outcome = { status: 'failed', error: UNDELIVERABLE };
    }
    if (!outcome) return message;
    const change = statusChangeOf(outcome);
    // Null when a faster report (its echo, a read receipt) already moved it on: answer with that.
    return (
      (await this.inbox.updateMessage({ messageId: message.id }, change)) ??
      (await this.inbox.findMessage({ messageId: message.id })) ??
      message
    );
  }
}
