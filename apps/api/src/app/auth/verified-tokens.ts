/**
 * Access tokens whose signature has already been checked, with their subject and expiry: a client
 * sends the same token with every request and socket handshake until it expires, and checking its
 * HMAC again each time was a tenth of an authenticated request's CPU. Filled by passport-jwt's
 * check of HTTP requests (JwtStrategy) and the Socket.io handshake's (AuthService.verifyAccessToken).
 * Only the exact token string that was verified is found here, and its expiry is still checked on
 * every use, so remembering it changes nothing about which tokens are accepted.
 */
export class VerifiedTokens {
  private readonly entries = new Map<
    string,
    { subject: string; expiresAtMs: number }
  >();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The subject of a token verified earlier that has not expired yet; undefined otherwise. */
  subjectOf(token: string): string | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs > this.now()) return entry.subject;
    this.entries.delete(token);
    return undefined;
  }

  /** Call only with a token whose signature and claims have just been verified. */
  remember(token: string, subject: string, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { subject, expiresAtMs });
  }
}
