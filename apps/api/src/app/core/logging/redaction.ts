/**
 * What never reaches a log line: credentials, signatures and what people wrote. Structured fields
 * are censored by path (pino's `redact`); free text (a log message, a URL) is scrubbed by pattern,
 * for the values whose shape gives them away.
 */

export const REDACTED = '[Redacted]';

/** Field names whose values are secret or private wherever they appear (top level or one down). */
const SECRET_FIELDS = [
  'password',
  'accessToken',
  'access_token',
  'pageAccessToken',
  'refreshToken',
  'token',
  'secret',
  'appSecret',
  'client_secret',
  'authorization',
  'cookie',
  // What people wrote: message text and the raw bodies that carry it.
  'text',
  'rawBody',
  'body',
];

/** pino `redact` paths: every secret field at the top level and one level down, plus headers. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'res.headers["set-cookie"]',
];

/** Query parameters that carry credentials (Meta's, OAuth's and the webhook verification's). */
const SECRET_QUERY_PARAMETERS = [
  'access_token',
  'input_token',
  'fb_exchange_token',
  'client_secret',
  'appsecret_proof',
  'code',
  'state',
  'hub.verify_token',
  'token',
];

const SECRET_PARAMETER_PATTERN = new RegExp(
  `([?&](?:${SECRET_QUERY_PARAMETERS.map((name) => name.replace('.', '\\.')).join('|')})=)[^&#\\s"']*`,
  'gi',
);

const TEXT_PATTERNS: readonly [RegExp, string][] = [
  [SECRET_PARAMETER_PATTERN, `$1${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`],
  // X-Hub-Signature-256 values.
  [/\bsha(?:1|256)=[0-9a-f]{40,64}\b/gi, REDACTED],
  // Meta's token shapes: Facebook user/Page tokens and Instagram Login tokens.
  [/\b(?:EAA|IGAA|IGQV)[A-Za-z0-9_-]{20,}/g, REDACTED],
  // JSON Web Tokens (our own access tokens).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, REDACTED],
];

/** A URL or free text with every credential-shaped value replaced by `[Redacted]`. */
export function scrubText(text: string): string {
  let scrubbed = text;
  for (const [pattern, replacement] of TEXT_PATTERNS)
    scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}
