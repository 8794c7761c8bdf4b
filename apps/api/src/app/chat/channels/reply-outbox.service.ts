import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { parseObjectId } from '../../database/object-ids';
import { toChannelConversation, toMessageDto } from '../chat.mapper';
import type { MessageRecord } from '../chat.records';
import { ConversationsService } from '../conversations.service';
import { Message, type ReplyDelivery } from '../schemas/message.schema';
import type { OutgoingReply } from './channel.types';

/**
 * How long a freshly stored reply waits for the instance that stored it to take it up, before any
 * instance's sweep may: that instance claims it within milliseconds unless it died in between.
 */
export const HANDOVER_GRACE_MS = 10_000;

/** A reply this instance now holds: hand it over once, then report or release it. */
export interface ClaimedReply {
  reply: OutgoingReply;
  /** Tries started so far, this one included. */
  attempts: number;
}

const PENDING_REPLY = {
  status: 'pending' as const,
  senderUserId: { $ne: null },
};
const UNCLAIMED = { 'delivery.leaseUntil': null };

/**
 * The outbox of replies that a channel hands over after storing them (Instagram): each pending
 * reply is claimed in the database, under a lease, by one API instance at a time, right before
 * the channel is called, so several instances never hand the same reply over twice. A claim whose
 * lease ran out belonged to an instance that died mid-try; whether the try reached the recipient
 * is unknown, so the channel settles it (`abandonExpired`) rather than trying again. A reply that
 * was released with a due time (throttled), or never claimed (its instance died right after
 * storing it), is taken up by whichever instance comes first once it is due.
 */
@Injectable()
export class ReplyOutbox {
  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly conversations: ConversationsService,
  ) {}

  /** The delivery state a reply is stored with: due after the handover grace, unclaimed. */
  static awaitingHandover(now: Date): ReplyDelivery {
    return {
      attempts: 0,
      dueAt: new Date(now.getTime() + HANDOVER_GRACE_MS),
      holder: null,
      leaseUntil: null,
    };
  }

  /** Claims one reply by id, whether or not it is due yet; null when it is held or settled. */
  claim(
    messageId: string,
    holder: string,
    leaseMs: number,
    now: Date,
  ): Promise<ClaimedReply | null> {
    const id = parseObjectId(messageId);
    if (!id) return Promise.resolve(null);
    return this.claimOne(
      { _id: id, 'delivery.dueAt': { $ne: null } },
      holder,
      leaseMs,
      now,
    );
  }

  /** Claims the reply that has been due longest, if any. */
  claimDue(
    holder: string,
    leaseMs: number,
    now: Date,
  ): Promise<ClaimedReply | null> {
    return this.claimOne(
      { 'delivery.dueAt': { $lte: now } },
      holder,
      leaseMs,
      now,
    );
  }

  /**
   * Lets go of a held reply that is to be tried again at `dueAt` (by any instance).
   * @returns false when the claim was no longer this holder's (its lease ran out and another
   * instance settled the reply): then nothing is to be scheduled.
   */
  async release(
    messageId: string,
    holder: string,
    dueAt: Date,
  ): Promise<boolean> {
    const result = await this.messages
      .updateOne(
        {
          _id: new Types.ObjectId(messageId),
          status: 'pending',
          'delivery.holder': holder,
          'delivery.leaseUntil': { $ne: null },
        },
        {
          $set: {
            'delivery.dueAt': dueAt,
            'delivery.holder': null,
            'delivery.leaseUntil': null,
          },
        },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /**
   * Takes over one pending reply whose claim's lease ran out (its holder died mid-try), atomically,
   * so only one instance settles it; the caller records how it ends.
   * @returns its id, or null when there is none.
   */
  async abandonExpired(now: Date): Promise<string | null> {
    const taken = await this.messages
      .findOneAndUpdate(
        { ...PENDING_REPLY, 'delivery.leaseUntil': { $lte: now } },
        {
          $set: {
            'delivery.dueAt': null,
            'delivery.holder': null,
            'delivery.leaseUntil': null,
          },
        },
        { sort: { 'delivery.leaseUntil': 1 }, projection: { _id: 1 } },
      )
      .lean<{ _id: Types.ObjectId }>()
      .exec();
    return taken?._id.toHexString() ?? null;
  }

  /**
   * Replies still `pending` that were stored before `before` and that nothing will take up: neither
   * due nor held (stored before the outbox existed, or a takeover stopped half-way), oldest first.
   */
  async strandedBefore(before: Date, limit = 100): Promise<string[]> {
    const rows = await this.messages
      .find(
        {
          ...PENDING_REPLY,
          ...UNCLAIMED,
          'delivery.dueAt': null,
          createdAt: { $lt: before },
        },
        { _id: 1 },
      )
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<{ _id: Types.ObjectId }[]>()
      .exec();
    return rows.map((row) => row._id.toHexString());
  }

  private async claimOne(
    filter: Record<string, unknown>,
    holder: string,
    leaseMs: number,
    now: Date,
  ): Promise<ClaimedReply | null> {
    const message = await this.messages
      .findOneAndUpdate(
        { ...filter, ...PENDING_REPLY, ...UNCLAIMED },
        {
          $set: {
            'delivery.dueAt': null,
            'delivery.holder': holder,
            'delivery.leaseUntil': new Date(now.getTime() + leaseMs),
          },
          $inc: { 'delivery.attempts': 1 },
        },
        { sort: { 'delivery.dueAt': 1 }, returnDocument: 'after' },
      )
      .lean<MessageRecord>()
      .exec();
    if (!message) return null;
    const conversation = await this.conversations.getById(
      message.conversationId,
    );
    return {
      reply: {
        conversation: toChannelConversation(conversation),
        message: toMessageDto(message),
      },
      attempts: message.delivery?.attempts ?? 1,
    };
  }
}
