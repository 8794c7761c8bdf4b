import { nextRetry, WEBHOOK_RETRY_DELAYS_MS } from './webhook-retry-schedule';

describe('nextRetry', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('waits the scheduled delay after each failure, longer each time', () => {
    const waits = WEBHOOK_RETRY_DELAYS_MS.map((_, i) => {
      const decision = nextRetry(i + 1, now, WEBHOOK_RETRY_DELAYS_MS, () => 0);
      if (!decision.retry) throw new Error('expected a retry');
      return decision.nextAttemptAt.getTime() - now.getTime();
    });
    expect(waits).toEqual([...WEBHOOK_RETRY_DELAYS_MS]);
  });

  it('adds at most 20% jitter', () => {
    const decision = nextRetry(1, now, [1000], () => 0.999);
    expect(decision).toEqual({
      retry: true,
      nextAttemptAt: new Date(now.getTime() + 1199),
    });
  });

  it('gives up once the schedule is used up', () => {
    expect(nextRetry(WEBHOOK_RETRY_DELAYS_MS.length + 1, now)).toEqual({
      retry: false,
    });
  });
});
