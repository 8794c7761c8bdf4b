import {
  FixedWindowRateLimiter,
  type RateLimitDecision,
  type WindowCount,
} from './fixed-window-rate-limiter';

/**
 * Where rate limits count: in this process, or (with REDIS_URL) in Redis, so that several API
 * instances share one budget instead of each granting the full limit.
 */
export interface RateLimitStore {
  /** Counts one action of `key` in its fixed window of `windowMs` (the window starts at its first). */
  hit(key: string, windowMs: number): Promise<WindowCount>;
}

/** Nest's injection token of the app's RateLimitStore (provided by the rate-limit module). */
export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');

/** Counts in this process only: the store without Redis, and Redis's stand-in while it is away. */
export class InProcessRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<number, FixedWindowRateLimiter>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, windowMs: number): Promise<WindowCount> {
    return Promise.resolve(this.hitNow(key, windowMs));
  }

  hitNow(key: string, windowMs: number): WindowCount {
    let windows = this.windows.get(windowMs);
    if (!windows) {
      windows = new FixedWindowRateLimiter(Infinity, windowMs, this.now);
      this.windows.set(windowMs, windows);
    }
    return windows.hit(key);
  }
}

/** At most `limit` actions per key per `windowMs`, counted in a RateLimitStore under `name`. */
export class SharedRateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  async take(key: string): Promise<RateLimitDecision> {
    const { count, resetInMs } = await this.store.hit(
      `${this.name}:${key}`,
      this.windowMs,
    );
    return count <= this.limit
      ? { allowed: true, retryAfterMs: 0 }
      : { allowed: false, retryAfterMs: Math.max(0, resetInMs) };
  }
}

/**
 * The per-user budget of MESSAGE_RATE_LIMIT in the store: `POST /api/conversations/:id/messages`
 * and the socket's `message:send` both count against it, so a user gets the limit once, not once
 * per door. Both must count it over the same window (one minute): a store keeps one count per key
 * and window.
 */
export const MESSAGE_SENDS_PER_USER_BUDGET = 'messages:user';
