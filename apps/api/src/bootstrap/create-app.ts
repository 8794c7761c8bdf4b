import {
  type DynamicModule,
  Module,
  type LogLevel as NestLogLevel,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { AppModule } from '../app/app.module';
import { LoggingModule } from '../app/core/logging/logging.module';
import { MetricsModule } from '../app/metrics/metrics.module';
import {
  type AppConfig,
  LOG_LEVELS,
  type LogLevel,
} from '../app/config/app-config';
import { configureApp } from './configure-app';
import { rootLoggerFor, useStructuredLogging } from './logging';

export interface CreateAppOptions {
  /** Where log lines go instead of standard output (tests read them). */
  logDestination?: DestinationStream;
}

/** Holds what every app has whatever its root module: structured logging and metrics. */
@Module({})
class InstantChatApplication {}

/**
 * Builds the fully configured (not yet listening) application; main.ts and the e2e harness share it.
 * `rootModule` is for bootstrap tests that need a small app; it must import `AppConfigModule.forRoot`.
 */
export async function createApp(
  config: AppConfig,
  rootModule: Type | DynamicModule = AppModule.forRoot(config),
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const logger = rootLoggerFor(config, options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(
    {
      module: InstantChatApplication,
      imports: [LoggingModule.forRoot(logger), MetricsModule, rootModule],
    },
    {
      bodyParser: false,
      rawBody: true,
      logger: enabledLogLevels(config.logLevel),
      // Boot lines wait for pino, so they are structured like the rest.
      bufferLogs: true,
    },
  );
  useStructuredLogging(app, logger);
  await configureApp(app);
  return app;
}

export function enabledLogLevels(level: LogLevel): NestLogLevel[] {
  // Nest's `fatal` is louder than any LOG_LEVEL: always on.
  return ['fatal', ...LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1)];
}
