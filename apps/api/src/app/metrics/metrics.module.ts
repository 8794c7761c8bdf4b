import { Global, Module } from '@nestjs/common';
import { AppMetrics } from './app-metrics';
import { InboxBacklog } from './inbox-backlog';
import { MetricsController } from './metrics.controller';
import { MetricsTokenGuard } from './metrics-token.guard';

/**
 * Prometheus metrics at `GET /metrics` and the inbox backlog seam. Global: the features that
 * record (webhook, Instagram sends, realtime) and the health check inject its services.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [AppMetrics, InboxBacklog, MetricsTokenGuard],
  exports: [AppMetrics, InboxBacklog],
})
export class MetricsModule {}
