import { Logger, Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { MetaGraphClient } from './meta-graph-client';

/**
 * Provides the one `MetaGraphClient`, configured from `meta.*` of the app config: the real
 * Graph API in production, the local Meta sandbox (apps/meta-sandbox) by default.
 */
@Module({
  providers: [
    {
      provide: MetaGraphClient,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const logger = new Logger('MetaGraphClient');
        return new MetaGraphClient({
          appId: config.meta.appId,
          appSecret: config.meta.appSecret,
          graphUrl: config.meta.graphUrl,
          oauthDialogUrl: config.meta.oauthDialogUrl,
          redirectUri: config.meta.redirectUri,
          instagramLogin: config.meta.instagramLogin,
          timeoutMs: config.meta.requestTimeoutMs,
          logger: {
            debug: (m) => logger.debug(m),
            warn: (m) => logger.warn(m),
          },
        });
      },
    },
  ],
  exports: [MetaGraphClient],
})
export class MetaModule {}
