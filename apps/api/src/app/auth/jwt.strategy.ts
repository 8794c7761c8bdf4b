import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfigService } from '../config/app-config.service';
import { AuthService, JWT_ALGORITHM } from './auth.service';
import type { AuthenticatedUser } from '../core/authenticated-user';
import type { AccessTokenClaims } from './access-token-claims';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfigService,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  /** Runs after passport-jwt checked signature and expiry. */
  validate(claims: AccessTokenClaims): Promise<AuthenticatedUser> {
    return this.auth.authenticateClaims(claims);
  }
}
