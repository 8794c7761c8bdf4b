import {
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import {
  InProcessRateLimitStore,
  RATE_LIMIT_STORE,
  type RateLimitStore,
} from '../core/rate-limit-store';
import { RedisRateLimitStore } from './redis-rate-limit-store';

/**
 * The app's RateLimitStore (`RATE_LIMIT_STORE`): Redis when REDIS_URL is set, so HTTP and socket
 * rate limits hold across API instances, else this process.
 */
@Global()
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORE,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService): Promise<RateLimitStore> =>
        config.redis
          ? RedisRateLimitStore.connect(
              config.redis.url,
              config.redis.keyPrefix,
            )
          : Promise.resolve(new InProcessRateLimitStore()),
    },
  ],
  exports: [RATE_LIMIT_STORE],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.store instanceof RedisRateLimitStore) await this.store.close();
  }
}
