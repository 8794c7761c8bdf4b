import { type WebhookEventStatus } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { AppConfigService } from '../config/app-config.service';
import { CoalescedWrites, MATCHED } from '../database/coalesced-writes';
import {
  DUE_ORDER,
  dueDeliveries,
  WebhookEvent,
  type WebhookEventItem,
  type WebhookEventRecord,
} from './schemas/webhook-event.schema';
import { finishedAtFor } from './webhook-retention';
import { definedFields } from '../core/defined-fields';

/** What one claim of due deliveries took, and whether more may be due. */
export interface DueClaim {
  /** The deliveries this claim leased, due longest first. */
  events: WebhookEventRecord[];
  /**
   * The claim found as many due deliveries as it asked for, so more may be waiting: true even when
   * another processor leased some of them first (this claim then won fewer than it found).
   */
  mayBeMore: boolean;
}

/** What the processor reports for one pass over a delivery. */
export interface DeliveryProgress {
  items: WebhookEventItem[];
  status: WebhookEventStatus;
  nextAttemptAt: Date | null;
  lastError: string | null;
}

/**
 * The processor's side of the inbox: stored deliveries are claimed under a lease (one by id, or
 * those due longest first) and each pass over one is recorded, letting go of it. Intake's side,
 * storing deliveries, is WebhookInbox.
 */
@Injectable()
export class WebhookClaims {
  /** How long one processor holds a delivery (WEBHOOK_LEASE_MS); a crashed one's hold runs out. */
  private readonly leaseMs: number;
  /** Progress reports of the same event-loop turn share one bulk update. */
  private readonly progressWrites: CoalescedWrites;

  constructor(
    @InjectModel(WebhookEvent.name)
    private readonly events: Model<WebhookEvent>,
    config: AppConfigService,
  ) {
    this.leaseMs = config.webhooks.leaseMs;
    this.progressWrites = new CoalescedWrites(
      (writes) => events.collection.bulkWrite(writes, { ordered: false }),
      MATCHED,
    );
  }

  /** Takes up one delivery by id if it is pending and nobody holds it. */
  claim(eventId: string, now: Date): Promise<WebhookEventRecord | null> {
    return this.claimOne({ _id: new Types.ObjectId(eventId) }, now);
  }

  /**
   * Takes up to `limit` due deliveries nobody holds, those due longest first, in three commands
   * whatever their number: pick them, lease them under one token, read back those the token won
   * (another processor may have taken some in between).
   */
  async claimDue(now: Date, limit: number): Promise<DueClaim> {
    const due = dueDeliveries(now);
    const picked = await this.events
      .find(due, { _id: 1 })
      .sort(DUE_ORDER)
      .limit(limit)
      .lean<{ _id: Types.ObjectId }[]>()
      .exec();
    if (picked.length === 0) return { events: [], mayBeMore: false };
    // A full pick may have left due deliveries behind, whatever share of it this claim won.
    const mayBeMore = picked.length === limit;
    const ids = picked.map((event) => event._id);
    const leaseId = new Types.ObjectId().toHexString();
    const leased = await this.events
      .updateMany(
        { ...due, _id: { $in: ids } },
        {
          $set: {
            leaseUntil: new Date(now.getTime() + this.leaseMs),
            leaseId,
          },
          $inc: { attempts: 1 },
        },
      )
      .exec();
    if (leased.modifiedCount === 0) return { events: [], mayBeMore };
    const won = new Map(
      (
        await this.events
          .find({ _id: { $in: ids }, leaseId })
          .lean<WebhookEventRecord[]>()
          .exec()
      ).map((event) => [event._id.toHexString(), event]),
    );
    // In the order they were picked.
    const events = ids.flatMap((id) => won.get(id.toHexString()) ?? []);
    return { events, mayBeMore };
  }

  /**
   * Records a pass over a claimed delivery and lets go of it. The passes that end in the same
   * event-loop turn are written together (one bulk update, through the driver: the update is
   * built here in the stored shape, so Mongoose's casting of every item is not needed).
   */
  saveProgress(
    eventId: Types.ObjectId,
    progress: DeliveryProgress,
  ): Promise<void> {
    return this.progressWrites.write({
      updateOne: {
        filter: { _id: eventId },
        update: {
          $set: {
            items: progress.items.map((item) => definedFields(item)),
            itemsRead: true,
            status: progress.status,
            nextAttemptAt: progress.nextAttemptAt,
            lastError: progress.lastError,
            leaseUntil: null,
            finishedAt: finishedAtFor(progress.status, new Date()),
          },
          // Read now: its items name its accounts, and the unread index no longer holds it.
          $unset: { accountIds: '' },
        },
      },
    });
  }

  private claimOne(
    filter: Record<string, unknown>,
    now: Date,
  ): Promise<WebhookEventRecord | null> {
    return this.events
      .findOneAndUpdate(
        {
          ...filter,
          status: 'pending',
          $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
        },
        {
          $set: { leaseUntil: new Date(now.getTime() + this.leaseMs) },
          $inc: { attempts: 1 },
        },
        { sort: { nextAttemptAt: 1, _id: 1 }, returnDocument: 'after' },
      )
      .lean<WebhookEventRecord>()
      .exec();
  }
}
