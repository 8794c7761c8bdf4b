import { InProcessRateLimitStore } from '../core/rate-limit-store';
import { RateLimitThrottlerStorage } from './rate-limit-throttler-storage';

describe('RateLimitThrottlerStorage', () => {
  it('reports hits, seconds left and a block once over the limit, as @nestjs/throttler reads them', async () => {
    let now = 0;
    const storage = new RateLimitThrottlerStorage(
      new InProcessRateLimitStore(() => now),
    );
    const hit = () => storage.increment('client', 60_000, 2, 60_000, 'default');

    expect(await hit()).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    await hit();
    now += 30_500;
    expect(await hit()).toEqual({
      totalHits: 3,
      timeToExpire: 30,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
  });
});
