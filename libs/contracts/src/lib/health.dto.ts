/** The webhook inbox's backlog: deliveries stored and not yet finished. */
export class InboxBacklogDto {
  pending!: number;
  /** Seconds since the oldest pending delivery arrived; null when none is pending. */
  oldestPendingAgeSeconds!: number | null;
}

export class HealthDto {
  status!: 'ok' | 'degraded';
  database!: {
    state: 'connected' | 'connecting' | 'disconnected' | 'disconnecting';
    embedded: boolean;
  };
  /** Null while it cannot be read (the database is unreachable). */
  inbox!: InboxBacklogDto | null;
  uptimeSeconds!: number;
}
