import type { Reply } from '../../http/router';
import type { WebhookDelivery } from '../../webhooks/webhook-sender';

/** Where the control API lives; Meta has nothing under it. */
export const CONTROL_API_BASE = '/_sandbox';

/** The control API's answers: InstantChat's `{statusCode, error, message}`, not Meta's shapes. */

export function badRequest(message: string): Reply {
  return {
    status: 400,
    json: { statusCode: 400, error: 'Bad Request', message },
  };
}

export function notFound(message: string): Reply {
  return {
    status: 404,
    json: { statusCode: 404, error: 'Not Found', message },
  };
}

export function optionalNumber(
  body: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined | Reply {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max
  ) {
    return badRequest(`${name} must be a number between ${min} and ${max}`);
  }
  return value;
}

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value;
}

export function summarizeDelivery(d: WebhookDelivery) {
  return {
    id: d.id,
    state: d.state,
    reason: d.reason,
    callbackUrl: d.callbackUrl,
    createdAt: d.createdAt,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    signedBy: d.signedBy,
    payload: d.payload,
  };
}
