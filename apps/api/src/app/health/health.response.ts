import type { HealthDto, InboxBacklogDto } from '@instantchat/contracts';
import { ApiProperty } from '@nestjs/swagger';

/*
 * OpenAPI description of HealthDto. The contracts' string-literal unions have no runtime form the
 * swagger plugin could read, so the allowed values are spelled out here, checked against the
 * contract by `implements`.
 */

const STATUSES: HealthDto['status'][] = ['ok', 'degraded'];
const DATABASE_STATES: HealthDto['database']['state'][] = [
  'connected',
  'connecting',
  'disconnected',
  'disconnecting',
];

export class DatabaseHealthResponse implements Readonly<HealthDto['database']> {
  @ApiProperty({ enum: DATABASE_STATES })
  state!: HealthDto['database']['state'];

  @ApiProperty({
    description:
      'True when the API runs its own in-process database (MONGO_URI unset)',
  })
  embedded!: boolean;
}

export class InboxBacklogResponse implements Readonly<InboxBacklogDto> {
  @ApiProperty({
    description: 'Webhook deliveries stored and not yet finished',
  })
  pending!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Seconds since the oldest pending delivery arrived; null when none is pending',
  })
  oldestPendingAgeSeconds!: number | null;
}

export class HealthResponse implements HealthDto {
  @ApiProperty({
    enum: STATUSES,
    description: '`degraded` while the database is unreachable',
  })
  status!: HealthDto['status'];

  @ApiProperty({ type: DatabaseHealthResponse })
  database!: DatabaseHealthResponse;

  @ApiProperty({
    type: InboxBacklogResponse,
    nullable: true,
    description: 'The webhook inbox backlog; null while it cannot be read',
  })
  inbox!: InboxBacklogResponse | null;

  @ApiProperty()
  uptimeSeconds!: number;
}
