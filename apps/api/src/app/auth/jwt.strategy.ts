import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthenticatedUser } from '../core/authenticated-user';
import type { AccessTokenClaims } from './access-token-claims';
import { ACCESS_TOKEN_KEY } from './access-token-key.module';
import { AuthService, JWT_ALGORITHM } from './auth.service';

/** Where HTTP requests carry their access token: `Authorization: Bearer <token>`. */
export const bearerTokenOf: (request: FastifyRequest) => string | null =
  ExtractJwt.fromAuthHeaderAsBearerToken() as never;

/**
 * The passport strategy JwtAuthGuard runs on a protected HTTP route for a token it has not seen
 * verified yet: passport-jwt checks the signature (HS256 only, so neither `none` nor another
 * algorithm is accepted) and the expiry, then validate() remembers the token and resolves the caller.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(ACCESS_TOKEN_KEY) accessTokenKey: KeyObject,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: bearerTokenOf,
      // passport-jwt 4.0.1 hands this to jsonwebtoken 9's verify unchanged, which uses a KeyObject
      // as it is; @types/passport-jwt only names string | Buffer, which would be converted into a
      // key again on every request.
      secretOrKey: accessTokenKey as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
      // validate() remembers the exact token it was given.
      passReqToCallback: true,
    });
  }

  /**
   * Runs only after passport-jwt accepted signature and expiry.
   * @throws UnauthorizedException for a token without `exp` or `sub`, or whose user is gone; any
   * other error (the database is down) is passed on, to be answered 503 rather than 401.
   */
  validate(
    request: FastifyRequest,
    claims: AccessTokenClaims,
  ): Promise<AuthenticatedUser> {
    return this.auth.principalOfVerifiedToken(bearerTokenOf(request), claims);
  }
}
