import type { HealthDto } from '@instantchat/contracts';
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

export class HealthResponse implements HealthDto {
  @ApiProperty({
    enum: STATUSES,
    description: '`degraded` while the database is unreachable',
  })
  status!: HealthDto['status'];

  @ApiProperty({ type: DatabaseHealthResponse })
  database!: DatabaseHealthResponse;

  @ApiProperty()
  uptimeSeconds!: number;
}
