import { RequestMethod, ValidationPipe } from '@nestjs/common';
import { AppConfigService } from '../app/config/app-config.service';
import { useRealtimeAdapter } from '../app/realtime/realtime-io.adapter';
import { ApiExceptionFilter } from '../app/core/api-exception.filter';
import { REQUEST_ID_HEADER } from '../app/core/logging/request-id';
import { AppMetrics } from '../app/metrics/app-metrics';
import { METRICS_PATH } from '../app/metrics/metrics.controller';
import type { HttpApp } from './create-app';
import { allowCrossOrigin } from './cross-origin';
import { refuseRequestsWhileShuttingDown } from './graceful-shutdown';
import {
  INSTAGRAM_WEBHOOK_PATH,
  WEBHOOK_BODY_LIMIT_BYTES,
} from '../app/webhook/instagram-webhook.controller';
import { keepRawBodies, parseRequestBodies } from './request-bodies';
import { sendSecurityHeaders } from './security-headers';
import { setUpSwagger } from './swagger';
import { serveWebDashboard } from './web-dashboard';

export const GLOBAL_PREFIX = 'api';

/** Additions to helmet's default Content-Security-Policy, for the dashboard served from this origin. */
const CONTENT_SECURITY_DIRECTIVES = {
  // Angular's production build loads its stylesheet with `media="print" onload="this.media='all'"`;
  // allow exactly that handler (by hash) rather than inline handlers in general.
  'script-src-attr': [
    "'unsafe-hashes'",
    "'sha256-MhtPZXr7+LpJUY5qtMutB+qWfQtMaPccfe7QXtCcEYc='",
  ],
  // Instagram profile pictures and attachments are served from Meta's CDN: pictures, and the
  // videos and voice messages the chat window plays.
  'img-src': ["'self'", 'data:', 'https:'],
  'media-src': ["'self'", 'https:'],
};

/**
 * Everything global about the HTTP surface, in one place, applied identically by main.ts and by
 * the e2e harness (see createApp for the Fastify options: logger, request ids, proxy, body limit).
 */
export async function configureApp(app: HttpApp): Promise<void> {
  const config = app.get(AppConfigService);
  const fastify = app.getHttpAdapter().getInstance();

  // Signals are handled by main.ts (exitGracefullyOnSignals), with a deadline.
  refuseRequestsWhileShuttingDown(fastify);
  sendSecurityHeaders(fastify, {
    contentSecurityPolicy: { directives: CONTENT_SECURITY_DIRECTIVES },
  });
  allowCrossOrigin(fastify, {
    origin: config.http.clientUrl,
    // The dashboard may quote a failed request's id.
    exposedHeaders: [REQUEST_ID_HEADER],
  });

  // Counted and timed from arrival, before its body is read.
  app.get(AppMetrics).timeWebhookIntake(fastify, INSTAGRAM_WEBHOOK_PATH);
  // Meta's webhook is signed over its exact bytes and may be far larger than any API body: its
  // routes keep the raw bytes (request.body is a Buffer) under their own limit.
  keepRawBodies(fastify, INSTAGRAM_WEBHOOK_PATH, WEBHOOK_BODY_LIMIT_BYTES);
  parseRequestBodies(fastify);

  app.setGlobalPrefix(GLOBAL_PREFIX, {
    exclude: [
      { path: 'webhook/{*path}', method: RequestMethod.ALL },
      // Prometheus scrapes /metrics by convention.
      { path: METRICS_PATH, method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
    }),
  );
  // Also for what Fastify refuses before a route runs (a body too large, a bad Content-Length):
  // Nest hands Fastify's errors to the global filters.
  app.useGlobalFilters(new ApiExceptionFilter());

  // Socket.io shares this HTTP server (path /socket.io), with the same CORS origin and, with
  // REDIS_URL, the Redis adapter.
  await useRealtimeAdapter(app, config);

  // The document maps every route and DTO: useful to whoever builds against the API, and to
  // whoever probes it. Production serves it only when asked (API_DOCS=true).
  if (config.http.apiDocs) {
    setUpSwagger(app);
  }
  serveWebDashboard(app, config.http.webDistDir);
}
