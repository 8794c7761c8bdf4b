import {
  BUSINESS_USE_CASE_USAGE_HEADER,
  GraphError,
  GraphErrorCode,
  GraphErrorSubcode,
  type BusinessUseCaseUsageHeader,
} from '@instantchat/meta-platform';
import type { Reply } from './http/router';
import { fbtraceId } from './ids';

/**
 * Meta's error answers, worded as Meta words them (see ../shared/fixtures/meta/graph-errors and
 * the Graph API error-handling guide). Clients must branch on `code`/`error_subcode`, never on
 * the HTTP status, which is why most of these are a plain 400 like Meta's.
 */
export function graphError(
  status: number,
  error: Omit<GraphError, 'fbtrace_id'> & { message: string; type: string },
  headers?: Record<string, string>,
): Reply {
  return {
    status,
    headers: {
      'www-authenticate': headerSafe(
        `OAuth "Facebook Platform" "${error.type}" "${error.message.replace(/"/g, "'")}"`,
      ),
      ...headers,
    },
    json: { error: { ...error, fbtrace_id: fbtraceId() } },
  };
}

export const GraphErrors = {
  missingToken: () =>
    graphError(400, {
      message: 'An access token is required to request this resource.',
      type: 'OAuthException',
      code: 104,
    }),
  malformedToken: () =>
    graphError(400, {
      message: 'Invalid OAuth access token - Cannot parse access token',
      type: 'OAuthException',
      code: GraphErrorCode.ACCESS_TOKEN,
    }),
  tokenExpired: (expiredAt: Date, now: Date) =>
    graphError(400, {
      message: `Error validating access token: Session has expired on ${metaDate(expiredAt)}. The current time is ${metaDate(now)}.`,
      type: 'OAuthException',
      code: GraphErrorCode.ACCESS_TOKEN,
      error_subcode: GraphErrorSubcode.TOKEN_EXPIRED,
    }),
  sessionInvalidated: () =>
    graphError(400, {
      message:
        'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
      type: 'OAuthException',
      code: GraphErrorCode.ACCESS_TOKEN,
      error_subcode: GraphErrorSubcode.PASSWORD_CHANGED,
    }),
  appNotAuthorized: () =>
    graphError(400, {
      message:
        'Error validating access token: The user has not authorized application.',
      type: 'OAuthException',
      code: GraphErrorCode.ACCESS_TOKEN,
      error_subcode: GraphErrorSubcode.APP_NOT_INSTALLED,
    }),
  appSecretProofMissing: () =>
    graphError(400, {
      message: 'API calls from the server require an appsecret_proof argument',
      type: 'GraphMethodException',
      code: GraphErrorCode.INVALID_PARAMETER,
    }),
  appSecretProofInvalid: () =>
    graphError(400, {
      message: 'Invalid appsecret_proof provided in the API argument',
      type: 'GraphMethodException',
      code: GraphErrorCode.INVALID_PARAMETER,
    }),
  unknownObject: (method: 'get' | 'post' | 'delete', id: string) =>
    graphError(400, {
      message: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      type: 'GraphMethodException',
      code: GraphErrorCode.INVALID_PARAMETER,
      error_subcode: GraphErrorSubcode.UNKNOWN_OBJECT,
    }),
  unknownPath: (path: string) =>
    graphError(400, {
      message: `Unknown path components: ${path}`,
      type: 'OAuthException',
      code: 2500,
    }),
  nonexistingField: (field: string, nodeType: string) =>
    graphError(400, {
      message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
      type: 'OAuthException',
      code: GraphErrorCode.INVALID_PARAMETER,
    }),
  invalidParameter: (message: string, subcode?: number) =>
    graphError(400, {
      message: `(#100) ${message}`,
      type: 'OAuthException',
      code: GraphErrorCode.INVALID_PARAMETER,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
    }),
  noMatchingUser: () =>
    graphError(400, {
      message: '(#100) No matching user found',
      type: 'OAuthException',
      code: GraphErrorCode.INVALID_PARAMETER,
      error_subcode: GraphErrorSubcode.NO_MATCHING_USER,
    }),
  permissionMissing: (permission: string) =>
    graphError(403, {
      message: `(#200) Requires ${permission} permission to manage the object`,
      type: 'OAuthException',
      code: GraphErrorCode.PERMISSION,
    }),
  outsideWindow: () =>
    graphError(400, {
      message: '(#10) This message is sent outside of allowed window.',
      type: 'OAuthException',
      code: GraphErrorCode.PERMISSION_DENIED,
      error_subcode: GraphErrorSubcode.OUTSIDE_WINDOW_INSTAGRAM,
    }),
  userUnavailable: () =>
    graphError(400, {
      message: "(#551) This person isn't available right now.",
      type: 'OAuthException',
      code: GraphErrorCode.USER_UNAVAILABLE,
      error_subcode: GraphErrorSubcode.USER_UNAVAILABLE,
    }),
  appRateLimit: (businessId: string, minutes: number) =>
    graphError(
      400,
      {
        message: '(#4) Application request limit reached',
        type: 'OAuthException',
        is_transient: true,
        code: GraphErrorCode.APP_RATE_LIMIT,
      },
      usageHeader(businessId, minutes),
    ),
  apiRateLimit: (businessId: string, minutes: number) =>
    graphError(
      400,
      {
        message: '(#613) Calls to this api have exceeded the rate limit.',
        type: 'OAuthException',
        code: GraphErrorCode.API_RATE_LIMIT,
      },
      usageHeader(businessId, minutes),
    ),
  transient: (status: number) =>
    graphError(status, {
      message:
        'An unexpected error has occurred. Please retry your request later.',
      type: 'OAuthException',
      is_transient: true,
      code: GraphErrorCode.SERVICE_UNAVAILABLE,
    }),
  // The token endpoint's own errors.
  invalidClientSecret: () =>
    graphError(400, {
      message: 'Error validating client secret.',
      type: 'OAuthException',
      code: 1,
    }),
  invalidAppId: () =>
    graphError(400, {
      message: 'Error validating application. Invalid application ID.',
      type: 'OAuthException',
      code: 101,
    }),
  missingParameter: (name: string) =>
    graphError(400, {
      message: `Missing ${name} parameter.`,
      type: 'OAuthException',
      code: GraphErrorCode.INVALID_PARAMETER,
    }),
  codeInvalid: () =>
    graphError(400, {
      message: 'Invalid verification code format.',
      type: 'OAuthException',
      code: GraphErrorCode.INVALID_PARAMETER,
    }),
  codeExpired: () =>
    graphError(400, {
      message: 'This authorization code has expired.',
      type: 'OAuthException',
      code: GraphErrorCode.INVALID_PARAMETER,
      error_subcode: 36007,
    }),
  codeRedirectMismatch: () =>
    graphError(400, {
      message:
        'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
      type: 'OAuthException',
      code: GraphErrorCode.INVALID_PARAMETER,
      error_subcode: 36008,
    }),
  codeUsed: () =>
    graphError(400, {
      message: 'This authorization code has been used.',
      type: 'OAuthException',
      code: GraphErrorCode.INVALID_PARAMETER,
      error_subcode: 36009,
    }),
};

/**
 * Messages may quote what the caller sent (a field name, a parameter value); a header value
 * cannot hold control characters or anything beyond Latin-1, and Node throws on them.
 */
export function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e]/g, '?');
}

function usageHeader(
  businessId: string,
  minutes: number,
): Record<string, string> {
  const usage: BusinessUseCaseUsageHeader = {
    [businessId]: [
      {
        type: 'instagram',
        call_count: 100,
        total_cputime: 28,
        total_time: 35,
        estimated_time_to_regain_access: minutes,
      },
    ],
  };
  return { [BUSINESS_USE_CASE_USAGE_HEADER]: JSON.stringify(usage) };
}

/** `Monday, 23-Nov-26 10:00:00 PST`, the format of Meta's expiry messages (in UTC here). */
function metaDate(d: Date): string {
  const days = [
    'Sunday',
    'Monday',
    'Tuesday',
    'Wednesday',
    'Thursday',
    'Friday',
    'Saturday',
  ];
  const months = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${pad(d.getUTCDate())}-${months[d.getUTCMonth()]}-${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}
