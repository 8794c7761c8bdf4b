import {
  type EmbeddedMongo,
  startEmbeddedMongo,
} from '@instantchat/mongo-embedded';
import {
  type Collection,
  type CommandStartedEvent,
  type Document,
  MongoClient,
} from 'mongodb';
import { withDatabaseName } from '../database/database-server';

/**
 * A real embedded database of its own and a driver client that records every command it sends,
 * for specs that count what reaches the database.
 */
export class RecordedDatabase {
  /** Every command sent, in order; specs empty it between tests (`commands.length = 0`). */
  readonly commands: CommandStartedEvent[] = [];

  private constructor(
    private readonly mongo: EmbeddedMongo,
    private readonly client: MongoClient,
  ) {
    client.on('commandStarted', (event) => this.commands.push(event));
  }

  static async start(databaseName: string): Promise<RecordedDatabase> {
    const mongo = await startEmbeddedMongo({ port: 0 });
    const client = await MongoClient.connect(
      withDatabaseName(mongo.uri, databaseName),
      { monitorCommands: true },
    );
    return new RecordedDatabase(mongo, client);
  }

  collection(name: string): Collection<Document> {
    return this.client.db().collection(name);
  }

  /** The recorded commands of one kind (`insert`, `find`, …). */
  named(commandName: string): CommandStartedEvent[] {
    return this.commands.filter((event) => event.commandName === commandName);
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.mongo.stop();
  }
}
