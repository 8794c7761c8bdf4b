import {
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { IS_PUBLIC_KEY } from '../core/public.decorator';
import { AuthService, INVALID_ACCESS_TOKEN } from './auth.service';
import { bearerTokenOf } from './jwt.strategy';

/**
 * Applied to every HTTP route (APP_GUARD); `@Public()` opts out. Tokens are checked by passport-jwt
 * (JwtStrategy), once per token: a token verified earlier is recognised by its exact string until
 * it expires (AuthService.principalOfRememberedToken). Socket.io connections are authenticated once at the handshake by the realtime
 * module, so non-HTTP contexts pass through.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user?: AuthenticatedUser }>();
    // Told apart here, with the strategy's own extractor, rather than by passport-jwt's wording
    // of its failure.
    const token = bearerTokenOf(request);
    if (!token) {
      throw new UnauthorizedException('Missing bearer token');
    }
    // A token passport-jwt (or the socket handshake) verified earlier, not expired: the same
    // answer without checking its HMAC again.
    const remembered = this.auth.principalOfRememberedToken(token);
    if (remembered) {
      request.user = await remembered;
      return true;
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
