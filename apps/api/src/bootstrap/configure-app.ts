import {
  BadRequestException,
  HttpException,
  RequestMethod,
  ValidationPipe,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { raw, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { AppConfigService } from '../app/config/app-config.service';
import { useRealtimeAdapter } from '../app/realtime/realtime-io.adapter';
import { ApiExceptionFilter } from '../app/core/api-exception.filter';
import { bodyParserErrorOf } from '../app/core/body-parser-errors';
import { jsonShapeProblem } from '../app/core/json-bounds';
import { REQUEST_ID_HEADER } from '../app/core/logging/request-id';
import { AppMetrics } from '../app/metrics/app-metrics';
import { METRICS_PATH } from '../app/metrics/metrics.controller';
import { refuseRequestsWhileShuttingDown } from './graceful-shutdown';
import {
  INSTAGRAM_WEBHOOK_PATH,
  WEBHOOK_BODY_LIMIT,
} from '../app/webhook/instagram-webhook.controller';
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
 * the e2e harness. Expects the app to be created with `{ bodyParser: false, rawBody: true }`
 * (see createApp) so the JSON parser is configured here, with its limit.
 */
export async function configureApp(app: NestExpressApplication): Promise<void> {
  const config = app.get(AppConfigService);

  // Signals are handled by main.ts (exitGracefullyOnSignals), with a deadline.
  app.use(refuseRequestsWhileShuttingDown);
  app.disable('x-powered-by');
  app.set('trust proxy', config.http.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: { directives: CONTENT_SECURITY_DIRECTIVES },
    }),
  );
  app.enableCors({
    origin: config.http.clientUrl,
    credentials: true,
    // The dashboard may quote a failed request's id.
    exposedHeaders: [REQUEST_ID_HEADER],
  });

  // Counted and timed from arrival, before its body is read.
  app.use(INSTAGRAM_WEBHOOK_PATH, app.get(AppMetrics).timeWebhookIntake);
  // Meta's webhook is signed over its exact bytes and may be far larger than any API body: its
  // route keeps the raw bytes (req.body is a Buffer) under its own limit. Registered first, so the
  // JSON parser below finds the body already read and leaves it alone.
  app.use(
    INSTAGRAM_WEBHOOK_PATH,
    raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
  );
  // rawBody (from createApp) also keeps the exact bytes of JSON bodies on req.rawBody.
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.use(translateBodyParserErrors);
  app.use(rejectHostileJson);

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

/** Turns body-parser's errors into HTTP exceptions with messages meant for API clients. */
function translateBodyParserErrors(
  error: unknown,
  _request: Request,
  _response: Response,
  next: NextFunction,
): void {
  const known = bodyParserErrorOf(error);
  next(known ? new HttpException(known.message, known.statusCode) : error);
}

/**
 * Refuses parsed bodies nested deeper than MAX_JSON_DEPTH, or holding keys such as `constructor`,
 * before any recursive or object-mapping code walks them.
 */
function rejectHostileJson(
  request: Request,
  _response: Response,
  next: NextFunction,
): void {
  // A raw body (the webhook's bytes) is not parsed JSON: walking its bytes would only cost time.
  if (Buffer.isBuffer(request.body)) {
    next();
    return;
  }
  const problem = jsonShapeProblem(request.body);
  if (problem) {
    next(new BadRequestException(`Request body ${problem}`));
  } else {
    next();
  }
}
