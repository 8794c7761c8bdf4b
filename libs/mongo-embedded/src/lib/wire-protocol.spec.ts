import { BSON } from 'bson';
import { crc32c, decodeMessage, OP_MSG } from './wire-protocol';

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
});
