import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import type { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/app-config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { InstagramModule } from './instagram/instagram.module';
import { MetaModule } from './meta/meta.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RealtimeModule } from './realtime/realtime.module';
import { UsersModule } from './users/users.module';
import { WebhookModule } from './webhook/webhook.module';

/** Feature modules go in `imports`; `forRoot` adds the validated configuration (global). */
@Module({
  imports: [
    DatabaseModule,
    RateLimitModule,
    HealthModule,
    AuthModule,
    UsersModule,
    RealtimeModule,
    ChatModule,
    MetaModule,
    InstagramModule,
    WebhookModule,
  ],
})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: AppModule, imports: [AppConfigModule.forRoot(config)] };
  }
}
