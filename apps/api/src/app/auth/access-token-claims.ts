/** Claims carried by an access token; the user is looked up on every use so deleted users lose access. */
export interface AccessTokenClaims {
  sub: string;
  /** Expiry, in seconds since the epoch: set on every token we issue and required on every use. */
  exp?: number;
}
