import { type DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { RequestLogContext } from './request-log-context';

/**
 * Routes Nest's Logger to pino (nestjs-pino). Requests are logged, and their logger bound for the
 * code that handles them, by Fastify's hooks (http-logger.ts, mounted by the app assembly).
 *
 * nestjs-pino keeps one root logger per process, the first app's: a test that reads an app's log
 * lines (`logDestination`) must boot that app first in its file.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: { logger },
          useExisting: true,
          // Requests are bound by the HTTP layer's hooks (core/logging/http-logger.ts), not by
          // nestjs-pino's middleware.
          forRoutes: [],
        }),
      ],
      providers: [RequestLogContext],
      exports: [RequestLogContext],
    };
  }
}
