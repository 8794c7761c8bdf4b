import type { WebhookEventStatus } from '@instantchat/contracts';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AppConfigService } from '../config/app-config.service';
import { WebhookEvent } from './schemas/webhook-event.schema';

/** The TTL index on `finishedAt`, by name, so a changed retention can find and replace it. */
export const WEBHOOK_EVENT_TTL_INDEX = 'finishedAt_ttl';

const SECONDS_PER_DAY = 86_400;
/** MongoDB's error code for dropping an index that is not there. */
const INDEX_NOT_FOUND = 27;

/**
 * When a delivery's `finishedAt` is set: once it ended `processed` or `ignored`, nothing more will
 * happen to it, so it may expire. `failed` and `pending` ones have none and are kept: a failed
 * delivery is what a support engineer looks for ("my DM never arrived") and stays until a retry
 * ends it, from which moment its retention runs.
 */
export function finishedAtFor(
  status: WebhookEventStatus,
  now: Date,
): Date | null {
  return status === 'processed' || status === 'ignored' ? now : null;
}

/**
 * Keeps the webhook inbox from growing for ever: a TTL index removes deliveries
 * WEBHOOK_RETENTION_DAYS after they finished. The expiry is the configured one at every
 * boot; an index left with another expiry by an earlier configuration is replaced.
 */
@Injectable()
export class WebhookRetention implements OnModuleInit {
  private readonly logger = new Logger(WebhookRetention.name);

  constructor(
    @InjectModel(WebhookEvent.name)
    private readonly events: Model<WebhookEvent>,
    private readonly config: AppConfigService,
  ) {}

  async onModuleInit(): Promise<void> {
    const expireAfterSeconds =
      this.config.webhooks.eventRetentionDays * SECONDS_PER_DAY;
    const collection = this.events.collection;
    // listIndexes needs the collection; it may exist already (another instance, an earlier boot).
    await this.events.createCollection().catch(() => undefined);
    const existing = (await collection.listIndexes().toArray()).find(
      (index) => index.name === WEBHOOK_EVENT_TTL_INDEX,
    );
    if (existing?.['expireAfterSeconds'] === expireAfterSeconds) return;
    if (existing) {
      this.logger.log(
        `Webhook deliveries now expire ${this.config.webhooks.eventRetentionDays} days after they finish (was ${Number(existing['expireAfterSeconds']) / SECONDS_PER_DAY})`,
      );
      await collection
        .dropIndex(WEBHOOK_EVENT_TTL_INDEX)
        .catch((error: unknown) => {
          // Another instance booting with the same value dropped it first.
          if ((error as { code?: unknown }).code !== INDEX_NOT_FOUND)
            throw error;
        });
    }
    await collection.createIndex(
      { finishedAt: 1 },
      { name: WEBHOOK_EVENT_TTL_INDEX, expireAfterSeconds },
    );
  }
}
