import {
  startEmbeddedMongo,
  startEmbeddedMongoThread,
} from '@instantchat/mongo-embedded';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';

export const EMBEDDED_DATABASE_NAME = 'instantchat';

/**
 * The embedded database's thread script, built beside main.js (webpack's `embedded-db-worker`
 * entry). Absent when the API runs from its TypeScript sources (the tests): the server then runs
 * on the API's own thread.
 */
const EMBEDDED_DB_THREAD_SCRIPT = join(__dirname, 'embedded-db-worker.js');

/**
 * Decides where the data lives: the MongoDB named by MONGO_URI, or an embedded server started
 * in this process (data under DATA_DIR/db) so a fresh checkout runs without installing MongoDB.
 * The built API runs that server on a thread of its own, as a real MongoDB is a process of its own:
 * its commands, index upkeep and journal writes use the machine's other core, and the documents it
 * holds are not in the heap the API's garbage collector traces.
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

    const options = {
      host: '127.0.0.1',
      port: 0,
      dbPath: this.config.database.embeddedDbPath,
    };
    const onThread = existsSync(EMBEDDED_DB_THREAD_SCRIPT);
    const server = onThread
      ? await startEmbeddedMongoThread(EMBEDDED_DB_THREAD_SCRIPT, {
          ...options,
          onUnexpectedExit: (reason) => {
            // Nothing answers the API's queries any more; a restart recovers from the journal.
            this.logger.fatal(`${reason}: exiting`);
            process.exit(1);
          },
        })
      : await startEmbeddedMongo(options);
    this.embedded = server;
    this.logger.log(
      `MONGO_URI is not set: started the embedded database${onThread ? ' on its own thread' : ''} (data in ${this.config.database.embeddedDbPath})`,
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
