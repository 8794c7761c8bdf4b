import { startEmbeddedMongo } from '@instantchat/mongo-embedded';
import { type Db, MongoClient } from 'mongodb';
import { join } from 'node:path';

/** The database the API uses on the embedded server (database-server.ts). */
const DATABASE_NAME = 'instantchat';

/**
 * Opens the API's embedded database under `dataDir` while the API is stopped, for writing seed data
 * straight through the driver, and closes it after `work`.
 */
export async function withApiDatabase(
  dataDir: string,
  work: (db: Db) => Promise<void>,
): Promise<void> {
  const server = await startEmbeddedMongo({
    host: '127.0.0.1',
    port: 0,
    dbPath: join(dataDir, 'db'),
  });
  const client = new MongoClient(server.uri);
  try {
    await client.connect();
    await work(client.db(DATABASE_NAME));
  } finally {
    await client.close();
    await server.stop();
  }
}
