import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../core/public.decorator';
import { DatabaseHealthService } from '../database/database-health.service';
import { HealthResponse } from './health.response';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(private readonly database: DatabaseHealthService) {}

  /** Liveness: answers 200 while the process runs; `status` says whether the database is reachable. */
  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and database state' })
  @ApiOkResponse({ type: HealthResponse })
  check(): HealthResponse {
    const database = this.database.state();
    return {
      status: database.state === 'connected' ? 'ok' : 'degraded',
      database,
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
    };
  }
}
