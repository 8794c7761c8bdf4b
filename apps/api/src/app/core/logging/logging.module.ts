import { type DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { RequestLogContext } from './request-log-context';

/**
 * Routes Nest's Logger to pino (nestjs-pino). The per-request pino-http middleware is mounted by
 * the app assembly ahead of every other middleware (`useExisting`); this module binds each
 * request's logger for the code that handles it.
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
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true }),
      ],
      providers: [RequestLogContext],
      exports: [RequestLogContext],
    };
  }
}
