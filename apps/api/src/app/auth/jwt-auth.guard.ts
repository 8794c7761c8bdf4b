import {
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { IS_PUBLIC_KEY } from '../core/public.decorator';

/**
 * Applied to every HTTP route (APP_GUARD); `@Public()` opts out. Socket.io connections are
 * authenticated once at the handshake by the realtime module, so non-HTTP contexts pass through.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<TUser = AuthenticatedUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
  ): TUser {
    // An error here was thrown while resolving the token's user (say, the database is down):
    // pass it on (a logged 500) rather than a 401 that would sign a valid session out.
    if (error) throw error;
    if (!user) {
      const missing = info instanceof Error && info.message === 'No auth token';
      throw new UnauthorizedException(
        missing ? 'Missing bearer token' : 'Invalid or expired access token',
      );
    }
    return user;
  }
}
