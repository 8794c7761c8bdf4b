import type { HealthDto } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, ConnectionStates } from 'mongoose';
import { DatabaseServer } from './database-server';

export type DatabaseState = HealthDto['database']['state'];

@Injectable()
export class DatabaseHealthService {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly server: DatabaseServer,
  ) {}

  state(): HealthDto['database'] {
    return {
      state: toDatabaseState(this.connection.readyState),
      embedded: this.server.isEmbedded,
    };
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
