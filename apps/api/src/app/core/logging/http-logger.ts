import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { scrubText } from './redaction';
import { REQUEST_ID_HEADER } from './request-id';

/** The field every log line of a request (and of the work it leads to) carries its id in. */
export const REQUEST_ID_FIELD = 'requestId';

/**
 * Per request, on Fastify's own logger (the app's root pino logger, see createApp): the id goes
 * back in `X-Request-Id` at once (so even a request refused before routing can be quoted), the
 * handler runs with the request's logger bound for Nest's Logger (`bindRequestLogger`: its lines
 * carry the id), and one line is written when the response is finished: method, path without
 * credentials, status, time. 5xx lines are errors; the error itself (with its stack) is logged
 * once, by whoever handled it.
 */
export function logRequests(
  fastify: FastifyInstance,
  bindRequestLogger: (requestId: string, handle: () => void) => void,
): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // After the body is read: what runs from here on (guards, pipes, the handler and the work it
  // starts) sees the request's logger.
  fastify.addHook('preHandler', (request, _reply, done) => {
    bindRequestLogger(request.id, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const failed = reply.statusCode >= 500;
    // The app's root pino logger's child (createApp gives Fastify that logger).
    const log = request.log as Logger;
    if (log.isLevelEnabled(failed ? 'error' : 'info')) {
      log[failed ? 'error' : 'info'](
        {
          req: {
            method: request.method,
            url: scrubText(request.url),
            remoteAddress: request.ip,
          },
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime),
        },
        failed ? 'request failed' : 'request completed',
      );
    }
    done();
  });
}
