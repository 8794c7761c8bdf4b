import { Injectable } from '@nestjs/common';

/**
 * Meta allows 300 Send API calls per second per Instagram professional account for text (10 for
 * audio and video). A bucket of 100 refilled at 200 per second never lets more than 300 through
 * in any one second, so a burst of replies is slowed here rather than refused by Meta.
 */
export const SEND_RATE_PER_SECOND = 200;
export const SEND_BURST = 100;

/** A token bucket: `reserve` takes a token now or says how long to wait for the next one. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.refilledAt = now();
  }

  /** Takes a token (possibly one not yet refilled) and returns the ms to wait before using it. */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((now - this.refilledAt) * this.ratePerSecond) / 1000,
    );
    this.refilledAt = now;
    this.tokens -= 1;
    return this.tokens >= 0
      ? 0
      : Math.ceil((-this.tokens * 1000) / this.ratePerSecond);
  }
}

/** One bucket per business account: each account's sends wait their turn, not others'. */
@Injectable()
export class SendRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  async acquire(instagramAccountId: string): Promise<void> {
    let bucket = this.buckets.get(instagramAccountId);
    if (!bucket) {
      bucket = new TokenBucket(SEND_RATE_PER_SECOND, SEND_BURST);
      this.buckets.set(instagramAccountId, bucket);
    }
    const waitMs = bucket.reserve();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
