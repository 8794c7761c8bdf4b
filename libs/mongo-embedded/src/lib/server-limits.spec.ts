import { BSON } from 'bson';
import * as net from 'node:net';
import {
  closed,
  openSocket,
  opMsg,
  ping,
  replyBody,
  sendRaw,
} from '../test/raw-wire-client';
import { Catalog } from './catalog';
import { CommandDispatcher } from './commands';
import { CursorManager } from './cursor-manager';
import { startEmbeddedMongo } from './embedded-mongo';
import { ConnectionLimits, WireServer } from './server';
import { OP_MSG } from './wire-protocol';

const servers: WireServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(limits: Partial<ConnectionLimits> = {}) {
  const logged: string[] = [];
  const server = new WireServer(
    new CommandDispatcher(new Catalog(), new CursorManager()),
    undefined,
    (m) => logged.push(m),
    limits,
  );
  servers.push(server);
  const port = await server.listen(0, '127.0.0.1');
  return { server, port, logged };
}

async function connect(port: number): Promise<net.Socket> {
  const socket = await openSocket(port);
  socket.on('error', () => undefined); // a close by the server is what some tests expect
  sockets.push(socket);
  return socket;
}

const until = async (condition: () => boolean, timeoutMs = 3_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** The first `sent` bytes of an OP_MSG that declares `declared` bytes in all. */
function halfSentMessage(declared: number, sent: number): Buffer {
  const head = Buffer.alloc(sent);
  head.writeInt32LE(declared, 0);
  head.writeInt32LE(OP_MSG, 12);
  return head;
}

describe('wire server: malformed input closes only its connection', () => {
  it('answers and closes on a small message with a kind-1 section of size -1, then serves others', async () => {
    const { port, logged } = await startServer();
    const body = Buffer.from(BSON.serialize({ insert: 'c', $db: 'd' }));
    const message = Buffer.concat([
      opMsg({ insert: 'c', $db: 'd' }).subarray(0, 21),
      body,
      Buffer.from([1, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from('documents\0'),
    ]);
    message.writeInt32LE(message.length, 0);
    expect(message.length).toBeLessThan(100); // the report's was 58 bytes

    const started = Date.now();
    const { received, closedByServer } = await sendRaw(port, message, 3_000);
    expect(closedByServer).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(replyBody(received)).toMatchObject({
      ok: 0,
      code: 9,
      errmsg: expect.stringMatching(/document sequence has size -1/),
    });
    expect(logged.join('\n')).toMatch(
      /closing connection \d+ .*malformed message .*size -1/,
    );
    await ping(port);
  });

  it('closes a connection whose message length is below the header or above the largest message', async () => {
    const { port, logged } = await startServer({
      maxBytesInFlightPerConnection: 1_000_000,
    });
    for (const length of [-1, 0, 15, 1_000_001]) {
      const { closedByServer } = await sendRaw(
        port,
        halfSentMessage(length, 16),
        2_000,
      );
      expect(closedByServer).toBe(true);
    }
    expect(logged.filter((l) => /invalid message length/.test(l))).toHaveLength(
      4,
    );
    await ping(port);
  });

  it('closes a connection that sends BSON nested 100,000 deep, without overflowing the stack', async () => {
    const { port, logged } = await startServer();
    const depth = 100_000;
    const doc = Buffer.alloc(depth * 8 + 5);
    let size = 5;
    doc.writeInt32LE(5, depth * 7);
    for (let level = depth - 1; level >= 0; level--) {
      size += 8;
      doc.writeInt32LE(size, level * 7);
      doc.write('\x03a\0', level * 7 + 4, 'latin1');
    }
    const message = Buffer.concat([Buffer.alloc(21), doc]);
    message.writeInt32LE(message.length, 0);
    message.writeInt32LE(OP_MSG, 12);
    const { closedByServer } = await sendRaw(port, message, 3_000);
    expect(closedByServer).toBe(true);
    expect(logged.join('\n')).toMatch(/nested deeper than 200 levels/);
    await ping(port);
  });
});

describe('wire server: limits', () => {
  it('refuses connections beyond maxConnections and says so once', async () => {
    const { port, logged } = await startServer({ maxConnections: 3 });
    const open = await Promise.all([1, 2, 3].map(() => connect(port)));
    await until(() => servers[0].connectionCount === 3);
    const extra = await Promise.all([1, 2].map(() => connect(port)));
    await Promise.all(extra.map((s) => closed(s, 2_000)));
    expect(logged.join('\n')).toMatch(
      /refused 1 connection\(s\).*3 connections are open \(limits\.maxConnections\)/,
    );
    expect(logged).toHaveLength(1);
    open[0].destroy();
    await until(() => servers[0].connectionCount === 2);
    await ping(port);
  });

  it('keeps the bytes of half-sent messages under maxBytesInFlightTotal by closing the heaviest connections', async () => {
    const limits = {
      maxBytesInFlightPerConnection: 4 * 1024 * 1024,
      maxBytesInFlightTotal: 8 * 1024 * 1024,
    };
    const { server, port, logged } = await startServer(limits);
    const attackers = await Promise.all(
      Array.from({ length: 50 }, () => connect(port)),
    );
    let largestSeen = 0;
    const watch = setInterval(
      () => (largestSeen = Math.max(largestSeen, server.bytesInFlight)),
      1,
    );
    // Each declares a 4 MB message and sends 1 MB of it: 50 MB unbounded, 8 MB allowed.
    await Promise.all(
      attackers.map(
        (s) =>
          new Promise<void>((resolve) =>
            s.write(halfSentMessage(4 * 1024 * 1024, 1024 * 1024), () =>
              resolve(),
            ),
          ),
      ),
    ).catch(() => undefined);
    // 8 x 1 MB fit in the limit; the other 42 connections must be closed.
    await until(
      () => attackers.filter((s) => s.destroyed).length >= 42,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 100));
    clearInterval(watch);
    expect(server.bytesInFlight).toBeLessThanOrEqual(
      limits.maxBytesInFlightTotal,
    );
    expect(largestSeen).toBeLessThanOrEqual(
      limits.maxBytesInFlightTotal + 64 * 1024,
    );
    expect(server.connectionCount).toBeLessThanOrEqual(8);
    expect(logged.join('\n')).toMatch(/limits\.maxBytesInFlightTotal/);
    await ping(port);
    attackers.forEach((s) => s.destroy());
    await until(() => server.bytesInFlight === 0);
  });

  it('closes a connection that sends nothing for idleTimeoutMs, and keeps a busy one', async () => {
    const { port } = await startServer({ idleTimeoutMs: 300 });
    const idle = await connect(port);
    const busy = await connect(port);
    let answers = 0;
    busy.on('data', () => answers++);
    const keepBusy = setInterval(
      () => busy.write(opMsg({ ping: 1, $db: 'admin' })),
      50,
    );
    const t0 = Date.now();
    await closed(idle, 3_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await new Promise((r) => setTimeout(r, 400));
    clearInterval(keepBusy);
    expect(busy.destroyed).toBe(false);
    expect(answers).toBeGreaterThan(5);
  });

  it('does not buffer the replies of a client that does not read them', async () => {
    const { port } = await startServer();
    const big = 'x'.repeat(1_000_000);
    const writer = await connect(port);
    writer.write(
      opMsg({ insert: 'c', documents: [{ _id: 1, big }], $db: 'unread' }),
    );
    await new Promise((r) => writer.once('data', r));
    // 200 finds of a 1 MB document, pipelined by a client that never reads: 200 MB of replies.
    const reader = await connect(port);
    reader.pause();
    const before = process.memoryUsage().arrayBuffers;
    reader.write(
      Buffer.concat(
        Array.from({ length: 200 }, (_, i) =>
          opMsg({ find: 'c', filter: {}, $db: 'unread' }, i + 1),
        ),
      ),
    );
    let peak = 0;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 10));
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    }
    expect(peak).toBeLessThan(40 * 1024 * 1024);
    // Once the client reads, every reply arrives.
    let received = 0;
    reader.on('data', (d: Buffer) => (received += d.length));
    reader.resume();
    await until(() => received >= 200 * 1_000_000, 20_000);
  }, 30_000);

  it('stops reading a connection whose queued requests reach maxBytesInFlightPerConnection', async () => {
    const cap = 2 * 1024 * 1024;
    const { server, port } = await startServer({
      maxBytesInFlightPerConnection: cap,
    });
    const writer = await connect(port);
    writer.write(
      opMsg({
        insert: 'c',
        documents: [{ _id: 1, big: 'x'.repeat(1_000_000) }],
        $db: 'queued',
      }),
    );
    await new Promise((r) => writer.once('data', r));
    const client = await connect(port);
    client.pause();
    // Unread 1 MB replies fill the socket's buffers and hold the queue; 50 inserts of 100 kB pile
    // up behind them.
    const requests = Buffer.concat([
      ...Array.from({ length: 20 }, (_, i) =>
        opMsg({ find: 'c', filter: {}, $db: 'queued' }, 100 + i),
      ),
      ...Array.from({ length: 50 }, (_, i) =>
        opMsg(
          {
            insert: 'd',
            documents: [{ _id: i, v: 'y'.repeat(100_000) }],
            $db: 'queued',
          },
          i + 2,
        ),
      ),
    ]);
    client.write(requests);
    let peak = 0;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 10));
      peak = Math.max(peak, server.bytesInFlight);
    }
    expect(peak).toBeGreaterThan(cap / 2);
    expect(peak).toBeLessThanOrEqual(cap + 200_000);
    // Reading the replies lets everything through.
    client.resume();
    await until(() => server.bytesInFlight === 0, 10_000);
  }, 30_000);

  it('lets the driver carry on after its idle pooled connections were closed', async () => {
    const mongo = await startEmbeddedMongo({ limits: { idleTimeoutMs: 300 } });
    const { MongoClient } = await import('mongodb');
    // The monitor's heartbeat keeps its own connection busy; the pooled one goes idle.
    const client = new MongoClient(mongo.uri, { heartbeatFrequencyMS: 100 });
    let pooledConnectionsClosed = 0;
    client.on('connectionClosed', () => pooledConnectionsClosed++);
    try {
      const coll = client.db('idle').collection('c');
      await coll.insertOne({ n: 1 });
      await new Promise((r) => setTimeout(r, 800));
      await coll.insertOne({ n: 2 });
      expect(pooledConnectionsClosed).toBeGreaterThan(0);
      expect(await coll.countDocuments()).toBe(2);
    } finally {
      await client.close();
      await mongo.stop();
    }
  });

  it('refuses limits that are not positive integers before touching the disk', async () => {
    await expect(
      startEmbeddedMongo({ limits: { maxConnections: 0 } }),
    ).rejects.toThrow(/limits\.maxConnections must be a positive integer/);
    await expect(
      startEmbeddedMongo({ limits: { idleTimeoutMs: Number.NaN } }),
    ).rejects.toThrow(/limits\.idleTimeoutMs/);
  });
});
