import type { Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { scrubText } from './redaction';
import { assignRequestId } from './request-id';

/** The field every log line of a request (and of the work it leads to) carries its id in. */
export const REQUEST_ID_FIELD = 'requestId';

/**
 * One line per request when its response is finished (method, path without credentials, status,
 * time), with a request id the app's own log lines inherit. Mounted before everything else, so
 * requests refused early (body too large, shutting down) are logged too.
 */
export function createHttpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: assignRequestId,
    customAttributeKeys: { reqId: REQUEST_ID_FIELD },
    // Log lines inside a request carry only its id, not the whole request again.
    quietReqLogger: true,
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 ? 'error' : 'info',
    // A 5xx line says what failed through its status; the error itself (with its stack) is
    // logged once, by whoever handled it, not again as pino-http's stand-in "failed with status".
    customErrorObject: (_request, _response, _error, line: object) => ({
      ...line,
      err: undefined,
    }),
    customErrorMessage: () => 'request failed',
    serializers: {
      req: (request: SerializedRequest) => ({
        method: request.method,
        url: scrubText(request.url ?? ''),
        remoteAddress: request.remoteAddress,
      }),
      res: (response: { statusCode: number }) => ({
        statusCode: response.statusCode,
      }),
    },
  });
}

interface SerializedRequest {
  method?: string;
  url?: string;
  remoteAddress?: string;
}
