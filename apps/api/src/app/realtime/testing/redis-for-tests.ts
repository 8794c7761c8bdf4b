import { describe, it } from '@jest/globals';

/**
 * Redis for the fan-out tests. Redis runs on the project's machines and in CI, where these tests
 * must run, and fail if Redis is missing; a newcomer's machine has none, so there they run only
 * when REDIS_TEST_URL is set, and are skipped otherwise.
 */
export const REDIS_TEST_URL =
  process.env['REDIS_TEST_URL'] ?? 'redis://127.0.0.1:6379';

const redisExpected =
  process.env['CI'] === 'true' || process.env['REDIS_TEST_URL'] !== undefined;

export const describeWithRedis = redisExpected ? describe : describe.skip;
export const itWithRedis = redisExpected ? it : it.skip;
