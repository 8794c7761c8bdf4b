import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ChatModule } from '../chat/chat.module';
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
import { InstagramLogin } from './login-methods/instagram-login';
import { LoginMethods } from './login-methods/login-methods';
import { OAuthStateService } from './oauth-state.service';
import {
  InstagramConnection,
  InstagramConnectionSchema,
} from './schemas/instagram-connection.schema';
import { OAuthState, OAuthStateSchema } from './schemas/oauth-state.schema';
import { InstagramReplyChannel } from './sending/instagram-reply.channel';
import { InstagramSendApi } from './sending/instagram-send-api';
import { InstagramSendController } from './sending/instagram-send.controller';
import { InstagramReplyQueue } from './sending/instagram-reply-queue';
import { InstagramSendService } from './sending/instagram-send.service';
import { SendRateLimiter } from './sending/send-rate-limiter';
import { TokenCipher } from './token-cipher';

/**
 * Connecting Instagram professional accounts (Instagram Login and Facebook Login), the stored
 * connections with their sealed tokens, status, disconnect and the token refresher; replies to
 * Instagram contacts (sending/), carried for Chat as its `instagram` reply channel.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: InstagramConnection.name, schema: InstagramConnectionSchema },
      { name: OAuthState.name, schema: OAuthStateSchema },
    ]),
    MetaModule,
    RealtimeModule,
    ChatModule,
  ],
  controllers: [
    InstagramConnectController,
    InstagramConnectionsController,
    InstagramSendController,
  ],
  providers: [
    {
      provide: TokenCipher,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) =>
        new TokenCipher(config.encryption.tokenEncryptionKey),
    },
    OAuthStateService,
    InstagramLogin,
    FacebookLogin,
    LoginMethods,
    InstagramStatusNotifier,
    InstagramConnectionsService,
    InstagramConnectService,
    InstagramTokenRefresher,
    // Replies: registered with Chat's ReplyChannels at startup.
    InstagramSendApi,
    SendRateLimiter,
    InstagramSendService,
    InstagramReplyQueue,
    InstagramReplyChannel,
  ],
  exports: [InstagramConnectionsService],
})
export class InstagramModule {}
