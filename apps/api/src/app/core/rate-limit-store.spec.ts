import { InProcessRateLimitStore, SharedRateLimiter } from './rate-limit-store';

describe('SharedRateLimiter over the in-process store', () => {
  let now = 0;
  const store = () => new InProcessRateLimitStore(() => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows `limit` actions per key and window, then refuses with the time left', async () => {
    const limiter = new SharedRateLimiter(store(), 'login', 2, 60_000);
    expect((await limiter.take('a')).allowed).toBe(true);
    expect((await limiter.take('a')).allowed).toBe(true);
    now += 15_000;
    expect(await limiter.take('a')).toEqual({
      allowed: false,
      retryAfterMs: 45_000,
    });
    now += 45_000;
    expect((await limiter.take('a')).allowed).toBe(true);
  });

  it('keeps limiters of different names apart in one store', async () => {
    const shared = store();
    const login = new SharedRateLimiter(shared, 'login', 1, 60_000);
    const sends = new SharedRateLimiter(shared, 'sends', 1, 60_000);
    expect((await login.take('u')).allowed).toBe(true);
    expect((await sends.take('u')).allowed).toBe(true);
    expect((await login.take('u')).allowed).toBe(false);
  });

  it('counts windows of different lengths on their own', async () => {
    const shared = store();
    expect(await shared.hit('k', 10_000)).toEqual({
      count: 1,
      resetInMs: 10_000,
    });
    expect(await shared.hit('k', 60_000)).toEqual({
      count: 1,
      resetInMs: 60_000,
    });
  });
});
