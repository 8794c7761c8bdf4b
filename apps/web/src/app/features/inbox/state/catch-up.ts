import type { MessageDto } from '@instantchat/contracts';

/**
 * How far back before the newest thing it holds a catch-up after a reconnect asks again. Times
 * are stamped by the API instance that stored each write: a write stamped a little earlier than
 * the newest one the dashboard saw (another instance whose clock runs slightly behind, or a slower
 * write that committed after it) would otherwise fall behind `updatedSince` or `after` and never
 * be fetched. What comes again is merged by id, so asking again costs a few items, not duplicates.
 */
export const CATCH_UP_OVERLAP_MS = 10_000;

/** `updatedSince` for a catch-up of the conversation list: the newest `updatedAt` held, less the overlap. */
export function catchUpSince(
  updatedAts: readonly string[],
): string | undefined {
  const newest = updatedAts.reduce(
    (latest, at) => Math.max(latest, Date.parse(at)),
    Number.NEGATIVE_INFINITY,
  );
  return Number.isFinite(newest)
    ? new Date(newest - CATCH_UP_OVERLAP_MS).toISOString()
    : undefined;
}

/**
 * `after` for a catch-up of a thread (oldest first): the newest message held that is at least the
 * overlap older than the newest, or the oldest held when every one is that recent.
 */
export function catchUpAnchor(
  oldestFirst: readonly MessageDto[],
): string | undefined {
  const newest = oldestFirst.at(-1);
  if (!newest) {
    return undefined;
  }
  const bound = Date.parse(newest.createdAt) - CATCH_UP_OVERLAP_MS;
  return (
    oldestFirst.findLast((message) => Date.parse(message.createdAt) <= bound) ??
    oldestFirst[0]
  ).id;
}
