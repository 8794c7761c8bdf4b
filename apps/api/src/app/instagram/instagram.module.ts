import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AppConfigService } from '../config/app-config.service';
import { MetaModule } from '../meta/meta.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { InstagramConnectController } from './instagram-connect.controller';
import { InstagramConnectService } from './instagram-connect.service';
import { InstagramConnectionsController } from './instagram-connections.controller';
import { InstagramConnectionsService } from './instagram-connections.service';
import { InstagramStatusNotifier } from './instagram-status.notifier';
import { InstagramTokenRefresher } from './instagram-token-refresher';
import { FacebookLogin } from './login-methods/facebook-login';
import { LoginMethods } from './login-methods/login-methods';
import { OAuthStateService } from './oauth-state.service';
import {
  InstagramConnection,
  InstagramConnectionSchema,
} from './schemas/instagram-connection.schema';
import { OAuthState, OAuthStateSchema } from './schemas/oauth-state.schema';
import { TokenCipher } from './token-cipher';

/**
 * Connecting Instagram professional accounts (Instagram Login and Facebook Login), the stored
 * connections with their sealed tokens, status, disconnect and the token refresher.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: InstagramConnection.name, schema: InstagramConnectionSchema },
      { name: OAuthState.name, schema: OAuthStateSchema },
    ]),
    MetaModule,
    RealtimeModule,
  ],
  controllers: [InstagramConnectController, InstagramConnectionsController],
  providers: [
    {
      provide: TokenCipher,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) =>
        new TokenCipher(config.encryption.tokenEncryptionKey),
    },
    OAuthStateService,
    FacebookLogin,
    LoginMethods,
    InstagramStatusNotifier,
    InstagramConnectionsService,
    InstagramConnectService,
    InstagramTokenRefresher,
  ],
  exports: [InstagramConnectionsService],
})
export class InstagramModule {}
