import {
  type InboxBacklogDto,
  type WebhookEventStatus,
} from '@instantchat/contracts';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { createHash } from 'node:crypto';
import { type Model, Types } from 'mongoose';
import { AppConfigService } from '../config/app-config.service';
import { INSERTED, rowErrorsOf } from '../database/coalesced-writes';
import { isDuplicateKeyError } from '../database/duplicate-key-error';
import {
  WebhookEvent,
  type WebhookEventRecord,
} from './schemas/webhook-event.schema';
import {
  readWebhookItems,
  webhookAccountIdsOf,
  webhookObjectOf,
  type WebhookItem,
} from './instagram-webhook-items';
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

/**
 * Deliveries stored together: the requests that arrive while one event-loop turn runs share one
 * insertMany (one command, one journal sync). A batch stays well inside a wire message.
 */
const INTAKE_BATCH_MAX_COUNT = 500;
const INTAKE_BATCH_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Who works on deliveries in this process (the processor): a delivery stored while it has room is
 * stored already leased to this process and handed over once durable, so nothing needs to claim it.
 */
export interface IntakeTaker {
  /** How many more deliveries it takes right now. */
  room(): number;
  /**
   * A delivery stored leased to this process (its lease and attempt already recorded), with its
   * items as intake read them (read-only), so its body is not parsed and read again.
   */
  take(event: WebhookEventRecord, items: readonly WebhookItem[]): void;
}

/** One request's delivery waiting for the next intake insert. */
interface IntakeWaiter {
  document: WebhookEventRecord & { apiVersion?: string; requestId?: string };
  /** Its items (pending deliveries only), for the processor. */
  items: readonly WebhookItem[];
  bytes: number;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * The durable inbox (`webhookevents`), intake's side: a delivery is stored in one insert, leased
 * to this process's processor when it has room; and how big the backlog is. The processor claims
 * the rest and records its passes through WebhookClaims; owners list and retry the items of their
 * own accounts through WebhookOwnerEvents.
 */
@Injectable()
export class WebhookInbox implements OnModuleInit {
  /** How long one processor holds a delivery (WEBHOOK_LEASE_MS); a crashed one's hold runs out. */
  private readonly leaseMs: number;
  private taker?: IntakeTaker;
  private intake: IntakeWaiter[] = [];

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

  /** This process's processor: deliveries it has room for are stored leased to it. */
  setIntakeTaker(taker: IntakeTaker): void {
    this.taker = taker;
  }

  /**
   * Stores a signed delivery as received: one row, inserted together with the deliveries of other
   * requests of the same event-loop turn (one insertMany), and answered once that row is durable.
   * @throws WebhookStoreUnavailableError when the database fails or does not answer in time.
   */
  async store(
    rawBody: Buffer,
    receivedAt: Date,
    apiVersion?: string,
    requestId?: string,
  ): Promise<StoreOutcome> {
    const text = rawBody.toString('utf8');
    const { status, lastError, payload } = triage(text);
    const items =
      status === 'pending' ? readWebhookItems(payload, receivedAt) : [];
    const document = {
      _id: new Types.ObjectId(),
      rawBody: text,
      digest: createHash('sha256').update(rawBody).digest('hex'),
      receivedAt,
      ...(apiVersion && { apiVersion }),
      ...(requestId && { requestId }),
      status,
      attempts: 0,
      lastError,
      nextAttemptAt: status === 'pending' ? receivedAt : null,
      leaseUntil: null,
      finishedAt: finishedAtFor(status, receivedAt),
      items: [],
      itemsRead: false,
      // Whose delivery it is until the processor reads its items (listForOwner).
      ...(status === 'pending' && {
        accountIds: webhookAccountIdsOf(payload, items),
      }),
    } as IntakeWaiter['document'];
    let timer: NodeJS.Timeout | undefined;
    try {
      const stored = await Promise.race([
        new Promise<boolean>((resolve, reject) => {
          this.intake.push({
            document,
            items,
            bytes: rawBody.length,
            resolve,
            reject,
          });
          if (this.intake.length === 1) setImmediate(() => this.insertIntake());
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('timed out')),
            WEBHOOK_STORE_TIMEOUT_MS,
          );
        }),
      ]);
      if (!stored) return { outcome: 'duplicate' };
      const eventId = document._id.toHexString();
      if (status === 'pending') return { outcome: 'accepted', eventId };
      return status === 'failed'
        ? { outcome: 'malformed', eventId }
        : { outcome: 'ignored', eventId };
    } catch (error) {
      throw new WebhookStoreUnavailableError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Inserts every delivery waiting for intake, in batches of bounded size. */
  private insertIntake(): void {
    const waiting = this.intake;
    this.intake = [];
    let batch: IntakeWaiter[] = [];
    let bytes = 0;
    for (const waiter of waiting) {
      if (
        batch.length > 0 &&
        (batch.length >= INTAKE_BATCH_MAX_COUNT ||
          bytes + waiter.bytes > INTAKE_BATCH_MAX_BYTES)
      ) {
        void this.insertBatch(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(waiter);
      bytes += waiter.bytes;
    }
    if (batch.length > 0) void this.insertBatch(batch);
  }

  /**
   * One insertMany (unordered: each row stands alone). A row refused as a duplicate (Meta sent
   * these bytes before) answers its request `false`; a row refused otherwise fails only its own
   * request; a failed command fails them all. The pending rows the processor has room for are
   * stored leased to it, and handed to it once durable, after their requests are answered (the
   * processor starts on them in a later turn: intake answers first).
   */
  private async insertBatch(batch: IntakeWaiter[]): Promise<void> {
    const now = Date.now();
    let room = this.taker?.room() ?? 0;
    const leased = new Set<IntakeWaiter>();
    for (const waiter of batch) {
      if (room <= 0) break;
      if (waiter.document.status !== 'pending') continue;
      waiter.document.leaseUntil = new Date(now + this.leaseMs);
      waiter.document.attempts = 1;
      leased.add(waiter);
      room -= 1;
    }
    const refused = new Map<number, unknown>();
    try {
      await this.events.collection.insertMany(
        batch.map((waiter) => waiter.document),
        { ordered: false },
      );
    } catch (error) {
      const rows = rowErrorsOf(error, batch.length, INSERTED);
      if (!rows) {
        for (const waiter of batch) waiter.reject(error);
        return;
      }
      for (const [index, rowError] of rows) refused.set(index, rowError);
    }
    batch.forEach((waiter, index) => {
      const refusal = refused.get(index);
      if (refusal === undefined) {
        if (leased.has(waiter)) {
          this.taker?.take(waiter.document, waiter.items);
        }
        waiter.resolve(true);
      } else if (isDuplicateKeyError(refusal)) waiter.resolve(false);
      else waiter.reject(refusal);
    });
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
}

/** What a delivery is before any item is read: JSON of a handled object, or not. */
function triage(text: string): {
  status: WebhookEventStatus;
  lastError: string | null;
  /** The parsed body of a pending delivery. */
  payload?: unknown;
} {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
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
  return { status: 'pending', lastError: null, payload };
}
