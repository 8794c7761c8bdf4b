import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiErrorResponse } from '../core/api-error-response';
import { Public } from '../core/public.decorator';
import { AppMetrics } from './app-metrics';
import { MetricsTokenGuard } from './metrics-token.guard';

/** Where Prometheus scrapes (outside the `/api` prefix, as scrapers expect). */
export const METRICS_PATH = 'metrics';
/** The OpenAPI security scheme of the metrics token (declared in the document's setup). */
export const METRICS_TOKEN_SCHEME = 'metricsToken';

@ApiTags('metrics')
@Controller(METRICS_PATH)
export class MetricsController {
  constructor(private readonly metrics: AppMetrics) {}

  /** Public to the JWT guard: the metrics token guards it instead. */
  @Public()
  @Get()
  @UseGuards(MetricsTokenGuard)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth(METRICS_TOKEN_SCHEME)
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Webhook intake rate and latency, inbox backlog and the age of its oldest pending ' +
      'delivery, Send API outcomes by Meta error code, socket connections and the process ' +
      'metrics, in Prometheus text format. Only with METRICS_TOKEN set, as a Bearer token.',
  })
  @ApiOkResponse({
    description: 'Prometheus text format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiUnauthorizedResponse({
    type: ApiErrorResponse,
    description: 'No or wrong `Authorization: Bearer <METRICS_TOKEN>`',
  })
  @ApiNotFoundResponse({
    type: ApiErrorResponse,
    description: 'METRICS_TOKEN is not set: metrics are not served',
  })
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
