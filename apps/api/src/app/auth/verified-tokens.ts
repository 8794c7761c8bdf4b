/**
 * Access tokens whose signature has already been checked, with their subject and expiry, for the
 * Socket.io handshake (AuthService.verifyAccessToken): a client reconnects with the same token until
 * it expires. HTTP requests are checked by passport-jwt (JwtStrategy), which has no place for it.
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
