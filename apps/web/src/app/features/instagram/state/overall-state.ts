import type { InstagramStatusDto } from '@instantchat/contracts';

/** The one word the header shows for all of a person's Instagram accounts. */
export type InstagramOverallState =
  | 'connected'
  | 'needs_reconnect'
  | 'not_connected';

/**
 * An account needing a reconnect outranks a working one: its messages have stopped arriving and
 * only the owner can fix it, so the header must not say "connected" and hide it.
 */
export function overallState(
  status: InstagramStatusDto,
): InstagramOverallState {
  if (status.accounts.some((account) => account.state === 'needs_reconnect')) {
    return 'needs_reconnect';
  }
  return status.connected ? 'connected' : 'not_connected';
}
