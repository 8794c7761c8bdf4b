import {
  SEND_BURST,
  SEND_RATE_PER_SECOND,
  SendRateLimiter,
  TokenBucket,
} from './send-rate-limiter';

/** Meta's Send API limit for text per Instagram professional account. */
const META_TEXT_SENDS_PER_SECOND = 300;

describe('TokenBucket', () => {
  it('lets a burst of its capacity through at once, then spaces sends at its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);

    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([
      0, 0, 0,
    ]);
    expect(bucket.reserve()).toBe(100);
    expect(bucket.reserve()).toBe(200);

    now = 1_000;
    // The two reserved tokens are repaid first.
    expect(bucket.reserve()).toBe(0);
  });

  it('never refills beyond its capacity', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    now = 60_000;
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([
      0, 0, 100,
    ]);
  });

  it('keeps any one second of sends under Meta’s 300 per second', () => {
    const now = 0;
    const bucket = new TokenBucket(SEND_RATE_PER_SECOND, SEND_BURST, () => now);
    const sentAt: number[] = [];
    // 2,000 sends asked for at once: each goes when the bucket says.
    for (let i = 0; i < 2_000; i++) sentAt.push(now + bucket.reserve());
    sentAt.sort((a, b) => a - b);
    let busiest = 0;
    for (let start = 0, end = 0; end < sentAt.length; end++) {
      while (sentAt[end] - sentAt[start] >= 1_000) start++;
      busiest = Math.max(busiest, end - start + 1);
    }
    expect(busiest).toBeLessThanOrEqual(META_TEXT_SENDS_PER_SECOND);
    expect(busiest).toBeGreaterThan(SEND_RATE_PER_SECOND / 2);
  });
});

describe('SendRateLimiter', () => {
  it('gives each account its own bucket: one busy account does not slow another', async () => {
    const limiter = new SendRateLimiter();
    for (let i = 0; i < SEND_BURST; i++) await limiter.acquire('busy');

    const started = Date.now();
    await limiter.acquire('quiet');
    expect(Date.now() - started).toBeLessThan(50);
  });
});
