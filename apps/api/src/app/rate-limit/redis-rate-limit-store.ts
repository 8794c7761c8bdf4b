import { Logger } from '@nestjs/common';
import type { WindowCount } from '../core/fixed-window-rate-limiter';
import {
  InProcessRateLimitStore,
  type RateLimitStore,
} from '../core/rate-limit-store';
import {
  connectAll,
  createRedisClient,
  type RedisClient,
} from './redis-client';

/**
 * One fixed window, atomically: the first hit creates the key with the window's expiry, every hit
 * counts, and the answer carries the time left. (A key left without an expiry, which a crash
 * between INCR and PEXPIRE could only cause outside a script, is given one.)
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** How often a Redis outage is logged at most: every request would otherwise log it. */
const OUTAGE_LOG_INTERVAL_MS = 60_000;

/**
 * Rate limits counted in Redis, shared by every API instance on it: N instances grant the limit
 * once, not N times. Should Redis stop answering, each instance counts on its own until it is
 * back (limits stay, per process), rather than failing requests.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly logger = new Logger('RateLimits');
  private readonly fallback = new InProcessRateLimitStore();
  private lastOutageLogAt = 0;

  private constructor(
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
  ) {}

  /** @throws when Redis cannot be reached at boot. */
  static async connect(
    url: string,
    keyPrefix: string,
  ): Promise<RedisRateLimitStore> {
    const logger = new Logger('RateLimits');
    // No offline queue: while Redis is away a hit fails at once and is counted locally.
    const { client, connected } = createRedisClient(url, logger, {
      disableOfflineQueue: true,
    });
    await connectAll([client]);
    connected();
    logger.log('Rate limits are shared through Redis');
    return new RedisRateLimitStore(client, `${keyPrefix}ratelimit:`);
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    try {
      const [count, resetInMs] = (await this.client.eval(HIT_SCRIPT, {
        keys: [this.keyPrefix + key],
        arguments: [String(windowMs)],
      })) as [number, number];
      return { count, resetInMs };
    } catch (error) {
      this.logOutage(error);
      return this.fallback.hitNow(key, windowMs);
    }
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.destroy());
  }

  private logOutage(error: unknown): void {
    const now = Date.now();
    if (now - this.lastOutageLogAt < OUTAGE_LOG_INTERVAL_MS) return;
    this.lastOutageLogAt = now;
    this.logger.warn(
      `Redis did not count a rate-limited action, counting in this process meanwhile: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}
