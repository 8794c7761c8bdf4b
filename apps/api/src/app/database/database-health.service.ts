import type { HealthDto } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, ConnectionStates } from 'mongoose';
import { DatabaseServer } from './database-server';

export type DatabaseState = HealthDto['database']['state'];

/** A health check must answer quickly even when the database does not. */
const PING_TIMEOUT_MS = 1_000;

@Injectable()
export class DatabaseHealthService {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly server: DatabaseServer,
  ) {}

  /**
   * The connection's state, confirmed by a ping when it claims to be connected: the driver only
   * notices a vanished server at its next heartbeat, and until then still says "connected".
   */
  async state(): Promise<HealthDto['database']> {
    let state = toDatabaseState(this.connection.readyState);
    if (state === 'connected' && !(await this.answersPing())) {
      state = 'disconnected';
    }
    return { state, embedded: this.server.isEmbedded };
  }

  private async answersPing(): Promise<boolean> {
    const db = this.connection.db;
    if (!db) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        db.command({ ping: 1 }).then(
          () => true,
          () => false,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function toDatabaseState(readyState: ConnectionStates): DatabaseState {
  switch (readyState) {
    case ConnectionStates.connected:
      return 'connected';
    case ConnectionStates.connecting:
      return 'connecting';
    case ConnectionStates.disconnecting:
      return 'disconnecting';
    default:
      return 'disconnected';
  }
}
