import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { WebhookItem } from './instagram-webhook-items';
import type { WebhookEventRecord } from './schemas/webhook-event.schema';
import { WebhookDeliveryPass } from './webhook-delivery-pass';
import { WebhookClaims } from './webhook-claims.service';
import { WebhookInbox } from './webhook-inbox.service';
import { WEBHOOK_RETRY_DELAYS_MS } from './webhook-retry-schedule';

/** How often the sweep looks for due deliveries (retries, and any a crash left behind). */
export const WEBHOOK_SWEEP_INTERVAL_MS = 5_000;
/** Deliveries one sweep claims per command. */
const SWEEP_BATCH = 64;
/** Deliveries worked on at once: their database writes share the journal's flushes. */
const MAX_ACTIVE = 32;
/**
 * Deliveries this process holds at most (worked on, or waiting for a turn). Intake leases a new
 * delivery to this process only while it has room; a flood beyond it is left to the sweep, which
 * runs again once half the room is free.
 */
const MAX_HELD = 512;
/** A held delivery whose lease runs out sooner than this is claimed again before its turn. */
const LEASE_MARGIN_MS = 1_000;

/** A delivery this process holds: leased to it, waiting for its turn or worked on. */
interface HeldDelivery {
  event: WebhookEventRecord;
  /** Its items as intake read them, for the event intake handed over (not one claimed since). */
  items?: { of: WebhookEventRecord; value: readonly WebhookItem[] };
  done: Promise<void>;
  finish: () => void;
}

/**
 * Works through the durable inbox. A delivery stored while this process has room is stored leased
 * to it and worked on at once (WebhookInbox hands it over once durable); the rest, retries that
 * are due and whatever a crash left behind are claimed by a periodic sweep, several per command.
 * Every item ends `processed`, `ignored` with a reason, or `failed` after its bounded retries;
 * nothing is dropped without a trace.
 */
@Injectable()
export class WebhookProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WebhookProcessor.name);
  private sweepTimer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private sweeping = false;
  /** Held deliveries by id, in the order they came. */
  private readonly held = new Map<string, HeldDelivery>();
  private readonly waiting: string[] = [];
  private active = 0;
  /** Deliveries handed over by intake start in a later turn, once their requests are answered. */
  private startScheduled = false;
  /**
   * Intake or a sweep left due deliveries to a later sweep for want of room (or a previous run left
   * them pending: true until the first sweep). While any are, intake leases nothing to this process:
   * newer deliveries queue behind them, and the sweep takes them all up oldest first.
   */
  private leftBehind = true;
  /** Counts each time deliveries were left behind, so a sweep can tell whether more came meanwhile. */
  private leftBehindMarks = 0;
  /** A sweep is due in the next turn (sweepSoon). */
  private sweepScheduled = false;
  /** A sweep was asked for while one ran: another follows it. */
  private sweepAgain = false;
  /** The retry schedule; tests shorten it. */
  retryDelaysMs: readonly number[] = WEBHOOK_RETRY_DELAYS_MS;
  /** Deliveries held at most (MAX_HELD); tests lower it to make a flood out of a few. */
  maxHeld = MAX_HELD;

  constructor(
    private readonly inbox: WebhookInbox,
    private readonly claims: WebhookClaims,
    private readonly pass: WebhookDeliveryPass,
  ) {}

  onModuleInit(): void {
    this.inbox.setIntakeTaker({
      room: () => (this.leftBehind ? 0 : this.room()),
      take: (event, items) =>
        void this.hold(event, { of: event, value: items }, true),
    });
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

  /**
   * Takes up a delivery intake just stored. One intake leased to this process is already held;
   * any other was stored while this process had no room, or had older deliveries left behind, so
   * it joins them: the sweep runs once half the room is free again and claims them oldest first,
   * SWEEP_BATCH per claim: not one command per delivery, nor three for the one or two a sliver of
   * room would take, which under a flood is what kept the backlog growing.
   */
  takeUpStored(eventId: string): void {
    if (this.stopping || this.held.has(eventId)) return;
    this.markLeftBehind();
    if (this.hasRoomToSweep()) this.sweepSoon();
  }

  /**
   * Takes up one delivery now, without waiting for the sweep (an owner's retry); the caller does
   * not wait. Claimed alone, room permitting; otherwise the sweep gets to it.
   */
  processSoon(eventId: string): void {
    if (this.stopping || this.held.has(eventId)) return;
    if (this.room() <= 0) {
      this.markLeftBehind();
      return;
    }
    this.track(
      (async () => {
        const event = await this.claims.claim(eventId, new Date());
        if (event) await this.hold(event);
      })(),
    );
  }

  /**
   * A sweep in a later turn: the requests of one turn share it, and one asked for while a sweep
   * runs follows that one (what it claimed may already have been picked).
   */
  private sweepSoon(): void {
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    this.track(
      new Promise<void>((resolve) =>
        setImmediate(() => {
          this.sweepScheduled = false;
          if (!this.stopping) this.track(this.sweep());
          resolve();
        }),
      ),
    );
  }

  /**
   * Takes up every due delivery, oldest due first, SWEEP_BATCH per claim, as far as this process
   * has room; one sweep at a time. Resolves when what it claimed has been worked on.
   */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    const passes: Promise<void>[] = [];
    try {
      while (!this.stopping) {
        const room = Math.min(SWEEP_BATCH, this.room());
        if (room <= 0) {
          this.markLeftBehind();
          break;
        }
        const marks = this.leftBehindMarks;
        const claim = await this.claims.claimDue(new Date(), room);
        passes.push(...claim.events.map((event) => this.hold(event)));
        // Not "fewer than asked": with other processors, one may have won part of a full batch.
        if (!claim.mayBeMore) {
          // Everything due when it looked is taken up: intake leases again. What was left behind
          // while this claim ran (stored within its few round trips) is taken by the sweep that
          // follows at once. Waiting for a claim that saw no new arrival instead kept intake from
          // leasing for as long as deliveries came faster than one per claim.
          this.leftBehind = false;
          if (this.leftBehindMarks !== marks) this.sweepAgain = true;
          break;
        }
      }
    } finally {
      this.sweeping = false;
      if (this.sweepAgain) {
        this.sweepAgain = false;
        this.sweepSoon();
      }
    }
    await Promise.all(passes);
  }

  private markLeftBehind(): void {
    this.leftBehind = true;
    this.leftBehindMarks += 1;
  }

  /** How many more deliveries this process takes now. */
  private room(): number {
    return this.stopping ? 0 : this.maxHeld - this.held.size;
  }

  /** Enough room for the sweep's claims to come in batches: half of what this process holds. */
  private hasRoomToSweep(): boolean {
    return this.room() > 0 && this.held.size <= this.maxHeld / 2;
  }

  /**
   * Works on a delivery leased to this process when its turn comes.
   * @returns when that pass has ended.
   */
  private hold(
    event: WebhookEventRecord,
    items?: HeldDelivery['items'],
    later = false,
  ): Promise<void> {
    const id = event._id.toHexString();
    const already = this.held.get(id);
    if (already) {
      // Claimed again while held (its lease ran out meanwhile): the newer lease stands.
      already.event = event;
      return already.done;
    }
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.held.set(id, { event, items, done, finish });
    this.waiting.push(id);
    if (later) this.startSoon();
    else this.startWaiting();
    return done;
  }

  /** Starts waiting deliveries in the next turn (the requests that stored them answered first). */
  private startSoon(): void {
    if (this.startScheduled) return;
    this.startScheduled = true;
    this.track(
      new Promise<void>((resolve) =>
        setImmediate(() => {
          this.startScheduled = false;
          this.startWaiting();
          resolve();
        }),
      ),
    );
  }

  private startWaiting(): void {
    while (this.active < MAX_ACTIVE && this.waiting.length > 0) {
      const id = this.waiting.shift() as string;
      this.active += 1;
      this.track(this.runHeld(id));
    }
  }

  private async runHeld(id: string): Promise<void> {
    const held = this.held.get(id) as HeldDelivery;
    try {
      let event: WebhookEventRecord | null = held.event;
      const leaseLeft = (event.leaseUntil?.getTime() ?? 0) - Date.now();
      // Waited too long for its turn: working on it now could overlap another processor's claim.
      if (leaseLeft < LEASE_MARGIN_MS) {
        event = this.stopping ? null : await this.claims.claim(id, new Date());
      }
      if (event) {
        const items = held.items?.of === event ? held.items : undefined;
        await this.process(event, items);
      }
    } finally {
      this.held.delete(id);
      this.active -= 1;
      held.finish();
      this.startWaiting();
      // Only the sweep clears it, once it has taken up every due delivery.
      if (this.leftBehind && this.hasRoomToSweep()) this.sweepSoon();
    }
  }

  /**
   * One pass over a claimed delivery (WebhookDeliveryPass); its announcement runs in the background.
   * `read`: its items as intake read them, when this is that very record.
   */
  async process(
    event: WebhookEventRecord,
    read?: { value: readonly WebhookItem[] },
  ): Promise<void> {
    const { announced } = await this.pass.run(event, read, this.retryDelaysMs);
    if (announced) this.track(announced);
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
