/** What one `take` decided. */
export interface RateLimitDecision {
  allowed: boolean;
  /** How long until the key's window ends and it may act again (0 when allowed). */
  retryAfterMs: number;
}

/** A key's actions counted in its current window, and the time until that window ends. */
export interface WindowCount {
  count: number;
  resetInMs: number;
}

interface Window {
  startedAt: number;
  count: number;
}

/** Above this many tracked keys, expired windows are swept before a new key is added. */
const SWEEP_THRESHOLD = 10_000;

/**
 * Counts actions per key in fixed windows: at most `limit` per `windowMs`. In-process and
 * approximate by design (a burst at a window's edge may get up to twice the limit): it exists to
 * stop floods, not to meter. Memory stays bounded by the number of keys active in one window.
 */
export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): RateLimitDecision {
    const { count, resetInMs } = this.hit(key);
    return count <= this.limit
      ? { allowed: true, retryAfterMs: 0 }
      : { allowed: false, retryAfterMs: resetInMs };
  }

  /** Counts one action of `key` (allowed or not) in its current window. */
  hit(key: string): WindowCount {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (!window && this.windows.size >= SWEEP_THRESHOLD) this.sweep(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return {
      count: window.count,
      resetInMs: window.startedAt + this.windowMs - now,
    };
  }

  forget(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    }
  }
}
