import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { RequestLogContext } from '../core/logging/request-log-context';
import { InstagramEventApplier } from './instagram-event-applier';
import { readWebhookItems, type WebhookItem } from './instagram-webhook-items';
import type {
  WebhookEventItem,
  WebhookEventRecord,
} from './schemas/webhook-event.schema';
import { WebhookEventNotifier } from './webhook-event.notifier';
import { WebhookClaims } from './webhook-claims.service';
import { itemIdentity, overallStatus } from './webhook-owner-view';
import { nextRetry } from './webhook-retry-schedule';

/** Error text kept per item: enough to diagnose, bounded in size. */
const MAX_ERROR_LENGTH = 500;

/** How a pass ended, for the processor that scheduled it. */
export interface PassOutcome {
  /** The owners' live announcement of the delivery as now stored, still on its way. */
  announced?: Promise<void>;
}

/**
 * One pass over a delivery the processor holds (WebhookProcessor decides when): each item that is
 * due is applied once through InstagramEventApplier; an item that fails is scheduled for a retry
 * (`retryDelaysMs`) or, once they are spent, ends `failed` with its error. The pass's outcome is
 * stored (WebhookClaims.saveProgress) and announced to the owners (WebhookEventNotifier).
 */
@Injectable()
export class WebhookDeliveryPass {
  // Its lines keep the processor's context, as before the pass was its own class: log queries
  // that follow a delivery by it still find them.
  private readonly logger = new Logger('WebhookProcessor');

  constructor(
    private readonly claims: WebhookClaims,
    private readonly applier: InstagramEventApplier,
    private readonly logContext: RequestLogContext,
    private readonly notifier: WebhookEventNotifier,
  ) {}

  /**
   * One pass over a claimed delivery, logged under the id of the request that brought it.
   * `read`: its items as intake read them, when this is that very record.
   */
  run(
    event: WebhookEventRecord,
    read: { value: readonly WebhookItem[] } | undefined,
    retryDelaysMs: readonly number[],
  ): Promise<PassOutcome> {
    return this.logContext.run(event.requestId, () => {
      this.logger.log(
        `Webhook delivery ${event._id.toHexString()} taken up (attempt ${event.attempts})`,
      );
      return this.runNow(event, read, retryDelaysMs);
    });
  }

  /** Every item of the delivery that is due is tried once. */
  private async runNow(
    event: WebhookEventRecord,
    fromIntake: { value: readonly WebhookItem[] } | undefined,
    retryDelaysMs: readonly number[],
  ): Promise<PassOutcome> {
    let read: readonly WebhookItem[];
    try {
      read =
        fromIntake?.value ??
        readWebhookItems(JSON.parse(event.rawBody), event.receivedAt);
    } catch {
      // Intake stores only JSON as pending; a body edited in the database since must still end.
      await this.claims.saveProgress(event._id, {
        items: [],
        status: 'failed',
        nextAttemptAt: null,
        lastError: 'The body is not valid JSON',
      });
      return {};
    }
    const items: WebhookEventItem[] = event.itemsRead
      ? event.items
      : read.map((item) => ({
          ...itemIdentity(item),
          status: 'pending',
          attempts: 0,
        }));
    const now = new Date();
    for (const [position, stored] of items.entries()) {
      if (stored.status !== 'pending') continue;
      if (stored.nextAttemptAt && stored.nextAttemptAt > now) continue;
      const item = read[stored.index];
      items[position] = item
        ? await this.tryItem(item, stored, event._id, retryDelaysMs)
        : {
            ...stored,
            status: 'failed',
            lastError: 'The item is no longer in the body',
          };
    }
    const pendingTimes = items
      .filter((item) => item.status === 'pending')
      .map((item) => item.nextAttemptAt?.getTime() ?? now.getTime());
    const progress = {
      items,
      status: overallStatus(items),
      nextAttemptAt:
        pendingTimes.length > 0 ? new Date(Math.min(...pendingTimes)) : null,
      lastError: items.length === 0 ? 'The delivery holds no events' : null,
    };
    await this.claims.saveProgress(event._id, progress);
    // As now stored: read (an owner's view of a delivery not read yet shows no items).
    return {
      announced: this.notifier.deliveryWorkedOn({
        ...event,
        ...progress,
        itemsRead: true,
      }),
    };
  }

  private async tryItem(
    item: WebhookItem,
    stored: WebhookEventItem,
    eventId: Types.ObjectId,
    retryDelaysMs: readonly number[],
  ): Promise<WebhookEventItem> {
    const attempts = stored.attempts + 1;
    try {
      const outcome = await this.applier.apply(item, eventId);
      return {
        ...stored,
        attempts,
        status: outcome.status,
        ...(outcome.ownerUserId && {
          ownerUserId: new Types.ObjectId(outcome.ownerUserId),
        }),
        ...(outcome.status === 'ignored' && { reason: outcome.reason }),
        lastError: undefined,
        nextAttemptAt: undefined,
      };
    } catch (error) {
      const message = (
        error instanceof Error ? error.message : String(error)
      ).slice(0, MAX_ERROR_LENGTH);
      const decision = nextRetry(attempts, new Date(), retryDelaysMs);
      this.logger.warn(
        `Webhook ${eventId.toHexString()} item ${item.index} (${item.kind}) failed, attempt ${attempts}${
          decision.retry ? '' : ', giving up'
        }: ${message}`,
      );
      return {
        ...stored,
        attempts,
        status: decision.retry ? 'pending' : 'failed',
        lastError: message,
        nextAttemptAt: decision.retry ? decision.nextAttemptAt : undefined,
      };
    }
  }
}
