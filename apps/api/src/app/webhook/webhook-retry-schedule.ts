/**
 * How long an item that failed waits before its next try: growing delays, then it ends `failed`.
 * Bounded so a broken item cannot be retried forever; long enough to ride out a database or Meta
 * hiccup. Jitter keeps a burst of failures from retrying in lockstep.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [
  2_000,
  10_000,
  60_000,
  5 * 60_000,
  30 * 60_000,
];

export type RetryDecision =
  | { retry: true; nextAttemptAt: Date }
  | { retry: false };

/**
 * After the `attempts`-th failed try (1 for the first): when to try again, or not at all.
 * `random` is injectable so tests are exact.
 */
export function nextRetry(
  attempts: number,
  now: Date,
  delaysMs: readonly number[] = WEBHOOK_RETRY_DELAYS_MS,
  random: () => number = Math.random,
): RetryDecision {
  const delay = delaysMs[attempts - 1];
  if (delay === undefined) return { retry: false };
  // Up to 20% more, never less: the schedule is a floor.
  const jittered = delay + Math.floor(delay * 0.2 * random());
  return { retry: true, nextAttemptAt: new Date(now.getTime() + jittered) };
}
