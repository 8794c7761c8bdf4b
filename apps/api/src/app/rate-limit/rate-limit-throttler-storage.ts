import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RateLimitStore } from '../core/rate-limit-store';

/**
 * @nestjs/throttler's storage on the app's RateLimitStore, so its limits (register and login,
 * the webhook per source address) are shared by every instance when Redis is configured. A client
 * over the limit stays refused until its window ends.
 */
export class RateLimitThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly store: RateLimitStore) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): ReturnType<ThrottlerStorage['increment']> {
    const { count, resetInMs } = await this.store.hit(
      `throttle:${throttlerName}:${key}`,
      ttl,
    );
    const timeToExpire = Math.max(1, Math.ceil(resetInMs / 1000));
    const isBlocked = count > limit;
    return {
      totalHits: count,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToExpire : 0,
    };
  }
}
