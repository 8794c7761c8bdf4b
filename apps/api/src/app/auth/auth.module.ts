import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfigService } from '../config/app-config.service';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService, JWT_ALGORITHM } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { PasswordHasher } from './password-hasher';

const ONE_MINUTE_MS = 60_000;

@Module({
  imports: [
    UsersModule,
    JwtModule.registerAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        // A KeyObject made once: given the secret as a string, jsonwebtoken would first try to
        // parse it as a PEM public key, fail, and build a secret key, on every sign and verify.
        secret: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')),
        signOptions: {
          algorithm: JWT_ALGORITHM,
          expiresIn: config.auth.jwtExpiresInSeconds,
        },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
    // Only routes that opt in with @UseGuards(ThrottlerGuard) are limited: register and login.
    ThrottlerModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        throttlers: [
          { ttl: ONE_MINUTE_MS, limit: config.auth.rateLimitPerMinute },
        ],
        errorMessage: 'Too many attempts, try again in a minute',
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    PasswordHasher,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
