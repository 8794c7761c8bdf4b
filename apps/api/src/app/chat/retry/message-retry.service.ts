import type { MessageDto } from '@instantchat/contracts';
import {
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { parseObjectId } from '../../database/object-ids';
import { findMessageRecord } from '../channels/message-records';
import { ReplyChannels } from '../channels/reply-channels';
import { ChatNotifier } from '../chat-notifier.service';
import { toChannelConversation, toMessageDto } from '../chat.mapper';
import type { ConversationRecord, MessageRecord } from '../chat.records';
import { ConversationsService } from '../conversations.service';
import { ReplyOutbox } from '../channels/reply-outbox.service';
import { ReplyDelivery } from '../reply-delivery.service';
import { Message } from '../schemas/message.schema';

/** The `code` of a 409 for a message that cannot be sent again; `message` says why. */
export const NOT_RETRYABLE_CODE = 'not_retryable';

/**
 * Sends a reply that failed again, as the same message: the row the person sees goes `pending`,
 * then `sent` or `failed` through its channel, each change announced as `message:updated`. Only
 * replies a channel hands over after storing them (Instagram) can fail, so only they are retried;
 * the channel's own checks (messaging window, account to reconnect) apply as on a first send.
 */
@Injectable()
export class MessageRetryService {
  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly conversations: ConversationsService,
    private readonly replyChannels: ReplyChannels,
    private readonly notifier: ChatNotifier,
    private readonly delivery: ReplyDelivery,
  ) {}

  /**
   * @throws NotFoundException unless the conversation is the caller's and holds the message;
   * ConflictException (`code: not_retryable`) unless it is the caller's failed reply in a
   * conversation whose channel delivers replies (or another retry already took it); the channel's
   * refusal (e.g. 422 `window_closed`) when it would not accept the reply now.
   */
  async retry(
    userId: string,
    conversationId: string,
    messageId: string,
  ): Promise<MessageDto> {
    const conversation = await this.conversations.getForUser(
      userId,
      conversationId,
    );
    const message = await this.findIn(conversation, messageId);
    const channel = this.replyChannels.forKind(conversation.kind);
    if (channel.initialStatus !== 'pending')
      throw notRetryable(
        'Only replies to Instagram can be sent again: this conversation’s messages are delivered as they are stored',
      );
    if (message.senderUserId?.toHexString() !== userId)
      throw notRetryable('Only your own replies can be sent again');
    if (message.status !== 'failed' || message.deletedAt)
      throw notRetryable(
        `Only a failed message can be sent again; this one is ${message.deletedAt ? 'deleted' : message.status}`,
      );
    await channel.checkReply?.({
      conversation: toChannelConversation(conversation),
      senderUserId: userId,
      text: message.text,
    });
    // Failed → pending in one step, so two retries at once send it once. A failure "may have been
    // delivered" that Instagram's echo has since proved delivered carries Meta's id: not again.
    const claimed = await this.messages
      .findOneAndUpdate(
        {
          _id: message._id,
          status: 'failed',
          instagramMessageId: { $not: { $type: 'string' } },
        },
        {
          $set: {
            status: 'pending',
            error: null,
            deliveryError: null,
            // Back in the outbox, so exactly one instance claims and sends it (and any takes
            // over if this one dies before it does).
            delivery: ReplyOutbox.awaitingHandover(new Date()),
          },
        },
        { returnDocument: 'after' },
      )
      .lean<MessageRecord>()
      .exec();
    if (!claimed)
      throw notRetryable(
        'This message is already being sent again, or has been delivered',
      );
    const pending = toMessageDto(claimed);
    this.notifier.messageUpdated(conversation, pending);
    return this.delivery.deliver(channel, conversation, pending);
  }

  private async findIn(
    conversation: ConversationRecord,
    messageId: string,
  ): Promise<MessageRecord> {
    const id = parseObjectId(messageId);
    const message = id
      ? await findMessageRecord(this.messages, {
          _id: id,
          conversationId: conversation._id,
        })
      : null;
    if (!message) throw new NotFoundException('Message not found');
    return message;
  }
}

function notRetryable(message: string): ConflictException {
  return new ConflictException({ message, code: NOT_RETRYABLE_CODE });
}
