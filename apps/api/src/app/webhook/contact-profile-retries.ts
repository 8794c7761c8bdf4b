/** After a profile fetch fails, that contact's profile is not asked for again before this. */
export const CONTACT_PROFILE_RETRY_AFTER_FAILURE_MS = 10 * 60 * 1000;

/** Contacts remembered at most; the ones whose wait is over go first, then the oldest. */
const MAX_REMEMBERED = 10_000;

/**
 * When a contact's profile may be asked of Meta again after a fetch failed (a throttled app, a
 * Graph outage, a profile Meta will not give): not on the contact's every message, which under a
 * rate limit would spend the account's Graph calls on the one request that keeps failing, with a
 * warning each time. Per process: another instance waits on its own failure.
 */
export class ContactProfileRetries {
  /** When each contact that failed may be tried again (epoch ms), oldest failure first. */
  private readonly retryAt = new Map<string, number>();

  constructor(
    private readonly waitMs = CONTACT_PROFILE_RETRY_AFTER_FAILURE_MS,
    private readonly maxRemembered = MAX_REMEMBERED,
  ) {}

  /** Whether the profile of `contact` may be fetched now. */
  mayFetch(contact: string, now: number): boolean {
    const at = this.retryAt.get(contact);
    if (at === undefined) return true;
    if (at > now) return false;
    this.retryAt.delete(contact);
    return true;
  }

  failed(contact: string, now: number): void {
    this.retryAt.delete(contact);
    this.retryAt.set(contact, now + this.waitMs);
    if (this.retryAt.size <= this.maxRemembered) return;
    // Kept in the order of their failures, so of their retry times: the due ones come first.
    for (const [key, at] of this.retryAt) {
      if (at > now) break;
      this.retryAt.delete(key);
    }
    // Still full: the oldest failures are forgotten (they may be tried a little early).
    for (const key of this.retryAt.keys()) {
      if (this.retryAt.size <= this.maxRemembered) break;
      this.retryAt.delete(key);
    }
  }

  succeeded(contact: string): void {
    this.retryAt.delete(contact);
  }
}
