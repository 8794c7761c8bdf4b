import { startEmbeddedMongo } from '@instantchat/mongo-embedded';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';

export const EMBEDDED_DATABASE_NAME = 'instantchat';

/**
 * Decides where the data lives: the MongoDB named by MONGO_URI, or an embedded server started
 * in this process (data under DATA_DIR/db) so a fresh checkout runs without installing MongoDB.
 */
@Injectable()
export class DatabaseServer {
  private readonly logger = new Logger(DatabaseServer.name);
  private embedded?: { stop(): Promise<void> };

  constructor(private readonly config: AppConfigService) {}

  get isEmbedded(): boolean {
    return this.config.database.uri === undefined;
  }

  async connectionUri(): Promise<string> {
    const configured = this.config.database.uri;
    if (configured !== undefined) return configured;

    const server = await startEmbeddedMongo({
      host: '127.0.0.1',
      port: 0,
      dbPath: this.config.database.embeddedDbPath,
    });
    this.embedded = server;
    this.logger.log(
      `MONGO_URI is not set: started the embedded database (data in ${this.config.database.embeddedDbPath})`,
    );
    return withDatabaseName(server.uri, EMBEDDED_DATABASE_NAME);
  }

  async stop(): Promise<void> {
    const embedded = this.embedded;
    this.embedded = undefined;
    await embedded?.stop();
  }
}

/** Puts `databaseName` in the path of a mongodb:// URI, keeping host list and options. */
export function withDatabaseName(uri: string, databaseName: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error('Not a mongodb:// connection string');
  return `${match[1]}/${databaseName}${match[2] ?? ''}`;
}
