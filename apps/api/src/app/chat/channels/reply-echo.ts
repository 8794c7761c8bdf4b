import type { MessageDto, MessageStatus } from '@instantchat/contracts';
import type { Model, Types } from 'mongoose';
import type { ChatNotifier } from '../chat-notifier.service';
import { toMessageDto } from '../chat.mapper';
import type { MessageRecord } from '../chat.records';
import type { ConversationsService } from '../conversations.service';
import type { Message } from '../schemas/message.schema';
import type { InboundMessage } from './channel.types';
import { findMessageRecord, updateMessageRecord } from './message-records';
import { STATUS_ORDER } from './message-status-order';

/** A status change to our reply as MessageChanges applies it: its guarded filter and its `$set`. */
export interface ReplyStatusUpdate {
  /** Finds our reply only while the change is a step forward. */
  filter: Record<string, unknown>;
  set: { status: MessageStatus } & Record<string, unknown>;
}

/**
 * A reply sent from InstantChat comes back twice: as the channel's answer naming its external id,
 * and as an echo webhook carrying the same id. Whichever arrives first, the two end as one message,
 * our reply: an echo that finds the reply still without that id claims it (`claimOwnReply`), and
 * an echo that was stored as a message of its own is merged into the reply when the answer comes
 * (`mergeEchoIntoReply`).
 */
export class ReplyEchoes {
  constructor(
    private readonly messages: Model<Message>,
    private readonly conversations: ConversationsService,
    private readonly notifier: ChatNotifier,
  ) {}

  /**
   * The echo of a reply sent from InstantChat may arrive before the channel's answer that names
   * it (or after that answer timed out): it then becomes that reply, not a second message. The
   * reply claimed is ours, still without an external id, not known to have failed for sure, with
   * the same text, recent; the oldest such first, so two identical replies each get one echo.
   * One atomic update, so the channel's answer and the echo cannot both claim it.
   * @returns the claimed reply, announced as `message:updated`; null when the echo is not ours.
   */
  async claimOwnReply(
    conversationId: Types.ObjectId,
    echo: InboundMessage,
  ): Promise<MessageDto | null> {
    // Replies from InstantChat carry text only; an echo with media was sent elsewhere.
    if ((echo.attachments ?? []).length > 0 || echo.systemEvent) return null;
    const claimed = await this.messages
      .findOneAndUpdate(
        {
          conversationId,
          senderUserId: { $ne: null },
          instagramMessageId: { $not: { $type: 'string' } },
          text: echo.text,
          'attachments.0': { $exists: false },
          createdAt: { $gte: new Date(Date.now() - ECHO_CLAIM_WINDOW_MS) },
          $or: [
            { status: 'pending' },
            { status: 'failed', 'deliveryError.mayHaveBeenDelivered': true },
          ],
        },
        {
          $set: {
            instagramMessageId: echo.externalMessageId,
            status: 'sent',
            error: null,
            deliveryError: null,
          },
        },
        { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' },
      )
      .lean<MessageRecord>()
      .exec();
    if (!claimed) return null;
    const dto = toMessageDto(claimed);
    const conversation = await this.conversations.getById(conversationId);
    this.notifier.messageUpdated(conversation, dto);
    return dto;
  }

  /**
   * The channel's answer named an external id that already sits on another row of the
   * conversation: that row is the echo of our reply, stored before the answer came. The echo is
   * removed (announced as `message:removed`) and the status change applied to our reply, carrying
   * over what the contact did to the echo; where the echo was the conversation's preview, our reply
   * takes its place.
   * @param replyFilter finds our reply whatever its status.
   * @returns our reply as merged, or null when there is nothing to merge.
   */
  async mergeEchoIntoReply(
    replyFilter: Record<string, unknown>,
    statusUpdate: ReplyStatusUpdate,
    externalMessageId: string,
  ): Promise<MessageRecord | null> {
    const ours = await findMessageRecord(this.messages, replyFilter);
    if (!ours) return null;
    const echo = await findMessageRecord(this.messages, {
      conversationId: ours.conversationId,
      instagramMessageId: externalMessageId,
      _id: { $ne: ours._id },
      senderUserId: null,
      isToInstagram: true,
    });
    // Another reply of ours with the same text took this echo first (echoes came in another order
    // than the answers): this one stays as it is until the other reply's echo claims it.
    if (!echo) return null;
    const removed = await this.messages.deleteOne({ _id: echo._id }).exec();
    if (removed.deletedCount > 0) {
      // The owner's open thread still shows the echo as a message of its own: drop it there.
      const conversation = await this.conversations.getById(
        echo.conversationId,
      );
      this.notifier.messageRemoved(conversation, echo._id.toHexString());
    }
    // What the contact did to the echo (read it, reacted) happened to our reply.
    const furthest =
      STATUS_ORDER.indexOf(echo.status) >
      STATUS_ORDER.indexOf(statusUpdate.set.status)
        ? echo.status
        : statusUpdate.set.status;
    const merged = await updateMessageRecord(
      this.messages,
      statusUpdate.filter,
      {
        $set: {
          ...statusUpdate.set,
          status: furthest,
          ...(echo.reactions.length > 0 && { reactions: echo.reactions }),
        },
      },
    );
    if (merged) {
      const conversation =
        await this.conversations.changedMessages.replacePreviewMessage(
          merged.conversationId,
          echo._id,
          merged,
        );
      if (conversation) await this.notifier.conversationChanged(conversation);
    }
    return merged;
  }
}

/**
 * How long after storing a reply its echo may still claim it: Meta echoes within seconds, and a
 * send times out well within this; an older reply with the same text is another message.
 */
const ECHO_CLAIM_WINDOW_MS = 5 * 60_000;
