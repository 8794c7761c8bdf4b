import { FixedWindowRateLimiter } from './fixed-window-rate-limiter';

describe('FixedWindowRateLimiter', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows `limit` actions per window, then refuses with the time left in the window', () => {
    const limiter = new FixedWindowRateLimiter(3, 10_000, clock);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([
      true,
      true,
      true,
    ]);
    now += 4_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 6_000 });
  });

  it('counts each key on its own', () => {
    const limiter = new FixedWindowRateLimiter(1, 10_000, clock);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('starts afresh once the window has passed', () => {
    const limiter = new FixedWindowRateLimiter(1, 10_000, clock);
    limiter.take('a');
    now += 10_000;
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('forgets a key on request', () => {
    const limiter = new FixedWindowRateLimiter(1, 10_000, clock);
    limiter.take('a');
    limiter.forget('a');
    expect(limiter.take('a').allowed).toBe(true);
  });
});
