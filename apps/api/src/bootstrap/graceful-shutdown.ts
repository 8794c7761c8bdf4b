import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { RealtimeService } from '../app/realtime/realtime.service';
import type { HttpApp } from './create-app';

const logger = new Logger('Shutdown');

/** Set once, when a signal starts the shutdown; a process shuts down only once. */
let shuttingDown = false;

/**
 * Answers every request with 503 and `Connection: close` once shutdown has begun. Installed first
 * (configureApp): a keep-alive connection can still carry a new request after the server stopped
 * accepting connections, and that request must not start new work.
 */
export function refuseRequestsWhileShuttingDown(
  fastify: FastifyInstance,
): void {
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (!shuttingDown) {
      done();
      return;
    }
    void reply.code(503).header('Connection', 'close').send({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The server is shutting down, try again shortly',
    });
  });
}

/**
 * On SIGTERM or SIGINT: stop accepting connections, close idle keep-alive connections and the
 * sockets, let in-flight requests finish, then close the app (database last) and exit 0. If that
 * takes longer than `timeoutMs`, every connection is cut and the process exits 1: a deploy never
 * waits on a stuck request.
 */
export function exitGracefullyOnSignals(app: HttpApp, timeoutMs: number): void {
  const shutDown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log(
      `${signal}: finishing in-flight requests (at most ${timeoutMs} ms)`,
    );
    const server = app.getHttpServer() as Server;
    const deadline = setTimeout(() => {
      logger.error(
        `Shutdown took longer than ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS): closing every connection and exiting`,
      );
      server.closeAllConnections();
      process.exit(1);
    }, timeoutMs);
    // The callback runs once every connection has ended, i.e. every in-flight request answered.
    server.close(() => {
      app.close().then(
        () => {
          clearTimeout(deadline);
          logger.log('Shut down cleanly');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error(`Shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
    });
    server.closeIdleConnections();
    // Open sockets would otherwise hold the server open until the deadline; clients reconnect
    // to another instance.
    app.get(RealtimeService).disconnectEveryone();
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
}
