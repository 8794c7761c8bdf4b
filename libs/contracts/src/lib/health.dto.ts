export class HealthDto {
  status!: 'ok' | 'degraded';
  database!: {
    state: 'connected' | 'connecting' | 'disconnected' | 'disconnecting';
    embedded: boolean;
  };
  uptimeSeconds!: number;
}
