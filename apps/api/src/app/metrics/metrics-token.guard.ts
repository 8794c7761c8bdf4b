import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfigService } from '../config/app-config.service';

/**
 * `/metrics` is not public: without METRICS_TOKEN it does not exist (404); with it, a scrape
 * must present `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise).
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.metrics.token;
    if (!expected) throw new NotFoundException('Cannot GET /metrics');
    const http = context.switchToHttp();
    const given = bearerTokenOf(http.getRequest<FastifyRequest>());
    if (given === undefined || !sameSecret(given, expected)) {
      http
        .getResponse<FastifyReply>()
        .header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedException(
        given === undefined
          ? 'Metrics need Authorization: Bearer <METRICS_TOKEN>'
          : 'Invalid metrics token',
      );
    }
    return true;
  }
}

function bearerTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
