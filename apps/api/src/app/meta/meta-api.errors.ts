import {
  GraphErrorCode,
  GraphErrorSubcode,
  type GraphError,
} from '@instantchat/meta-platform';

/**
 * What can go wrong talking to Meta, as types a caller can act on. Each error carries Meta's
 * code, subcode and trace id for support, and never the request URL or a token.
 */

export type MetaErrorKind =
  | 'token_invalid'
  | 'window_closed'
  | 'rate_limited'
  | 'permission_missing'
  | 'recipient_unavailable'
  | 'transient'
  | 'invalid_request';

export interface MetaErrorDetails {
  code?: number;
  subcode?: number;
  /** `OAuthException`, `GraphMethodException`, or graph.instagram.com's `IGApiException`. */
  type?: string;
  fbtraceId?: string;
  httpStatus?: number;
  /** Meta's own words for the person (`error_user_title` / `error_user_msg`), when it gave them. */
  userTitle?: string;
  userMessage?: string;
}

export abstract class MetaApiError extends Error {
  abstract readonly kind: MetaErrorKind;
  /** Whether sending the same request again later may succeed. */
  abstract readonly retryable: boolean;
  readonly code?: number;
  readonly subcode?: number;
  readonly type?: string;
  readonly fbtraceId?: string;
  readonly httpStatus?: number;
  readonly userTitle?: string;
  readonly userMessage?: string;

  constructor(message: string, details: MetaErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = details.code;
    this.subcode = details.subcode;
    this.type = details.type;
    this.fbtraceId = details.fbtraceId;
    this.httpStatus = details.httpStatus;
    this.userTitle = details.userTitle;
    this.userMessage = details.userMessage;
  }
}

export type TokenInvalidReason = 'expired' | 'invalidated' | 'invalid';

/** The stored token no longer works: the person must connect Instagram again. */
export class MetaTokenInvalidError extends MetaApiError {
  readonly kind = 'token_invalid' as const;
  readonly retryable = false;
  readonly reconnectRequired = true;
  constructor(
    message: string,
    readonly reason: TokenInvalidReason,
    details?: MetaErrorDetails,
  ) {
    super(message, details);
  }
}

/** Outside the messaging window (24 h after the person's last message; 7 days with HUMAN_AGENT). */
export class MetaWindowClosedError extends MetaApiError {
  readonly kind = 'window_closed' as const;
  readonly retryable = false;
}

/** Throttled by Meta; `retryAfterMs` is Meta's own estimate when it gave one. */
export class MetaRateLimitedError extends MetaApiError {
  readonly kind = 'rate_limited' as const;
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    details?: MetaErrorDetails,
  ) {
    super(message, details);
  }
}

/** The app or token lacks a permission (e.g. `instagram_manage_messages`). */
export class MetaPermissionError extends MetaApiError {
  readonly kind = 'permission_missing' as const;
  readonly retryable = false;
  constructor(
    message: string,
    readonly permission: string | undefined,
    details?: MetaErrorDetails,
  ) {
    super(message, details);
  }
}

/** The person cannot be messaged: unknown to this account, blocked it, or deactivated. */
export class MetaRecipientUnavailableError extends MetaApiError {
  readonly kind = 'recipient_unavailable' as const;
  readonly retryable = false;
}

export type TransientCause = 'server_error' | 'timeout' | 'network';

/** Meta or the network failed in a way that may pass; already retried with backoff when thrown. */
export class MetaTransientError extends MetaApiError {
  readonly kind = 'transient' as const;
  readonly retryable = true;
  constructor(
    message: string,
    readonly failure: TransientCause,
    details?: MetaErrorDetails,
    readonly attempts = 1,
  ) {
    super(message, details);
  }
}

/** Meta rejected the request itself (bad parameter, unknown object): retrying will not help. */
export class MetaRequestError extends MetaApiError {
  readonly kind = 'invalid_request' as const;
  readonly retryable = false;
}

const RATE_LIMIT_CODES = new Set<number>([
  GraphErrorCode.APP_RATE_LIMIT,
  GraphErrorCode.USER_RATE_LIMIT,
  GraphErrorCode.PAGE_RATE_LIMIT,
  GraphErrorCode.API_RATE_LIMIT,
  GraphErrorCode.SEND_RATE_LIMIT,
  // Business-use-case rate limits (80001 Pages, 80002 Instagram, …).
  80001,
  80002,
  80003,
  80004,
  80005,
  80008,
  80009,
  80014,
]);
/** With code 10, each of these means the messaging window is closed. */
const OUTSIDE_WINDOW_SUBCODES = new Set<number>([
  GraphErrorSubcode.OUTSIDE_WINDOW,
  GraphErrorSubcode.OUTSIDE_WINDOW_INSTAGRAM,
  GraphErrorSubcode.OUTSIDE_WINDOW_REPORTED,
]);

/** Rate-limit pause when Meta gives no estimate. */
export const DEFAULT_RATE_LIMIT_RETRY_MS = 60_000;

/**
 * Maps Meta's `{ error: {…} }` body to a typed error by code and subcode, never by `type`: an
 * `IGApiException` from graph.instagram.com means what its Graph API twin means.
 * `retryAfterMs` comes from the usage headers.
 */
export function mapGraphError(
  error: GraphError,
  httpStatus: number,
  retryAfterMs?: number,
): MetaApiError {
  const details: MetaErrorDetails = {
    code: error.code,
    subcode: error.error_subcode,
    type: error.type,
    fbtraceId: error.fbtrace_id,
    httpStatus,
    ...(error.error_user_title ? { userTitle: error.error_user_title } : {}),
    ...(error.error_user_msg ? { userMessage: error.error_user_msg } : {}),
  };
  const message = error.message ?? 'Meta returned an error';
  const code = error.code;

  if (code === GraphErrorCode.ACCESS_TOKEN || code === 102 || code === 104) {
    const reason: TokenInvalidReason =
      error.error_subcode === GraphErrorSubcode.TOKEN_EXPIRED
        ? 'expired'
        : error.error_subcode === GraphErrorSubcode.PASSWORD_CHANGED ||
            error.error_subcode === GraphErrorSubcode.APP_NOT_INSTALLED ||
            error.error_subcode === GraphErrorSubcode.USER_CHECKPOINTED
          ? 'invalidated'
          : 'invalid';
    return new MetaTokenInvalidError(message, reason, details);
  }
  if (
    code === GraphErrorCode.PERMISSION_DENIED &&
    error.error_subcode !== undefined &&
    OUTSIDE_WINDOW_SUBCODES.has(error.error_subcode)
  ) {
    return new MetaWindowClosedError(message, details);
  }
  if (RATE_LIMIT_CODES.has(code)) {
    return new MetaRateLimitedError(
      message,
      retryAfterMs && retryAfterMs > 0
        ? retryAfterMs
        : DEFAULT_RATE_LIMIT_RETRY_MS,
      details,
    );
  }
  if (
    code === GraphErrorCode.PERMISSION_DENIED ||
    code === 3 ||
    (code >= 200 && code <= 299)
  ) {
    const permission = /Requires (\w+) permission/.exec(message)?.[1];
    return new MetaPermissionError(message, permission, details);
  }
  if (
    code === GraphErrorCode.USER_UNAVAILABLE ||
    (code === GraphErrorCode.INVALID_PARAMETER &&
      error.error_subcode === GraphErrorSubcode.NO_MATCHING_USER)
  ) {
    return new MetaRecipientUnavailableError(message, details);
  }
  if (
    code === GraphErrorCode.UNKNOWN ||
    code === GraphErrorCode.SERVICE_UNAVAILABLE ||
    error.is_transient === true ||
    httpStatus >= 500
  ) {
    return new MetaTransientError(message, 'server_error', details);
  }
  return new MetaRequestError(message, details);
}
