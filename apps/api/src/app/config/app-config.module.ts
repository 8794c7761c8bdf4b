import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from './app-config';
import { AppConfigService } from './app-config.service';

@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: AppConfigService, useValue: new AppConfigService(config) },
      ],
      exports: [AppConfigService],
    };
  }
}
