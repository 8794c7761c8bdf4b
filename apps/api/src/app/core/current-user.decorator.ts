import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from './authenticated-user';

/** The authenticated caller of an HTTP route (set by the global JwtAuthGuard). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const request = context
      .switchToHttp()
      .getRequest<{ user?: AuthenticatedUser }>();
    if (!request.user) {
      // Reaching this means a @Public() route asked for the caller: a programming error, not a client one.
      throw new Error('@CurrentUser() used on a route without authentication');
    }
    return request.user;
  },
);
