/**
 * Durability of the embedded server with a dbPath: the server runs as a child process (the CLI),
 * is killed with SIGKILL in the middle of a stream of writes, and restarted on the same directory.
 * Every write the driver saw acknowledged must be there afterwards; a torn tail of a data file
 * must be skipped with a warning rather than stop the server; and a long history of updates to
 * the same documents must not leave the data directory growing without bound.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(WORKSPACE_ROOT, 'libs/mongo-embedded/src/cli.ts');
const READY = /mongo-embedded listening on (mongodb:\/\/[\d.]+:(\d+))/;
const WARNING = /warn|torn|corrupt|truncat|skip|invalid|damaged/i;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The server CLI in a child process, with everything it printed. */
class ServerProcess {
  output = '';
  uri = '';
  private exited = false;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d) => (this.output += d.toString()));
    child.stderr?.on('data', (d) => (this.output += d.toString()));
    child.once('exit', () => (this.exited = true));
  }

  static async start(
    dbPath: string,
    timeoutMs = 30_000,
  ): Promise<ServerProcess> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        CLI,
        '--port',
        String(port),
        '--dbPath',
        dbPath,
      ],
      {
        cwd: WORKSPACE_ROOT,
        env: {
          ...process.env,
          SWC_NODE_PROJECT: path.join(
            WORKSPACE_ROOT,
            'libs/mongo-embedded/tsconfig.lib.json',
          ),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const server = new ServerProcess(child);
    const deadline = Date.now() + timeoutMs;
    while (!READY.test(server.output)) {
      if (server.exited)
        throw new Error(`server exited before it was ready:\n${server.output}`);
      if (Date.now() > deadline) {
        server.kill();
        throw new Error(
          `server not ready after ${timeoutMs} ms:\n${server.output}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const ready = READY.exec(server.output);
    if (!ready)
      throw new Error(`server printed no listening line:\n${server.output}`);
    server.uri = ready[1];
    return server;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}

const running: ServerProcess[] = [];
const clients: MongoClient[] = [];
const tempDirs: string[] = [];

async function startServer(dbPath: string) {
  const server = await ServerProcess.start(dbPath);
  running.push(server);
  return server;
}

async function connect(uri: string) {
  // No retries and short timeouts: a write to a dead server must fail fast, not be replayed.
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: 3_000,
    retryWrites: false,
    retryReads: false,
    maxPoolSize: 10,
  });
  clients.push(client);
  await client.connect();
  return client;
}

function tempDbPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-embedded-crash-'));
  tempDirs.push(dir);
  return dir;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Bytes under `dir`; a file renamed away while we look (compaction's temp file) counts as 0. */
function dirSize(dir: string): number {
  return filesUnder(dir).reduce(
    (sum, f) => sum + (fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0),
    0,
  );
}

/**
 * The data file the last write went to. The server keeps one append-only journal
 * (`journal.bin`, see src/lib/journal.ts); should the layout change, fall back to the most recently
 * modified non-empty file that is not the lock file.
 */
function lastWrittenFile(dir: string): string {
  const journal = path.join(dir, 'journal.bin');
  if (fs.existsSync(journal)) return journal;
  const files = filesUnder(dir)
    .filter((f) => !f.endsWith('.lock'))
    .map((f) => ({ f, st: fs.statSync(f) }))
    .filter(({ st }) => st.size > 0)
    .sort((a, b) => b.st.mtimeMs - a.st.mtimeMs || b.st.size - a.st.size);
  if (!files.length) throw new Error(`no data files under ${dir}`);
  return files[0].f;
}

afterEach(async () => {
  await Promise.all(
    clients.splice(0).map((c) => c.close(true).catch(() => undefined)),
  );
  await Promise.all(running.splice(0).map((s) => s.kill()));
});

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('crash safety (server CLI with --dbPath, killed with SIGKILL)', () => {
  it('keeps every acknowledged write across SIGKILL and restart', async () => {
    const dbPath = tempDbPath();
    let server = await startServer(dbPath);
    let client = await connect(server.uri);
    let users = client.db('crash').collection<any>('users');
    await users.createIndex({ email: 1 }, { unique: true });

    const ackedInserts: string[] = [];
    const ackedDeletes: string[] = [];
    const deleteAttempted = new Set<string>();
    let ackedCounter = 0;
    let acks = 0;
    let stop = false;
    const payload = 'p'.repeat(300);

    const loop = async (body: (i: number) => Promise<void>) => {
      for (let i = 0; !stop; i++) {
        try {
          await body(i);
          acks++;
        } catch {
          return; // the server is gone
        }
      }
    };
    const writers = [
      loop(async (i) => {
        const id = `one-${i}`;
        await users.insertOne({ _id: id, email: `${id}@x.io`, payload });
        ackedInserts.push(id);
      }),
      loop(async (i) => {
        const ids = Array.from({ length: 25 }, (_, k) => `many-${i}-${k}`);
        await users.insertMany(
          ids.map((id) => ({ _id: id, email: `${id}@x.io`, payload })),
        );
        ackedInserts.push(...ids);
      }),
      loop(async (i) => {
        await users.updateOne(
          { _id: 'counter' },
          { $set: { v: i + 1 }, $setOnInsert: { email: 'counter@x.io' } },
          { upsert: true },
        );
        ackedCounter = i + 1;
      }),
      loop(async () => {
        const victim = ackedInserts.find(
          (id) => id.startsWith('one-') && !deleteAttempted.has(id),
        );
        if (!victim) return new Promise((r) => setTimeout(r, 5));
        deleteAttempted.add(victim);
        const res = await users.deleteOne({ _id: victim });
        expect(res.deletedCount).toBe(1);
        ackedDeletes.push(victim);
      }),
    ];

    // Kill while all four writers are mid-stream.
    const killBy = Date.now() + 20_000;
    while (acks < 600 && Date.now() < killBy)
      await new Promise((r) => setTimeout(r, 5));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await client.close(true).catch(() => undefined);
    expect(ackedInserts.length).toBeGreaterThan(300);
    expect(ackedDeletes.length).toBeGreaterThan(0);

    server = await startServer(dbPath);
    client = await connect(server.uri);
    users = client.db('crash').collection<any>('users');
    const present = new Set(
      (await users.find({}, { projection: { _id: 1 } }).toArray()).map(
        (d) => d._id,
      ),
    );
    const missing = ackedInserts.filter(
      (id) => !deleteAttempted.has(id) && !present.has(id),
    );
    expect(missing).toEqual([]);
    expect(ackedDeletes.filter((id) => present.has(id))).toEqual([]);
    const counter = await users.findOne({ _id: 'counter' });
    expect(counter?.v).toBeGreaterThanOrEqual(ackedCounter);

    // The unique index survived the restart and is still enforced.
    const indexNames = (await users.listIndexes().toArray()).map((i) => i.name);
    expect(indexNames).toContain('email_1');
    const kept = ackedInserts.find((id) => id.startsWith('many-'));
    expect(kept).toBeDefined();
    await expect(
      users.insertOne({ _id: 'dup', email: `${kept}@x.io` }),
    ).rejects.toMatchObject({ code: 11000 });

    // A second crash after the replay loses nothing either.
    await users.insertOne({ _id: 'after-restart', email: 'after@x.io' });
    await server.kill('SIGKILL');
    await client.close(true).catch(() => undefined);
    server = await startServer(dbPath);
    client = await connect(server.uri);
    users = client.db('crash').collection<any>('users');
    expect(await users.findOne({ _id: 'after-restart' })).toMatchObject({
      email: 'after@x.io',
    });
    expect(await users.countDocuments()).toBe(present.size + 1);
    await client.close();
  }, 120_000);

  it('keeps every acknowledged write of 32 concurrent writers across SIGKILL', async () => {
    const dbPath = tempDbPath();
    let server = await startServer(dbPath);
    const writersCount = 32;
    let client = new MongoClient(server.uri, {
      serverSelectionTimeoutMS: 3_000,
      retryWrites: false,
      maxPoolSize: writersCount,
    });
    clients.push(client);
    await client.connect();
    let events = client.db('group').collection<any>('events');
    const acked: string[] = [];
    let stop = false;
    const writers = Array.from({ length: writersCount }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const id = `w${w}-${i}`;
        try {
          await events.insertOne({ _id: id, writer: w, at: new Date() });
        } catch {
          return; // the server is gone
        }
        acked.push(id);
      }
    });
    const killBy = Date.now() + 20_000;
    while (acked.length < 2_000 && Date.now() < killBy)
      await new Promise((r) => setTimeout(r, 5));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await client.close(true).catch(() => undefined);
    expect(acked.length).toBeGreaterThan(500);

    server = await startServer(dbPath);
    client = await connect(server.uri);
    events = client.db('group').collection<any>('events');
    const present = new Set(
      (await events.find({}, { projection: { _id: 1 } }).toArray()).map(
        (d) => d._id,
      ),
    );
    const missing = acked.filter((id) => !present.has(id));
    expect({ acked: acked.length, missing }).toEqual({
      acked: acked.length,
      missing: [],
    });
    await client.close();
  }, 90_000);

  it('skips garbage appended to the last data file with a warning, and keeps later writes', async () => {
    const dbPath = tempDbPath();
    let server = await startServer(dbPath);
    let client = await connect(server.uri);
    await client
      .db('torn')
      .collection<any>('docs')
      .insertMany(
        Array.from({ length: 200 }, (_, i) => ({ _id: i, v: `value-${i}` })),
      );
    await server.kill('SIGKILL');
    await client.close(true).catch(() => undefined);

    const victim = lastWrittenFile(dbPath);
    fs.appendFileSync(
      victim,
      Buffer.concat([
        Buffer.from('{"op":"insert","doc":{"_id":'),
        Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x13]),
      ]),
    );

    server = await startServer(dbPath);
    expect(server.output).toMatch(WARNING);
    client = await connect(server.uri);
    let docs = client.db('torn').collection<any>('docs');
    expect(await docs.countDocuments()).toBe(200);
    expect(await docs.findOne({ _id: 199 })).toEqual({
      _id: 199,
      v: 'value-199',
    });

    // Writes made after the recovery must not end up behind the garbage, unreadable next time.
    await docs.insertOne({ _id: 'post-recovery', v: 'ok' });
    await server.kill('SIGKILL');
    await client.close(true).catch(() => undefined);
    server = await startServer(dbPath);
    client = await connect(server.uri);
    docs = client.db('torn').collection<any>('docs');
    expect(await docs.countDocuments()).toBe(201);
    expect(await docs.findOne({ _id: 'post-recovery' })).toEqual({
      _id: 'post-recovery',
      v: 'ok',
    });
    await client.close();
  }, 60_000);

  it('skips a truncated last record with a warning and keeps everything before it', async () => {
    const dbPath = tempDbPath();
    let server = await startServer(dbPath);
    let client = await connect(server.uri);
    const docs = client.db('torn').collection<any>('docs');
    await docs.insertMany(
      Array.from({ length: 100 }, (_, i) => ({ _id: i, v: `value-${i}` })),
    );
    await docs.insertOne({ _id: 'last', v: 'x'.repeat(500) });
    await server.kill('SIGKILL');
    await client.close(true).catch(() => undefined);

    const victim = lastWrittenFile(dbPath);
    const size = fs.statSync(victim).size;
    fs.truncateSync(victim, size - 7);

    server = await startServer(dbPath);
    expect(server.output).toMatch(WARNING);
    client = await connect(server.uri);
    const after = client.db('torn').collection<any>('docs');
    const ids = new Set((await after.find({}).toArray()).map((d) => d._id));
    for (let i = 0; i < 100; i++) expect(ids.has(i)).toBe(true);
    expect(ids.has('last')).toBe(false);
    await after.insertOne({ _id: 'again', v: 'ok' });
    expect(await after.countDocuments()).toBe(101);
    await client.close();
  }, 60_000);

  it('loses no acknowledged update when killed amid updates that keep triggering compaction', async () => {
    const dbPath = tempDbPath();
    let server = await startServer(dbPath);
    let client = await connect(server.uri);
    let coll = client.db('compact').collection<any>('churn');
    const DOCS = 40;
    const blob = (round: number) => `${round}:`.padEnd(3_000, 'q');
    await coll.insertMany(
      Array.from({ length: DOCS }, (_, i) => ({
        _id: i,
        round: 0,
        blob: blob(0),
      })),
    );
    const acked = new Array<number>(DOCS).fill(0);
    let written = 0;
    let stop = false;
    // Two writers so that a compaction and new appends overlap; the kill lands at a random
    // point after several compactions' worth of journal (the threshold is ~4 MB).
    const writer = async (offset: number) => {
      for (let round = 1; !stop; round++) {
        const ids = Array.from({ length: DOCS / 2 }, (_, k) => k * 2 + offset);
        try {
          await coll.bulkWrite(
            ids.map((i) => ({
              updateOne: {
                filter: { _id: i },
                update: { $set: { round, blob: blob(round) } },
              },
            })),
          );
        } catch {
          return;
        }
        for (const i of ids) acked[i] = round;
        written += (DOCS / 2) * 3_000;
      }
    };
    const writers = [writer(0), writer(1)];
    const killAt = (9 + Math.random() * 6) * 1024 * 1024;
    const deadline = Date.now() + 40_000;
    while (written < killAt && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 2));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await client.close(true).catch(() => undefined);
    expect(written).toBeGreaterThan(8 * 1024 * 1024);

    server = await startServer(dbPath);
    client = await connect(server.uri);
    coll = client.db('compact').collection<any>('churn');
    const docs = await coll.find({}).sort({ _id: 1 }).toArray();
    expect(docs).toHaveLength(DOCS);
    const behind = docs
      .filter((d) => d.round < acked[d._id] || d.blob !== blob(d.round))
      .map((d) => ({ id: d._id, round: d.round, acked: acked[d._id] }));
    expect(behind).toEqual([]);
    await client.close();
  }, 90_000);

  it('keeps the data directory bounded after many updates of the same documents', async () => {
    const dbPath = tempDbPath();
    let server = await startServer(dbPath);
    let client = await connect(server.uri);
    let coll = client.db('compact').collection<any>('hot');
    const DOCS = 50;
    const ROUNDS = 240;
    const DOC_BYTES = 2_000;
    const blob = (round: number) => `${round}:`.padEnd(DOC_BYTES, 'z');
    await coll.insertMany(
      Array.from({ length: DOCS }, (_, i) => ({
        _id: i,
        round: 0,
        blob: blob(0),
      })),
    );
    const liveBytes = DOCS * DOC_BYTES;
    let written = liveBytes;
    let largestSeen = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      await coll.bulkWrite(
        Array.from({ length: DOCS }, (_, i) => ({
          updateOne: {
            filter: { _id: i },
            update: { $set: { round, blob: blob(round) } },
          },
        })),
      );
      written += liveBytes;
      largestSeen = Math.max(largestSeen, dirSize(dbPath));
    }
    await server.kill('SIGKILL');
    await client.close(true).catch(() => undefined);

    server = await startServer(dbPath);
    client = await connect(server.uri);
    coll = client.db('compact').collection<any>('hot');
    const docs = await coll.find({}).sort({ _id: 1 }).toArray();
    expect(docs).toHaveLength(DOCS);
    expect(
      docs.every((d) => d.round === ROUNDS && d.blob === blob(ROUNDS)),
    ).toBe(true);

    // ~24 MB of document images went through the journal. The server compacts once the journal
    // exceeds 2 x live data + 4 MB (src/lib/journal.ts), so neither the directory after the
    // restart nor its largest size along the way may come anywhere near what was written. While a
    // compaction runs, the old journal and the new file exist side by side: the snapshot (the live
    // data), and each round written meanwhile twice (in the old journal and again behind the
    // snapshot). Writes go on during a compaction, so on a loaded machine a few rounds land in it:
    // four are allowed for.
    const threshold = 2 * liveBytes + 4 * 1024 * 1024;
    const roundsDuringCompaction = 4;
    const bound =
      threshold +
      liveBytes +
      roundsDuringCompaction * 2 * liveBytes +
      liveBytes; // + the round that crossed it
    const size = dirSize(dbPath);
    expect({ written, largestSeen, size }).toEqual({
      written,
      largestSeen: expect.any(Number),
      size: expect.any(Number),
    });
    expect(size).toBeLessThan(written / 4);
    expect(size).toBeLessThan(bound);
    expect(largestSeen).toBeLessThan(bound);

    // And the compacted directory still holds everything after one more crash.
    await coll.updateOne({ _id: 0 }, { $set: { round: ROUNDS + 1 } });
    await server.kill('SIGKILL');
    await client.close(true).catch(() => undefined);
    server = await startServer(dbPath);
    client = await connect(server.uri);
    coll = client.db('compact').collection<any>('hot');
    expect(await coll.countDocuments()).toBe(DOCS);
    expect((await coll.findOne({ _id: 0 }))?.round).toBe(ROUNDS + 1);
    expect((await coll.findOne({ _id: 1 }))?.blob).toBe(blob(ROUNDS));
    await client.close();
  }, 120_000);
});
