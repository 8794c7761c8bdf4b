/**
 * Random and adversarial wire messages against a running embedded server (fast-check). Whatever a
 * client sends — lengths that lie, truncated sections, unknown opCodes and flags, deeply nested
 * BSON, bytes at random — the server must end that exchange (answer it, or close the connection
 * when the client hangs up), log nothing that looks like a crash, keep answering a `ping` from a
 * fresh connection within a bound, and keep its memory bounded. Each property is bounded in runs
 * and in time, so the suite stays well under a minute.
 */
import { BSON, Document } from 'bson';
import fc from 'fast-check';
import * as net from 'node:net';
import { EmbeddedMongo, startEmbeddedMongo } from '../index';
import { crc32c, OP_MSG, OP_QUERY } from '../lib/wire-protocol';
import { ping, replyBody } from './raw-wire-client';

const PING_BOUND_MS = 2_000;
const EXCHANGE_BOUND_MS = 3_000;
const RUNS = 150;
const TIME_LIMIT_MS = 8_000;
const MEMORY_GROWTH_BOUND = 150 * 1024 * 1024;

let server: EmbeddedMongo;
const logged: string[] = [];
let memoryBefore = 0;
const memory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

beforeAll(async () => {
  server = await startEmbeddedMongo({ log: (m) => logged.push(m) });
  await ping(server.port);
  memoryBefore = memory();
});
afterAll(() => server?.stop());

/**
 * Sends `bytes`, hangs up, and resolves with what came back once the server has closed its side.
 * A server that never closes (a hang) fails the exchange after EXCHANGE_BOUND_MS.
 */
function exchange(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(server.port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `server kept the connection open past ${EXCHANGE_BOUND_MS} ms`,
        ),
      );
    }, EXCHANGE_BOUND_MS);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined); // a reset by the server is an answer too
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.end(bytes);
  });
}

/** The checks after every generated message: no crash logged, a fresh ping answered in time. */
async function serverStillHealthy(): Promise<void> {
  const crashes = logged.filter(
    (l) => /unexpected error/.test(l) || /\n\s+at /.test(l),
  );
  expect(crashes).toEqual([]);
  await ping(server.port, PING_BOUND_MS);
}

// --- building messages ------------------------------------------------------------------------

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n | 0, 0);
  return b;
};
const bson = (doc: Document) => Buffer.from(BSON.serialize(doc));

function header(length: number, opCode: number): Buffer {
  return Buffer.concat([int32(length), int32(7), int32(0), int32(opCode)]);
}

interface Section {
  kind: 0 | 1;
  identifier: string;
  docs: Buffer[];
}

function encodeSection(s: Section): Buffer {
  if (s.kind === 0) return Buffer.concat([Buffer.from([0]), s.docs[0]]);
  const payload = Buffer.concat([Buffer.from(`${s.identifier}\0`), ...s.docs]);
  return Buffer.concat([Buffer.from([1]), int32(payload.length + 4), payload]);
}

function encodeOpMsg(flags: number, sections: Section[]): Buffer {
  const body = Buffer.concat([int32(flags), ...sections.map(encodeSection)]);
  const msg = Buffer.concat([
    header(16 + body.length + (flags & 1 ? 4 : 0), OP_MSG),
    body,
  ]);
  if (!(flags & 1)) return msg;
  const sum = Buffer.alloc(4);
  sum.writeUInt32LE(crc32c(msg), 0);
  return Buffer.concat([msg, sum]);
}

/** `{a: {a: ... {}}}` nested `depth` levels, built as bytes so any depth is cheap. */
function deepDocument(depth: number, type: 0x03 | 0x04): Buffer {
  const out = Buffer.alloc(depth * 8 + 5);
  let size = 5;
  out.writeInt32LE(5, depth * 7);
  for (let level = depth - 1; level >= 0; level--) {
    size += 8;
    out.writeInt32LE(size, level * 7);
    out[level * 7 + 4] = type;
    out.write(type === 0x04 ? '0\0' : 'a\0', level * 7 + 5, 'latin1');
  }
  return out;
}

// --- arbitraries ------------------------------------------------------------------------------

const smallDoc = fc.oneof(
  fc.record({ a: fc.integer(), s: fc.string({ maxLength: 20 }) }),
  fc.record({
    _id: fc.integer(),
    tags: fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }),
  }),
  fc.constant({}),
);

/** Commands a driver could send, with their `$db`. */
const command = fc.oneof(
  fc.constant({ ping: 1, $db: 'admin' }),
  fc.constant({ hello: 1, $db: 'admin' }),
  fc.record({ insert: fc.constant('fuzz'), $db: fc.constant('fuzz') }),
  fc.record({
    find: fc.constant('fuzz'),
    filter: smallDoc,
    $db: fc.constant('fuzz'),
  }),
  fc.record({
    delete: fc.constant('fuzz'),
    deletes: fc.constant([]),
    $db: fc.constant('fuzz'),
  }),
);

const wellFormed = fc
  .record({
    body: command,
    sequence: fc.option(fc.array(smallDoc, { maxLength: 4 }), {
      nil: undefined,
    }),
    checksum: fc.boolean(),
  })
  .map(({ body, sequence, checksum }) => {
    const sections: Section[] = [
      { kind: 0, identifier: '', docs: [bson(body)] },
    ];
    if (sequence && 'insert' in body)
      sections.push({
        kind: 1,
        identifier: 'documents',
        docs: sequence.map(bson),
      });
    return encodeOpMsg(checksum ? 1 : 0, sections);
  });

/** A value a lying length field may hold. */
const lie = (truth: number) =>
  fc.oneof(
    fc.constantFrom(-1, 0, 1, 4, 5, 0x7fffffff, -0x80000000),
    fc.integer({ min: -64, max: 64 }).map((d) => truth + d),
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  );

/** The offsets of every length field in a message built by encodeOpMsg without a checksum. */
function lengthFields(msg: Buffer): number[] {
  const fields = [0];
  let at = 20;
  while (at < msg.length) {
    const kind = msg[at];
    if (kind === 0) {
      fields.push(at + 1);
      at += 1 + msg.readInt32LE(at + 1);
    } else {
      const size = msg.readInt32LE(at + 1);
      fields.push(at + 1);
      const end = at + 1 + size;
      let doc = msg.indexOf(0, at + 5) + 1;
      while (doc < end) {
        fields.push(doc);
        doc += msg.readInt32LE(doc);
      }
      at = end;
    }
  }
  return fields;
}

const lyingLength = wellFormed
  .filter((m) => (m.readUInt32LE(16) & 1) === 0)
  .chain((msg) =>
    fc.record({
      msg: fc.constant(msg),
      field: fc.constantFrom(...lengthFields(msg)),
      value: lie(msg.length),
    }),
  )
  .map(({ msg, field, value }) => {
    const out = Buffer.from(msg);
    out.writeInt32LE(value | 0, field);
    return out;
  });

/** A prefix of a valid message whose header claims exactly that prefix: the inner lengths now lie. */
const truncated = wellFormed.chain((msg) =>
  fc.integer({ min: 16, max: msg.length - 1 }).map((cut) => {
    const out = Buffer.from(msg.subarray(0, cut));
    out.writeInt32LE(cut, 0);
    return out;
  }),
);

const garbageOpCode = fc
  .record({
    opCode: fc.oneof(
      fc.constantFrom(
        1,
        2001,
        2002,
        2004,
        2005,
        2006,
        2007,
        2010,
        2011,
        2012,
        2013,
      ),
      fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    ),
    body: fc.uint8Array({ maxLength: 300 }),
  })
  .map(({ opCode, body }) =>
    Buffer.concat([header(16 + body.length, opCode), Buffer.from(body)]),
  );

const randomFlagsAndKinds = fc
  .record({
    flags: fc.integer({ min: 0, max: 0xffffffff }),
    kinds: fc.array(fc.integer({ min: 0, max: 255 }), {
      minLength: 1,
      maxLength: 4,
    }),
    tail: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ flags, kinds, tail }) => {
    const body = Buffer.concat([
      int32(flags),
      ...kinds.map((k) =>
        Buffer.concat([Buffer.from([k]), bson({ ping: 1, $db: 'admin' })]),
      ),
      Buffer.from(tail),
    ]);
    return Buffer.concat([header(16 + body.length, OP_MSG), body]);
  });

const deepBson = fc
  .record({
    depth: fc.oneof(
      fc.integer({ min: 190, max: 210 }),
      fc.integer({ min: 1_000, max: 60_000 }),
    ),
    type: fc.constantFrom(0x03 as const, 0x04 as const),
    where: fc.constantFrom('body', 'sequence', 'query'),
  })
  .map(({ depth, type, where }) => {
    // The deep value sits under a field of an otherwise ordinary command.
    const inner = deepDocument(depth, type);
    const doc = Buffer.concat([
      int32(0),
      Buffer.from('\x02insert\0'),
      int32(5),
      Buffer.from('fuzz\0'),
      Buffer.from([type]),
      Buffer.from('x\0'),
      inner,
      Buffer.from('\x02$db\0'),
      int32(5),
      Buffer.from('fuzz\0'),
      Buffer.from([0]),
    ]);
    doc.writeInt32LE(doc.length, 0);
    if (where === 'query') {
      const body = Buffer.concat([
        int32(0),
        Buffer.from('fuzz.$cmd\0'),
        int32(0),
        int32(-1),
        doc,
      ]);
      return Buffer.concat([header(16 + body.length, OP_QUERY), body]);
    }
    if (where === 'body')
      return encodeOpMsg(0, [{ kind: 0, identifier: '', docs: [doc] }]);
    return encodeOpMsg(0, [
      {
        kind: 0,
        identifier: '',
        docs: [bson({ insert: 'fuzz', $db: 'fuzz' })],
      },
      { kind: 1, identifier: 'documents', docs: [inner] },
    ]);
  });

const randomBytes = fc
  .uint8Array({ minLength: 1, maxLength: 400 })
  .map((b) => Buffer.from(b));

/** A valid header claiming up to the largest message, followed by far fewer bytes. */
const hugeDeclared = fc
  .record({
    declared: fc.integer({ min: 1_000, max: 48_000_000 }),
    sent: fc.integer({ min: 16, max: 4_096 }),
  })
  .map(({ declared, sent }) => {
    const out = Buffer.alloc(Math.min(sent, declared));
    out.writeInt32LE(declared, 0);
    out.writeInt32LE(OP_MSG, 12);
    return out;
  });

const settings = { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS };

describe('wire fuzzing against a running embedded server', () => {
  it('answers well-formed messages (the harness itself speaks the protocol)', async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, async (msg) => {
        const reply = await exchange(msg);
        expect(reply.length).toBeGreaterThanOrEqual(21);
        expect(
          replyBody(reply.subarray(0, reply.readInt32LE(0))),
        ).toHaveProperty('ok');
      }),
      { numRuns: 50, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
    await serverStillHealthy();
  }, 30_000);

  it.each([
    ['every length field lying', lyingLength],
    ['truncated sections', truncated],
    ['garbage opCodes', garbageOpCode],
    ['random flags and section kinds', randomFlagsAndKinds],
    ['deeply nested BSON', deepBson],
    ['random bytes', randomBytes],
    ['a huge declared length, barely sent', hugeDeclared],
  ])(
    'survives %s',
    async (_label, messages) => {
      await fc.assert(
        fc.asyncProperty(messages as fc.Arbitrary<Buffer>, async (msg) => {
          await exchange(msg);
          await serverStillHealthy();
        }),
        settings,
      );
    },
    30_000,
  );

  it('keeps its memory bounded after all of it', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const growth = memory() - memoryBefore;
    expect(growth).toBeLessThan(MEMORY_GROWTH_BOUND);
    await serverStillHealthy();
  });
});
