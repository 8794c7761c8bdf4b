import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Types } from 'mongoose';
import { RequestLogContext } from '../core/logging/request-log-context';
import { InstagramEventApplier } from './instagram-event-applier';
import { WebhookEventNotifier } from './webhook-event.notifier';
import { readWebhookItems, type WebhookItem } from './instagram-webhook-items';
import type {
  WebhookEventItem,
  WebhookEventRecord,
} from './schemas/webhook-event.schema';
import { overallStatus, WebhookInbox } from './webhook-inbox.service';
import { nextRetry, WEBHOOK_RETRY_DELAYS_MS } from './webhook-retry-schedule';

/** How often the sweep looks for due deliveries (retries, and any a crash left behind). */
export const WEBHOOK_SWEEP_INTERVAL_MS = 5_000;
/** Deliveries one sweep takes up at most, so one sweep cannot run for ever. */
const SWEEP_BATCH = 100;
/** Deliveries one sweep works on at once. */
const SWEEP_WORKERS = 4;
/**
 * Deliveries worked on at once right after intake. A flood beyond it waits for the sweep instead
 * of opening ever more concurrent database work.
 */
const MAX_IMMEDIATE = 8;
/** Error text kept per item: enough to diagnose, bounded in size. */
const MAX_ERROR_LENGTH = 500;

/**
 * Works through the durable inbox: each stored delivery is taken up at once after intake and,
 * should that not happen (a crash, a retry that is due), by a periodic sweep. Every item ends
 * `processed`, `ignored` with a reason, or `failed` after its bounded retries; nothing is dropped
 * without a trace.
 */
@Injectable()
export class WebhookProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WebhookProcessor.name);
  private sweepTimer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private sweeping = false;
  private immediate = 0;
  /** The retry schedule; tests shorten it. */
  retryDelaysMs: readonly number[] = WEBHOOK_RETRY_DELAYS_MS;

  constructor(
    private readonly inbox: WebhookInbox,
    private readonly applier: InstagramEventApplier,
    private readonly logContext: RequestLogContext,
    private readonly notifier: WebhookEventNotifier,
  ) {}

  onModuleInit(): void {
    this.sweepTimer = setInterval(
      () => this.track(this.sweep()),
      WEBHOOK_SWEEP_INTERVAL_MS,
    );
    this.sweepTimer.unref();
    // Whatever a previous run left pending is due now.
    this.track(this.sweep());
  }

  /** Finishes the work in hand before the database connection closes. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    while (this.inFlight.size > 0) {
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Takes up a just-stored delivery without waiting for the sweep; the caller does not wait. */
  processSoon(eventId: string): void {
    if (this.stopping || this.immediate >= MAX_IMMEDIATE) return;
    this.immediate += 1;
    this.track(
      (async () => {
        try {
          const event = await this.inbox.claim(eventId, new Date());
          if (event) await this.process(event);
        } finally {
          this.immediate -= 1;
        }
      })(),
    );
  }

  /**
   * Takes up every due delivery, oldest due first, SWEEP_WORKERS at a time (their database writes
   * share the journal's flushes); one sweep at a time. A full batch means a backlog (a flood, or
   * what a crash left): the next batch follows at once, not a period later.
   */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    let taken = 0;
    let drained = false;
    const worker = async () => {
      while (!drained && taken < SWEEP_BATCH && !this.stopping) {
        taken += 1;
        const event = await this.inbox.claimDue(new Date());
        if (!event) {
          drained = true;
          return;
        }
        await this.process(event);
      }
    };
    try {
      await Promise.all(Array.from({ length: SWEEP_WORKERS }, worker));
    } finally {
      this.sweeping = false;
    }
    if (!drained && !this.stopping) this.track(this.sweep());
  }

  /** One pass over a claimed delivery, logged under the id of the request that brought it. */
  process(event: WebhookEventRecord): Promise<void> {
    return this.logContext.run(event.requestId, () => {
      this.logger.log(
        `Webhook delivery ${event._id.toHexString()} taken up (attempt ${event.attempts})`,
      );
      return this.processNow(event);
    });
  }

  /** Every item of the delivery that is due is tried once. */
  private async processNow(event: WebhookEventRecord): Promise<void> {
    let payload: unknown;
    try {
      payload = JSON.parse(event.rawBody);
    } catch {
      // Intake stores only JSON as pending; a body edited in the database since must still end.
      await this.inbox.saveProgress(event._id, {
        items: [],
        status: 'failed',
        nextAttemptAt: null,
        lastError: 'The body is not valid JSON',
      });
      return;
    }
    const parsed = readWebhookItems(payload, event.receivedAt);
    const items: WebhookEventItem[] = event.itemsRead
      ? event.items
      : parsed.map((item) => ({
          index: item.index,
          kind: item.kind,
          ...(item.accountId && { accountId: item.accountId }),
          ...(item.contactId && { contactId: item.contactId }),
          ...(item.externalMessageId && {
            externalMessageId: item.externalMessageId,
          }),
          status: 'pending',
          attempts: 0,
        }));
    const now = new Date();
    for (const [position, stored] of items.entries()) {
      if (stored.status !== 'pending') continue;
      if (stored.nextAttemptAt && stored.nextAttemptAt > now) continue;
      const item = parsed[stored.index];
      items[position] = item
        ? await this.tryItem(item, stored, event._id)
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
    await this.inbox.saveProgress(event._id, progress);
    this.track(this.notifier.deliveryWorkedOn({ ...event, ...progress }));
  }

  private async tryItem(
    item: WebhookItem,
    stored: WebhookEventItem,
    eventId: Types.ObjectId,
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
      const decision = nextRetry(attempts, new Date(), this.retryDelaysMs);
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

  /** Background work is awaited on shutdown and never crashes the process. */
  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) =>
        this.logger.error(
          `Webhook processing stopped: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
