import { BSON } from 'bson';
import { findBsonStructureProblem } from './bson-structure';
import {
  crc32c,
  decodeMessage,
  decodeMessageInSlices,
  MalformedMessageError,
  OP_MSG,
  OP_QUERY,
} from './wire-protocol';

function opMsg(
  flags: number,
  sections: Buffer[],
  withChecksum = false,
): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), ...sections]);
  body.writeUInt32LE(flags, 0);
  const header = Buffer.alloc(16);
  const length = 16 + body.length + (withChecksum ? 4 : 0);
  header.writeInt32LE(length, 0);
  header.writeInt32LE(7, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(OP_MSG, 12);
  const msg = Buffer.concat([header, body]);
  if (!withChecksum) return msg;
  const sum = Buffer.alloc(4);
  sum.writeUInt32LE(crc32c(msg), 0);
  return Buffer.concat([msg, sum]);
}

const kind0 = (doc: object) =>
  Buffer.concat([Buffer.from([0]), Buffer.from(BSON.serialize(doc))]);
function kind1(id: string, docs: object[]): Buffer {
  const payload = Buffer.concat([
    Buffer.from(id + '\0'),
    ...docs.map((d) => Buffer.from(BSON.serialize(d))),
  ]);
  const size = Buffer.alloc(4);
  size.writeInt32LE(payload.length + 4, 0);
  return Buffer.concat([Buffer.from([1]), size, payload]);
}

describe('wire protocol', () => {
  it('computes CRC-32C', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('folds kind-1 document sequences into the command', () => {
    const msg = decodeMessage(
      opMsg(0, [
        kind0({ insert: 'c', $db: 'd' }),
        kind1('documents', [{ a: 1 }, { a: 2 }]),
      ]),
    );
    expect(msg.db).toBe('d');
    expect(msg.command['documents']).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('decodes a large message in slices to the same command, and refuses a bad document in it', async () => {
    const docs = Array.from({ length: 3000 }, (_, i) => ({
      _id: i,
      text: 'x'.repeat(40),
    }));
    const message = opMsg(0, [
      kind0({ insert: 'c', $db: 'd' }),
      kind1('documents', docs),
    ]);
    expect(message.length).toBeGreaterThan(64 * 1024);
    // A 0 ms slice: it lets the event loop run after every document.
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const sliced = decodeMessageInSlices(message, 0);
    expect(sliced).toBeInstanceOf(Promise);
    const decoded = await sliced;
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(0);
    expect(decoded).toEqual(decodeMessage(message));
    expect(decoded.command['documents']).toHaveLength(3000);

    const bad = Buffer.from(message);
    // The length of the last document lies: found only once every other one is decoded.
    const docSize = BSON.serialize(docs[0]).length;
    bad.writeInt32LE(docSize + 1, bad.length - docSize);
    await expect(decodeMessageInSlices(bad, 0)).rejects.toBeInstanceOf(
      MalformedMessageError,
    );
    // A small message is decoded at once, without a promise.
    const small = opMsg(0, [kind0({ ping: 1, $db: 'admin' })]);
    expect(decodeMessageInSlices(small, 0)).toEqual(decodeMessage(small));
  });

  it('verifies the checksum when the flag is set, and rejects a wrong one', () => {
    const good = opMsg(1, [kind0({ ping: 1, $db: 'admin' })], true);
    expect(decodeMessage(good).command).toEqual({ ping: 1, $db: 'admin' });
    const bad = Buffer.from(good);
    bad[bad.length - 1] ^= 0xff;
    expect(() => decodeMessage(bad)).toThrow(/checksum/);
  });

  it('reads moreToCome as "no reply"', () => {
    expect(
      decodeMessage(opMsg(2, [kind0({ insert: 'c', $db: 'd' })])).noReply,
    ).toBe(true);
  });

  it('refuses a wrong checksum as a malformed message', () => {
    const good = opMsg(1, [kind0({ ping: 1, $db: 'admin' })], true);
    const bad = Buffer.from(good);
    bad[bad.length - 1] ^= 0xff;
    expect(() => decodeMessage(bad)).toThrow(MalformedMessageError);
  });
});

/** Decoding must end with a MalformedMessageError naming the problem: never a hang, never another error. */
function expectMalformed(message: Buffer, reason: RegExp): void {
  let thrown: unknown;
  try {
    decodeMessage(message);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(MalformedMessageError);
  expect((thrown as Error).message).toMatch(reason);
}

/** A kind-1 section with its size field set to `size` whatever its contents. */
function kind1WithSize(size: number, id = 'documents', docs: object[] = []) {
  const section = kind1(id, docs);
  section.writeInt32LE(size, 1);
  return section;
}

function opQuery(parts: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), ...parts]);
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + body.length, 0);
  header.writeInt32LE(9, 4);
  header.writeInt32LE(OP_QUERY, 12);
  return Buffer.concat([header, body]);
}
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n, 0);
  return b;
};
const bson = (doc: object) => Buffer.from(BSON.serialize(doc));

describe('wire protocol decoding of malformed messages', () => {
  const ping = kind0({ ping: 1, $db: 'admin' });

  it('refuses a kind-1 section of size -1 (it used to loop forever)', () => {
    // The 58-byte message from the hardening report.
    const message = opMsg(0, [ping, kind1WithSize(-1)]);
    expectMalformed(message, /document sequence has size -1/);
  });

  it('refuses kind-1 sizes that are too small or run past the message', () => {
    expectMalformed(opMsg(0, [ping, kind1WithSize(0)]), /size 0/);
    expectMalformed(opMsg(0, [ping, kind1WithSize(4)]), /size 4/);
    expectMalformed(
      opMsg(0, [ping, kind1WithSize(10_000, 'documents', [{ a: 1 }])]),
      /size 10000/,
    );
  });

  it('refuses a kind-1 size that cuts a document or its identifier short', () => {
    const section = kind1('documents', [{ a: 1 }]);
    expectMalformed(
      opMsg(0, [
        ping,
        kind1WithSize(section.length - 1 - 3, 'documents', [{ a: 1 }]),
        Buffer.alloc(3),
      ]),
      /document 0 of documents|kind/,
    );
    expectMalformed(
      opMsg(0, [ping, kind1WithSize(6, 'documents', [])]),
      /identifier is not terminated/,
    );
  });

  it('refuses document lengths that lie', () => {
    for (const size of [-1, 0, 4, 1_000_000]) {
      const body = kind0({ ping: 1 });
      body.writeInt32LE(size, 1);
      expectMalformed(opMsg(0, [body]), /OP_MSG body/);
    }
    const inner = kind0({ ping: 1, nested: { x: 'y' } });
    inner.writeInt32LE(
      200,
      1 + 4 + 1 + 'ping\0'.length + 4 + 1 + 'nested\0'.length,
    );
    expectMalformed(opMsg(0, [inner]), /does not fit in its parent/);
  });

  it('refuses a string whose length runs past its document', () => {
    const body = kind0({ s: 'hello' });
    body.writeInt32LE(1_000, 1 + 4 + 1 + 2);
    expectMalformed(opMsg(0, [body]), /string length 1000/);
  });

  it('refuses a body that reaches into the checksum', () => {
    const message = opMsg(1, [ping], true);
    // Claim the checksum bytes as part of the body document.
    message.writeInt32LE(message.readInt32LE(21) + 4, 21);
    message.writeUInt32LE(
      crc32c(message.subarray(0, message.length - 4)),
      message.length - 4,
    );
    expectMalformed(message, /OP_MSG body has length/);
  });

  it('refuses a checksum flag without room for the checksum', () => {
    const message = Buffer.alloc(22);
    message.writeInt32LE(22, 0);
    message.writeInt32LE(OP_MSG, 12);
    message.writeUInt32LE(1, 16);
    expectMalformed(message, /ends inside its checksum/);
  });

  it('refuses unknown required flag bits, a missing or repeated body and unknown section kinds', () => {
    expectMalformed(opMsg(1 << 4, [ping]), /unknown required flag bits 0x10/);
    expect(decodeMessage(opMsg(1 << 16, [ping])).command).toMatchObject({
      ping: 1,
    });
    expectMalformed(opMsg(0, []), /without a body/);
    expectMalformed(opMsg(0, [ping, ping]), /more than one body/);
    expectMalformed(opMsg(0, [ping, Buffer.from([7])]), /section kind 7/);
  });

  it('refuses a header length that differs from the bytes given, and unknown opCodes', () => {
    const message = opMsg(0, [ping]);
    message.writeInt32LE(message.length + 1, 0);
    expectMalformed(message, /does not match/);
    const other = opMsg(0, [ping]);
    other.writeInt32LE(2012, 12);
    expectMalformed(other, /opCode 2012/);
    expectMalformed(Buffer.alloc(10), /shorter than its header/);
  });

  it('decodes a legacy OP_QUERY and refuses each of its fields lying', () => {
    const query = bson({ ismaster: 1 });
    const good = opQuery([
      Buffer.from('admin.$cmd\0'),
      int32(0),
      int32(-1),
      query,
    ]);
    expect(decodeMessage(good)).toMatchObject({
      db: 'admin',
      command: { ismaster: 1 },
    });
    expectMalformed(
      opQuery([Buffer.from('admin.$cmd')]),
      /collection name is not terminated/,
    );
    expectMalformed(
      opQuery([Buffer.from('admin.$cmd\0'), int32(0)]),
      /numberToReturn/,
    );
    const lying = Buffer.from(query);
    lying.writeInt32LE(query.length + 50, 0);
    expectMalformed(
      opQuery([Buffer.from('admin.$cmd\0'), int32(0), int32(-1), lying]),
      /OP_QUERY query has length/,
    );
    expectMalformed(
      opQuery([
        Buffer.from('admin.$cmd\0'),
        int32(0),
        int32(-1),
        query,
        query,
        Buffer.from([1]),
      ]),
      /bytes after its documents/,
    );
  });

  it('refuses BSON nested deeper than 200 levels without overflowing the stack', () => {
    for (const depth of [201, 5_000, 200_000]) {
      const body = Buffer.concat([Buffer.from([0]), deepDocument(depth)]);
      expectMalformed(opMsg(0, [body]), /nested deeper than 200 levels/);
    }
    const ok = Buffer.concat([Buffer.from([0]), deepDocument(150)]);
    expect(Object.keys(decodeMessage(opMsg(0, [ok])).command)).toEqual(['a']);
  });
});

/** `{a: {a: ... {}}}`: `depth` documents inside one another, built as bytes so any depth is cheap. */
function deepDocument(depth: number): Buffer {
  // A level is: int32 size, type 0x03, name "a\0", <inner document>, terminating 0.
  const out = Buffer.alloc(depth * 8 + 5);
  let size = 5;
  out.writeInt32LE(5, depth * 7);
  for (let level = depth - 1; level >= 0; level--) {
    size += 8;
    const at = level * 7;
    out.writeInt32LE(size, at);
    out[at + 4] = 0x03;
    out[at + 5] = 0x61;
    out[at + 6] = 0;
  }
  return out;
}

describe('BSON structure check', () => {
  const check = (buf: Buffer) => findBsonStructureProblem(buf, 0, buf.length);

  it('accepts every BSON type the driver sends', () => {
    const doc = bson({
      s: 'x',
      n: 1,
      d: 1.5,
      b: true,
      nil: null,
      at: new Date(0),
      arr: [1, 'two', { three: 3 }],
      re: /a.b/i,
      bin: new BSON.Binary(Buffer.from([1, 2, 3])),
      oid: new BSON.ObjectId(),
      long: BSON.Long.fromNumber(7),
      dec: BSON.Decimal128.fromString('1.1'),
      ts: new BSON.Timestamp({ t: 1, i: 2 }),
      code: new BSON.Code('x', { scope: 1 }),
      min: new BSON.MinKey(),
      max: new BSON.MaxKey(),
    });
    expect(check(doc)).toBeUndefined();
  });

  it('refuses a binary of negative length and an unknown type', () => {
    const doc = bson({ bin: new BSON.Binary(Buffer.from([1, 2, 3])) });
    const lying = Buffer.from(doc);
    lying.writeInt32LE(-5, 4 + 1 + 4);
    expect(check(lying)).toMatch(/binary length -5/);
    const unknown = Buffer.from(bson({ n: 1 }));
    unknown[4] = 0x42;
    expect(check(unknown)).toMatch(/unknown BSON type 0x42/);
  });

  it('refuses a document without its terminating 0', () => {
    const doc = Buffer.from(bson({ n: 1 }));
    doc[doc.length - 1] = 9;
    expect(check(doc)).toMatch(/does not end with a 0 byte/);
  });
});
