import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Where a request id comes in (from a proxy or a client) and goes back out. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * An incoming id is kept only when it is a plain token: it ends up in every log line of the
 * request and on stored records, so no spaces, quotes, control characters or unbounded lengths.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value);
}

/** The request's id: the caller's `X-Request-Id` when it is sane, else a fresh UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return isSaneRequestId(incoming) ? incoming : randomUUID();
}
