import {
  type InboxBacklogDto,
  WEBHOOK_EVENT_PAGE_DEFAULT_LIMIT,
  type WebhookEventDto,
  type WebhookEventPageDto,
  type WebhookEventQueryDto,
  type WebhookEventStatus,
} from '@instantchat/contracts';
import {
  Injectable,
  NotFoundException,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { createHash } from 'node:crypto';
import { type Model, Types } from 'mongoose';
import { AppConfigService } from '../config/app-config.service';
import { isDuplicateKeyError } from '../database/duplicate-key-error';
import { parseObjectId } from '../database/object-ids';
import {
  WebhookEvent,
  type WebhookEventItem,
  type WebhookEventRecord,
} from './schemas/webhook-event.schema';
import { webhookObjectOf } from './instagram-webhook-items';
import { finishedAtFor } from './webhook-retention';

/** The webhook objects whose messaging events InstantChat handles (Instagram Login, Facebook Login). */
export const HANDLED_WEBHOOK_OBJECTS: readonly string[] = ['instagram', 'page'];

/**
 * How long storing a delivery may take before Meta is told 503 (it retries later). Well inside
 * Meta's own timeout; a store that completes after it is harmless: the retry is a duplicate.
 */
export const WEBHOOK_STORE_TIMEOUT_MS = 4_000;

export type StoreOutcome =
  /** Stored and waiting for the processor. */
  | { outcome: 'accepted'; eventId: string }
  /** Meta sent these exact bytes before: already stored. */
  | { outcome: 'duplicate' }
  /** Stored as failed: the body is not JSON. */
  | { outcome: 'malformed'; eventId: string }
  /** Stored as ignored: an `object` InstantChat does not handle. */
  | { outcome: 'ignored'; eventId: string };

/** The database did not take the delivery: Meta must be told to retry. */
export class WebhookStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      `The webhook inbox could not store the delivery: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
    );
    this.name = WebhookStoreUnavailableError.name;
  }
}

/** What the processor reports for one pass over a delivery. */
export interface DeliveryProgress {
  items: WebhookEventItem[];
  status: WebhookEventStatus;
  nextAttemptAt: Date | null;
  lastError: string | null;
}

/**
 * The durable inbox (`webhookevents`): the only reader and writer of stored deliveries. Intake
 * stores a delivery in one insert; the processor claims due deliveries under a lease and reports
 * progress; owners list and retry the items of their own accounts.
 */
@Injectable()
export class WebhookInbox implements OnModuleInit {
  /** How long one processor holds a delivery (WEBHOOK_LEASE_MS); a crashed one's hold runs out. */
  private readonly leaseMs: number;

  constructor(
    @InjectModel(WebhookEvent.name)
    private readonly events: Model<WebhookEvent>,
    config: AppConfigService,
  ) {
    this.leaseMs = config.webhooks.leaseMs;
  }

  /** The unique digest must exist before the first delivery, or a redelivery could be stored twice. */
  async onModuleInit(): Promise<void> {
    await this.events.init();
  }

  /**
   * Stores a signed delivery as received: one insert, nothing else.
   * @throws WebhookStoreUnavailableError when the database fails or does not answer in time.
   */
  async store(
    rawBody: Buffer,
    receivedAt: Date,
    apiVersion?: string,
    requestId?: string,
  ): Promise<StoreOutcome> {
    const { status, lastError } = triage(rawBody);
    const document = {
      rawBody: rawBody.toString('utf8'),
      digest: createHash('sha256').update(rawBody).digest('hex'),
      receivedAt,
      ...(apiVersion && { apiVersion }),
      ...(requestId && { requestId }),
      status,
      lastError,
      nextAttemptAt: status === 'pending' ? receivedAt : null,
      finishedAt: finishedAtFor(status, receivedAt),
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const created = await Promise.race([
        this.events.create(document),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('timed out')),
            WEBHOOK_STORE_TIMEOUT_MS,
          );
        }),
      ]);
      const eventId = created._id.toHexString();
      if (status === 'pending') return { outcome: 'accepted', eventId };
      return status === 'failed'
        ? { outcome: 'malformed', eventId }
        : { outcome: 'ignored', eventId };
    } catch (error) {
      if (isDuplicateKeyError(error)) return { outcome: 'duplicate' };
      throw new WebhookStoreUnavailableError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Takes up one delivery by id if it is pending and nobody holds it. */
  claim(eventId: string, now: Date): Promise<WebhookEventRecord | null> {
    return this.claimOne({ _id: new Types.ObjectId(eventId) }, now);
  }

  /** Takes up the delivery that has been due longest, if any. */
  claimDue(now: Date): Promise<WebhookEventRecord | null> {
    return this.claimOne({ nextAttemptAt: { $lte: now } }, now);
  }

  /** Records a pass over a claimed delivery and lets go of it. */
  async saveProgress(
    eventId: Types.ObjectId,
    progress: DeliveryProgress,
  ): Promise<void> {
    await this.events
      .updateOne(
        { _id: eventId },
        {
          $set: {
            items: progress.items,
            itemsRead: true,
            status: progress.status,
            nextAttemptAt: progress.nextAttemptAt,
            lastError: progress.lastError,
            leaseUntil: null,
            finishedAt: finishedAtFor(progress.status, new Date()),
          },
        },
      )
      .exec();
  }

  /** How many deliveries are pending, and how long the oldest has waited. */
  async backlog(now: Date): Promise<InboxBacklogDto> {
    const [pending, oldest] = await Promise.all([
      this.events.countDocuments({ status: 'pending' }).exec(),
      this.events
        .findOne({ status: 'pending' }, { receivedAt: 1 })
        .sort({ receivedAt: 1 })
        .lean<Pick<WebhookEventRecord, 'receivedAt'>>()
        .exec(),
    ]);
    return {
      pending,
      oldestPendingAgeSeconds: oldest
        ? Math.max(0, (now.getTime() - oldest.receivedAt.getTime()) / 1000)
        : null,
    };
  }

  /** The caller's deliveries, newest first, each showing only the caller's items. */
  async listForOwner(
    userId: string,
    ownAccountIds: readonly string[],
    query: WebhookEventQueryDto,
  ): Promise<WebhookEventPageDto> {
    const limit = query.limit ?? WEBHOOK_EVENT_PAGE_DEFAULT_LIMIT;
    const mine = ownItemFilter(userId, ownAccountIds, query);
    const before = query.before ? parseObjectId(query.before) : undefined;
    const events = await this.events
      .find({
        items: { $elemMatch: mine },
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

  toDtoForOwner(
    event: WebhookEventRecord,
    userId: string,
    ownAccountIds: readonly string[],
  ): WebhookEventDto {
    return toWebhookEventDto(event, (item) =>
      isOwnItem(item, userId, ownAccountIds),
    );
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

/** What a delivery is before any item is read: JSON of a handled object, or not. */
function triage(rawBody: Buffer): {
  status: WebhookEventStatus;
  lastError: string | null;
} {
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { status: 'failed', lastError: 'The body is not valid JSON' };
  }
  const object = webhookObjectOf(payload);
  if (!object || !HANDLED_WEBHOOK_OBJECTS.includes(object)) {
    return {
      status: 'ignored',
      lastError: `Webhook object ${object ? `"${object.slice(0, 40)}"` : '(none)'} is not handled`,
    };
  }
  return { status: 'pending', lastError: null };
}

/**
 * An item is the caller's when it was routed to them, or (not routed to anyone: it arrived before
 * they connected, or for an account nobody held then) it names an account they hold now.
 */
function ownItemFilter(
  userId: string,
  ownAccountIds: readonly string[],
  query: Pick<WebhookEventQueryDto, 'status' | 'accountId'>,
): Record<string, unknown> {
  const accountIds =
    query.accountId === undefined
      ? [...ownAccountIds]
      : ownAccountIds.filter((id) => id === query.accountId);
  return {
    $or: [
      { ownerUserId: new Types.ObjectId(userId) },
      { ownerUserId: { $exists: false }, accountId: { $in: accountIds } },
    ],
    ...(query.accountId !== undefined && { accountId: query.accountId }),
    ...(query.status !== undefined && { status: query.status }),
  };
}

function isOwnItem(
  item: WebhookEventItem,
  userId: string,
  ownAccountIds: readonly string[],
  accountId?: string,
): boolean {
  if (accountId !== undefined && item.accountId !== accountId) return false;
  if (item.ownerUserId) return item.ownerUserId.toHexString() === userId;
  return item.accountId !== undefined && ownAccountIds.includes(item.accountId);
}

/** The state of a set of items: pending while any is, then failed, processed, ignored. */
export function overallStatus(
  items: readonly Pick<WebhookEventItem, 'status'>[],
): WebhookEventStatus {
  for (const status of ['pending', 'failed', 'processed'] as const) {
    if (items.some((item) => item.status === status)) return status;
  }
  return 'ignored';
}

function toWebhookEventDto(
  event: WebhookEventRecord,
  shows: (item: WebhookEventItem) => boolean,
): WebhookEventDto {
  const items = event.items.filter(shows);
  return {
    id: event._id.toHexString(),
    receivedAt: event.receivedAt.toISOString(),
    status: overallStatus(items),
    attempts: event.attempts,
    ...(event.lastError && { lastError: event.lastError }),
    items: items.map((item) => ({
      index: item.index,
      kind: item.kind,
      ...(item.accountId && { accountId: item.accountId }),
      ...(item.contactId && { contactId: item.contactId }),
      ...(item.externalMessageId && {
        externalMessageId: item.externalMessageId,
      }),
      status: item.status,
      attempts: item.attempts,
      ...(item.reason && { reason: item.reason }),
      ...(item.lastError && { error: item.lastError }),
      ...(item.status === 'pending' &&
        item.nextAttemptAt && {
          nextAttemptAt: item.nextAttemptAt.toISOString(),
        }),
    })),
  };
}
