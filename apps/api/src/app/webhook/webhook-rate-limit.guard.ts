import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
} from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  RATE_LIMIT_STORE,
  type RateLimitStore,
  SharedRateLimiter,
} from '../core/rate-limit-store';

/**
 * Deliveries accepted per source address per minute: far above one Meta sender's rate, low
 * enough that a flood from one address cannot occupy the API.
 */
export const WEBHOOK_RATE_LIMIT_PER_MINUTE = 1200;

const ONE_MINUTE_MS = 60_000;

/**
 * WEBHOOK_RATE_LIMIT_PER_MINUTE per source address (the client address TRUST_PROXY yields; IPv6
 * by /64, as @nestjs/throttler groups them) on `POST /webhook/instagram`, checked before the
 * signature so unsigned floods count too. One counter hit in the app's RateLimitStore (shared
 * through Redis when configured), without ThrottlerGuard's per-request reflection, key hashing
 * and headers: this route is Meta's, which reads none of them.
 */
@Injectable()
export class WebhookRateLimitGuard implements CanActivate {
  private readonly limiter: SharedRateLimiter;

  constructor(@Inject(RATE_LIMIT_STORE) store: RateLimitStore) {
    this.limiter = new SharedRateLimiter(
      store,
      'webhook:source',
      WEBHOOK_RATE_LIMIT_PER_MINUTE,
      ONE_MINUTE_MS,
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const source = normalizeIp(http.getRequest<FastifyRequest>().ip);
    const decision = await this.limiter.take(source ?? 'unknown');
    if (decision.allowed) return true;
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    void http.getResponse<FastifyReply>().header('Retry-After', seconds);
    throw new HttpException(
      `Too many deliveries from this address: at most ${WEBHOOK_RATE_LIMIT_PER_MINUTE} a minute, try again in ${seconds} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
