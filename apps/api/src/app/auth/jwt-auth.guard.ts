import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { IS_PUBLIC_KEY } from '../core/public.decorator';
import { AuthService } from './auth.service';

const BEARER = /^Bearer ([^\s]+)$/i;

/**
 * Applied to every HTTP route (APP_GUARD); `@Public()` opts out. Socket.io connections are
 * authenticated once at the handshake by the realtime module, so non-HTTP contexts pass through.
 * Tokens are checked by AuthService.verifyAccessToken, the same check the handshake uses.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context
      .switchToHttp()
      .getRequest<Request & { user?: AuthenticatedUser }>();
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) {
      throw new UnauthorizedException('Missing bearer token');
    }
    // A failure to look the user up (say, the database is down) is passed on as a logged 500,
    // not a 401 that would sign a valid session out.
    request.user = await this.auth.verifyAccessToken(token);
    return true;
  }
}
