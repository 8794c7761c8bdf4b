import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../core/public.decorator';
import { DatabaseHealthService } from '../database/database-health.service';
import { InboxBacklog } from '../metrics/inbox-backlog';
import { HealthResponse } from './health.response';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly database: DatabaseHealthService,
    private readonly inboxBacklog: InboxBacklog,
  ) {}

  /**
   * 200 while the process runs and reaches its database; 503 (same body, `degraded`) while the
   * database is unreachable, so a load balancer sends traffic elsewhere. The webhook inbox's
   * backlog is reported, not judged: a backlog is for an alert, not a reason to take the
   * instance out of rotation.
   */
  @Public()
  @Get()
  @ApiOperation({
    summary: 'Liveness, database state and the webhook inbox backlog',
  })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({
    type: HealthResponse,
    description: 'The database is unreachable (`status: degraded`)',
  })
  async check(
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<HealthResponse> {
    const database = await this.database.state();
    const healthy = database.state === 'connected';
    void response.status(
      healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE,
    );
    return {
      status: healthy ? 'ok' : 'degraded',
      database,
      inbox: healthy ? await this.inboxBacklog.read() : null,
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
    };
  }
}
