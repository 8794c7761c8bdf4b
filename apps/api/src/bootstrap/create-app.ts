import type {
  DynamicModule,
  LogLevel as NestLogLevel,
  Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../app/app.module';
import {
  type AppConfig,
  LOG_LEVELS,
  type LogLevel,
} from '../app/config/app-config';
import { configureApp } from './configure-app';

/**
 * Builds the fully configured (not yet listening) application; main.ts and the e2e harness share it.
 * `rootModule` is for bootstrap tests that need a small app; it must import `AppConfigModule.forRoot`.
 */
export async function createApp(
  config: AppConfig,
  rootModule: Type | DynamicModule = AppModule.forRoot(config),
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, {
    bodyParser: false,
    rawBody: true,
    logger: enabledLogLevels(config.logLevel),
  });
  await configureApp(app);
  return app;
}

export function enabledLogLevels(level: LogLevel): NestLogLevel[] {
  // Nest's `fatal` is louder than any LOG_LEVEL: always on.
  return ['fatal', ...LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1)];
}
