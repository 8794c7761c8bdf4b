import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { DestinationStream, Level, Logger } from 'pino';
import type { AppConfig, LogLevel } from '../app/config/app-config';
import { logRequests } from '../app/core/logging/http-logger';
import { RequestLogContext } from '../app/core/logging/request-log-context';
import { createRootLogger } from '../app/core/logging/root-logger';

/** LOG_LEVEL (Nest's names) as pino's levels. */
const PINO_LEVELS: Record<LogLevel, Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * The app's pino logger: JSON lines, except human-readable ones in development (`npm start`,
 * `npm run dev`) when writing to the terminal.
 */
export function rootLoggerFor(
  config: AppConfig,
  destination?: DestinationStream,
): Logger {
  return createRootLogger({
    level: PINO_LEVELS[config.logLevel],
    pretty: config.env === 'development' && destination === undefined,
    destination,
  });
}

/**
 * Nest's Logger (every `new Logger(...)` in the code, and Nest's own) writes through pino from
 * here on, and every request gets its id and its log line, ahead of every other hook.
 */
export function useStructuredLogging(app: NestFastifyApplication): void {
  app.useLogger(app.get(PinoNestLogger));
  const context = app.get(RequestLogContext);
  logRequests(app.getHttpAdapter().getInstance(), (requestId, handle) =>
    context.run(requestId, handle),
  );
}
