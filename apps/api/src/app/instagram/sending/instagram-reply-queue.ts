import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ChannelInbox } from '../../chat/channels/channel-inbox.service';
import type {
  DeliveryOutcome,
  OutgoingReply,
} from '../../chat/channels/channel.types';
import { statusChangeOf } from '../../chat/channels/delivery-outcome';
import {
  type ClaimedReply,
  ReplyOutbox,
} from '../../chat/channels/reply-outbox.service';
import { AppConfigService } from '../../config/app-config.service';
import { describeFailure } from '../describe-failure';
import {
  detailsOf,
  failed,
  InstagramSendService,
  MAY_HAVE_BEEN_DELIVERED,
  RATE_LIMITED,
} from './instagram-send.service';

/** How rate-limited sends are tried again; delays follow Meta's estimate, capped. */
export interface SendRetryPolicy {
  /** Tries in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_SEND_RETRY: SendRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
};

/**
 * A reply still `pending` this long after it was stored, and neither due nor held by anyone, has
 * no try left in any process (the retries of a throttled send end well before).
 */
export const ORPHANED_REPLY_AGE_MS = 30 * 60_000;
/** How often each instance looks for due replies and for claims their dead holders left. */
export const REPLY_SWEEP_INTERVAL_MS = 5_000;
/** Replies one sweep takes up at most. */
const SWEEP_BATCH = 100;

/**
 * A claim outlives the longest try it covers: the Send API's own attempts (three, each up to
 * META_REQUEST_TIMEOUT_MS, with backoff) and the wait for the account's send bucket.
 */
export function sendLeaseMs(requestTimeoutMs: number): number {
  return 4 * requestTimeoutMs + 30_000;
}

/**
 * Drives Instagram replies through Chat's ReplyOutbox, so any number of API instances share the
 * work without sending a reply twice: a reply is claimed (a lease in the database) right before
 * each try; a throttled one is released with a due time, tried again by this instance's timer or
 * whichever instance's sweep comes first, and failed as not delivered once its tries are spent.
 * Every instance's sweep also settles the claims of instances that died mid-try: once the lease
 * has run out, the reply is failed "may have been delivered" (Meta may have it; the echo turns it
 * `sent` if so) and never sent again.
 */
@Injectable()
export class InstagramReplyQueue
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(InstagramReplyQueue.name);
  /** This instance, as its claims name it. */
  readonly holder = `${hostname()}#${process.pid}#${randomBytes(4).toString('hex')}`;
  /** Replaceable so tests need not wait Meta's minutes. */
  retryPolicy: SendRetryPolicy = DEFAULT_SEND_RETRY;
  /** How long a claim lasts; replaceable so tests need not wait for a dead holder's. */
  leaseMs: number;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private stopped = false;

  constructor(
    private readonly sender: InstagramSendService,
    private readonly outbox: ReplyOutbox,
    private readonly inbox: ChannelInbox,
    config: AppConfigService,
  ) {
    this.leaseMs = sendLeaseMs(config.meta.requestTimeoutMs);
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    const sweep = () =>
      this.sweep().catch((error: unknown) =>
        this.logger.error(
          `Sweeping the reply outbox failed: ${describeFailure(error)}`,
        ),
      );
    void sweep();
    this.sweepTimer = setInterval(sweep, REPLY_SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  /** Stops taking up work; what this instance holds is settled by the others once its lease ends. */
  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  /**
   * The first try of a reply Chat just stored. Resolves with the outcome, or with nothing when the
   * reply stays `pending` (throttled, or another instance holds it): later tries report through
   * ChannelInbox.
   */
  async deliver(reply: OutgoingReply): Promise<DeliveryOutcome | void> {
    const claimed = await this.outbox.claim(
      reply.message.id,
      this.holder,
      this.leaseMs,
      new Date(),
    );
    if (!claimed) return;
    return this.tryClaimed({ ...claimed, reply });
  }

  /**
   * One round of the shared work: claims whose holders died are settled, due replies are tried.
   * Every instance runs it every REPLY_SWEEP_INTERVAL_MS; one round at a time per instance.
   */
  async sweep(now = new Date()): Promise<void> {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      await this.settleAbandoned(now);
      for (let taken = 0; taken < SWEEP_BATCH && !this.stopped; taken += 1) {
        const claimed = await this.outbox.claimDue(
          this.holder,
          this.leaseMs,
          now,
        );
        if (!claimed) break;
        await this.retry(claimed);
      }
      await this.failOrphanedReplies(now);
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Replies left `pending` that nothing will take up (stored before the outbox, or a takeover that
   * stopped half-way) would wait forever: they are failed "may have been delivered", not sent.
   * @returns how many were marked.
   */
  async failOrphanedReplies(now = new Date()): Promise<number> {
    const orphaned = await this.outbox.strandedBefore(
      new Date(now.getTime() - ORPHANED_REPLY_AGE_MS),
    );
    for (const messageId of orphaned)
      await this.record(messageId, mayHaveBeenDelivered());
    return orphaned.length;
  }

  private async settleAbandoned(now: Date): Promise<void> {
    for (let taken = 0; taken < SWEEP_BATCH; taken += 1) {
      const messageId = await this.outbox.abandonExpired(now);
      if (!messageId) return;
      this.logger.warn(
        `Reply ${messageId}: its sender stopped mid-try; marked "may have been delivered"`,
      );
      await this.record(messageId, mayHaveBeenDelivered());
    }
  }

  /** One try of a held reply; a throttled one is released for later, or failed when spent. */
  private async tryClaimed({
    reply,
    attempts,
  }: ClaimedReply): Promise<DeliveryOutcome | void> {
    const attempt = await this.sender.tryOnce(reply);
    if ('done' in attempt) return attempt.done;
    const cause = attempt.rateLimited;
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.retryPolicy;
    if (attempts >= maxAttempts)
      return failed(RATE_LIMITED, detailsOf(cause, false));
    const backoff = baseDelayMs * 2 ** (attempts - 1);
    const delay = Math.min(maxDelayMs, Math.max(cause.retryAfterMs, backoff));
    const released = await this.outbox.release(
      reply.message.id,
      this.holder,
      new Date(Date.now() + delay),
    );
    if (released) this.retryAt(reply.message.id, delay);
  }

  /** Tries a released reply again at its due time here, unless another instance got it first. */
  private retryAt(messageId: string, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      void this.outbox
        .claim(messageId, this.holder, this.leaseMs, new Date())
        .then((claimed) => claimed && this.retry(claimed))
        .catch((error: unknown) =>
          this.logger.error(
            `Retry of reply ${messageId} failed: ${describeFailure(error)}`,
          ),
        );
    }, delayMs);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private async retry(claimed: ClaimedReply): Promise<void> {
    let outcome: DeliveryOutcome | void;
    try {
      outcome = await this.tryClaimed(claimed);
    } catch (error) {
      this.logger.error(
        `Retry of reply ${claimed.reply.message.id} failed: ${describeFailure(error)}`,
      );
      outcome = mayHaveBeenDelivered();
    }
    if (outcome) await this.record(claimed.reply.message.id, outcome);
  }

  private async record(
    messageId: string,
    outcome: DeliveryOutcome,
  ): Promise<void> {
    try {
      await this.inbox.updateMessage({ messageId }, statusChangeOf(outcome));
    } catch (error) {
      this.logger.error(
        `Recording the outcome of reply ${messageId} failed: ${describeFailure(error)}`,
      );
    }
  }
}

function mayHaveBeenDelivered(): DeliveryOutcome {
  return failed(MAY_HAVE_BEEN_DELIVERED, { mayHaveBeenDelivered: true });
}
