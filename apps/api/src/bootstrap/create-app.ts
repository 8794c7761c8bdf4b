import {
  type DynamicModule,
  Module,
  type LogLevel as NestLogLevel,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from '../app/app.module';
import { LoggingModule } from '../app/core/logging/logging.module';
import { MetricsModule } from '../app/metrics/metrics.module';
import {
  type AppConfig,
  LOG_LEVELS,
  type LogLevel,
} from '../app/config/app-config';
import { installLeanAsyncResourceBind } from './async-resource-bind';
import { configureApp } from './configure-app';
import { requestIdFor } from '../app/core/logging/request-id';
import { REQUEST_ID_FIELD } from '../app/core/logging/http-logger';
import { rootLoggerFor, useStructuredLogging } from './logging';

/** The app's HTTP platform: Nest on Fastify (its own overhead is a fraction of Express's). */
export type HttpApp = NestFastifyApplication;

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
): Promise<HttpApp> {
  installLeanAsyncResourceBind();
  const logger = rootLoggerFor(config, options.logDestination);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    genReqId: requestIdFor,
    logController: new LogController({
      requestIdLogLabel: REQUEST_ID_FIELD,
      // One line per request, when it is answered (core/logging/http-logger.ts).
      disableRequestLogging: true,
    }),
    trustProxy: config.http.trustProxy,
    bodyLimit: config.http.bodyLimitBytes,
    // Express's routing, which the API and its clients were built on: `/api/users/` is `/api/users`.
    routerOptions: { ignoreTrailingSlash: true },
  });
  const app = await NestFactory.create<HttpApp>(
    {
      module: InstantChatApplication,
      imports: [LoggingModule.forRoot(logger), MetricsModule, rootModule],
    },
    adapter,
    {
      // Bodies are parsed by configureApp (request-bodies.ts), with the API's own limits and errors.
      bodyParser: false,
      logger: enabledLogLevels(config.logLevel),
      // Boot lines wait for pino, so they are structured like the rest.
      bufferLogs: true,
    },
  );
  useStructuredLogging(app);
  await configureApp(app);
  return app;
}

export function enabledLogLevels(level: LogLevel): NestLogLevel[] {
  // Nest's `fatal` is louder than any LOG_LEVEL: always on.
  return ['fatal', ...LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1)];
}
