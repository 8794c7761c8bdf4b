/** Claims carried by an access token; the user is looked up on every use so deleted users lose access. */
export interface AccessTokenClaims {
  sub: string;
  /** Expiry (seconds since the epoch); always set when issuing, required when verifying. */
  exp?: number;
}
