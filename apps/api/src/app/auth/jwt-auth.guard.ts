import {
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { IS_PUBLIC_KEY } from '../core/public.decorator';
import { INVALID_ACCESS_TOKEN } from './auth.service';
import { bearerTokenOf } from './jwt.strategy';

/**
 * Applied to every HTTP route (APP_GUARD); `@Public()` opts out. Tokens are checked by passport-jwt
 * (JwtStrategy). Socket.io connections are authenticated once at the handshake by the realtime
 * module, so non-HTTP contexts pass through.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    // Told apart here, with the strategy's own extractor, rather than by passport-jwt's wording
    // of its failure.
    if (!bearerTokenOf(context.switchToHttp().getRequest<Request>())) {
      throw new UnauthorizedException('Missing bearer token');
    }
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser = AuthenticatedUser>(
    error: unknown,
    user: TUser | false,
  ): TUser {
    // An error was thrown by JwtStrategy.validate: a refused token (401) or a failure to look the
    // user up (the database is down: a 503 from the exception filter), passed on rather than
    // turned into a 401 that would sign a valid session out.
    if (error) throw error;
    // passport-jwt refused the token (signature, algorithm, expiry, malformed): one answer for all.
    if (!user) throw new UnauthorizedException(INVALID_ACCESS_TOKEN);
    return user;
  }
}
