import type { KeyObject } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfigService } from '../config/app-config.service';
import {
  RATE_LIMIT_STORE,
  type RateLimitStore,
} from '../core/rate-limit-store';
import { RateLimitThrottlerStorage } from '../rate-limit/rate-limit-throttler-storage';
import { UsersModule } from '../users/users.module';
import {
  ACCESS_TOKEN_KEY,
  AccessTokenKeyModule,
} from './access-token-key.module';
import { AuthController } from './auth.controller';
import { AuthService, JWT_ALGORITHM } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';

const ONE_MINUTE_MS = 60_000;

@Module({
  imports: [
    UsersModule,
    PassportModule,
    AccessTokenKeyModule,
    JwtModule.registerAsync({
      imports: [AccessTokenKeyModule],
      inject: [ACCESS_TOKEN_KEY, AppConfigService],
      useFactory: (accessTokenKey: KeyObject, config: AppConfigService) => ({
        secret: accessTokenKey,
        signOptions: {
          algorithm: JWT_ALGORITHM,
          expiresIn: config.auth.jwtExpiresInSeconds,
        },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
    // Only routes that opt in with @UseGuards(ThrottlerGuard) are limited: register and login
    // (and the webhook, with its own limit). Counted in the app's RateLimitStore: with Redis, one
    // budget across API instances.
    ThrottlerModule.forRootAsync({
      inject: [AppConfigService, RATE_LIMIT_STORE],
      useFactory: (config: AppConfigService, store: RateLimitStore) => ({
        throttlers: [
          { ttl: ONE_MINUTE_MS, limit: config.auth.rateLimitPerMinute },
        ],
        errorMessage: 'Too many attempts, try again in a minute',
        storage: new RateLimitThrottlerStorage(store),
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    PasswordHasher,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
