import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { DestinationStream, Level, Logger } from 'pino';
import type { AppConfig, LogLevel } from '../app/config/app-config';
import { createHttpLogger } from '../app/core/logging/http-logger';
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
 * here on, and every request gets its id and its log line, ahead of every other middleware.
 */
export function useStructuredLogging(
  app: NestExpressApplication,
  logger: Logger,
): void {
  app.useLogger(app.get(PinoNestLogger));
  app.use(createHttpLogger(logger));
}
