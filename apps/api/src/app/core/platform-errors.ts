/**
 * What API clients are told when Fastify refuses a request before any route code runs, by
 * Fastify's error code. Fastify's own messages name its internals; these name the problem.
 */
const PLATFORM_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH:
    'Request body length does not match its Content-Length',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is not valid JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
};

export interface PlatformClientError {
  statusCode: number;
  message: string;
}

/**
 * A client error raised by the HTTP platform (Fastify's `FST_ERR_*` errors, with a 4xx
 * `statusCode`), as status and message; undefined for anything else, which stays a 500.
 */
export function platformClientErrorOf(
  error: unknown,
): PlatformClientError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode, message } = error as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  if (
    typeof code !== 'string' ||
    !code.startsWith('FST_') ||
    typeof statusCode !== 'number' ||
    statusCode < 400 ||
    statusCode >= 500
  )
    return undefined;
  return {
    statusCode,
    message:
      PLATFORM_MESSAGES[code] ??
      (typeof message === 'string' ? message : 'Bad request'),
  };
}
