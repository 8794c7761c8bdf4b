import {
  WEBHOOK_EVENT_PAGE_DEFAULT_LIMIT,
  type WebhookEventPageDto,
  type WebhookEventQueryDto,
} from '@instantchat/contracts';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { parseObjectId } from '../database/object-ids';
import {
  WebhookEvent,
  type WebhookEventRecord,
} from './schemas/webhook-event.schema';
import {
  isOwnItem,
  ownItemFilter,
  toWebhookEventDto,
  unreadFilter,
} from './webhook-owner-view';

/**
 * The inbox as owners see it (`GET /api/instagram/events`, retry): each owner lists and retries
 * only the items of their own accounts (webhook-owner-view.ts says which are theirs).
 */
@Injectable()
export class WebhookOwnerEvents {
  constructor(
    @InjectModel(WebhookEvent.name)
    private readonly events: Model<WebhookEvent>,
  ) {}

  /**
   * The caller's deliveries, newest first, each showing only the caller's items: those with an
   * item of theirs, and (unless the query asks for another status) those not read yet that name
   * an account of theirs, which are pending with no items: the backlog an owner wants to see.
   */
  async listForOwner(
    userId: string,
    ownAccountIds: readonly string[],
    query: WebhookEventQueryDto,
  ): Promise<WebhookEventPageDto> {
    const limit = query.limit ?? WEBHOOK_EVENT_PAGE_DEFAULT_LIMIT;
    const mine = ownItemFilter(userId, ownAccountIds, query);
    const unread = unreadFilter(ownAccountIds, query);
    const before = query.before ? parseObjectId(query.before) : undefined;
    const events = await this.events
      .find({
        // One sort over both kinds, so the `before` cursor pages across them.
        $or: [{ items: { $elemMatch: mine } }, ...(unread ? [unread] : [])],
        ...(before && { _id: { $lt: before } }),
      })
      .sort({ _id: -1 })
      .limit(limit + 1)
      .lean<WebhookEventRecord[]>()
      .exec();
    const page = events.slice(0, limit);
    return {
      items: page.map((event) =>
        toWebhookEventDto(event, (item) =>
          isOwnItem(item, userId, ownAccountIds, query.accountId),
        ),
      ),
      nextCursor:
        events.length > limit ? page[page.length - 1]._id.toHexString() : null,
    };
  }

  /**
   * Sends the caller's failed and ignored items of a delivery back to the processor, due now.
   * A delivery not read yet has no items, so nothing to retry: not found, like another's.
   * @throws NotFoundException unless the delivery holds an item of the caller's.
   */
  async retryForOwner(
    userId: string,
    ownAccountIds: readonly string[],
    eventId: string,
    now: Date,
  ): Promise<WebhookEventRecord> {
    const id = parseObjectId(eventId);
    const event = id
      ? await this.events
          .findOne({
            _id: id,
            items: { $elemMatch: ownItemFilter(userId, ownAccountIds, {}) },
          })
          .lean<WebhookEventRecord>()
          .exec()
      : null;
    if (!event) throw new NotFoundException('Webhook event not found');
    const items = event.items.map((item) =>
      isOwnItem(item, userId, ownAccountIds) && item.status !== 'processed'
        ? {
            ...item,
            status: 'pending' as const,
            attempts: 0,
            nextAttemptAt: now,
            reason: undefined,
            lastError: undefined,
          }
        : item,
    );
    const status = items.some((i) => i.status === 'pending')
      ? 'pending'
      : event.status;
    const retried = await this.events
      .findOneAndUpdate(
        { _id: event._id },
        {
          $set: {
            items,
            status,
            nextAttemptAt: now,
            ...(status === 'pending' && { finishedAt: null }),
          },
        },
        { returnDocument: 'after' },
      )
      .lean<WebhookEventRecord>()
      .exec();
    if (!retried) throw new NotFoundException('Webhook event not found');
    return retried;
  }
}
