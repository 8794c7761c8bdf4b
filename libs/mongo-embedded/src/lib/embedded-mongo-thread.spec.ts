import { MongoClient } from 'mongodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmbeddedMongoThread } from './embedded-mongo-thread';

const SERVER_THREAD = path.join(__dirname, '../test/thread/server-thread.js');
const WORKSPACE_ROOT = path.resolve(__dirname, '../../../..');

describe('startEmbeddedMongoThread', () => {
  let dbPath: string;

  beforeAll(() => {
    // The thread compiles the library's TypeScript as it loads it.
    process.env['SWC_NODE_PROJECT'] = path.join(
      WORKSPACE_ROOT,
      'libs/mongo-embedded/tsconfig.lib.json',
    );
    dbPath = mkdtempSync(path.join(tmpdir(), 'mongo-embedded-thread-'));
  });

  afterAll(() => rmSync(dbPath, { recursive: true, force: true }));

  it('serves the wire protocol from another thread, durably, and stops cleanly', async () => {
    const logs: string[] = [];
    const server = await startEmbeddedMongoThread(SERVER_THREAD, {
      dbPath,
      log: (message) => logs.push(message),
    });
    expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+$/);
    const client = await MongoClient.connect(server.uri);
    try {
      const notes = client.db('t').collection('notes');
      await notes.insertMany([{ n: 1 }, { n: 2 }]);
      await notes.createIndex({ n: 1 }, { unique: true });
      await expect(notes.insertOne({ n: 1 })).rejects.toMatchObject({
        code: 11000,
      });
    } finally {
      await client.close();
    }
    await server.stop();
    await server.stop(); // a second stop is a no-op

    // The journal the thread wrote is there for the next start, in another thread.
    const again = await startEmbeddedMongoThread(SERVER_THREAD, { dbPath });
    const reader = await MongoClient.connect(again.uri);
    try {
      const found = await reader
        .db('t')
        .collection('notes')
        .find({}, { projection: { _id: 0 } })
        .sort({ n: 1 })
        .toArray();
      expect(found).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await reader.close();
      await again.stop();
    }
  }, 30_000);

  it('fails to start with the server’s own reason, leaving no thread behind', async () => {
    await expect(
      startEmbeddedMongoThread(SERVER_THREAD, { port: 70_000 }),
    ).rejects.toThrow(/port/i);
  });

  it('tells the caller when the thread ends without being stopped, and only then', async () => {
    const exits: string[] = [];
    const dying = await startEmbeddedMongoThread(
      path.join(__dirname, '../test/thread/dies-after-start.js'),
      { onUnexpectedExit: (reason) => exits.push(reason) },
    );
    const deadline = Date.now() + 10_000;
    while (exits.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(exits).toEqual([expect.stringContaining('code 3')]);
    await dying.stop(); // already gone: resolves at once

    const calm: string[] = [];
    const server = await startEmbeddedMongoThread(SERVER_THREAD, {
      onUnexpectedExit: (reason) => calm.push(reason),
    });
    await server.stop();
    expect(calm).toEqual([]);
  }, 30_000);
});
