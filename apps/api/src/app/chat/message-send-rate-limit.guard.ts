import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfigService } from '../config/app-config.service';
import type { AuthenticatedUser } from '../core/authenticated-user';
import {
  MESSAGE_SENDS_PER_USER_BUDGET,
  RATE_LIMIT_STORE,
  type RateLimitStore,
  SharedRateLimiter,
} from '../core/rate-limit-store';

const ONE_MINUTE_MS = 60_000;

/**
 * MESSAGE_RATE_LIMIT per signed-in user on `POST /api/conversations/:id/messages`, one budget with
 * the socket's `message:send` (realtime's ClientEventGuard counts against the same key). Keyed by user, not address:
 * colleagues behind one office NAT each get their own. Counted in the app's RateLimitStore, so
 * with Redis the budget holds across API instances.
 */
@Injectable()
export class MessageSendRateLimitGuard implements CanActivate {
  private readonly limiter: SharedRateLimiter;

  constructor(
    config: AppConfigService,
    @Inject(RATE_LIMIT_STORE) store: RateLimitStore,
  ) {
    this.limiter = new SharedRateLimiter(
      store,
      MESSAGE_SENDS_PER_USER_BUDGET,
      config.chat.messageRateLimitPerMinute,
      ONE_MINUTE_MS,
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const user = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user?: AuthenticatedUser }>().user;
    if (!user) return true; // the JWT guard has already refused anonymous callers
    const decision = await this.limiter.take(user.id);
    if (decision.allowed) return true;
    throw new HttpException(
      `Too many messages: at most ${this.limiter.limit} a minute, try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
