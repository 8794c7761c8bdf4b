import { BSON, Document } from 'bson';
import { normalizeNumbers } from './bson-values';
import { findBsonStructureProblem } from './bson-structure';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

const FLAG_CHECKSUM_PRESENT = 1 << 0;
const FLAG_MORE_TO_COME = 1 << 1;
const KNOWN_REQUIRED_FLAGS = FLAG_CHECKSUM_PRESENT | FLAG_MORE_TO_COME;

/** Keep every number's BSON type (int64 as `Long`, whole doubles as `Double`): see normalizeNumbers. */
export const BSON_READ_OPTIONS = {
  promoteLongs: false,
  promoteValues: false,
  promoteBuffers: false,
} as const;

/** Deserializes a document the way the server keeps values. */
export function readBson(buf: Uint8Array): Document {
  return normalizeNumbers(BSON.deserialize(buf, BSON_READ_OPTIONS)) as Document;
}

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

/** A decoded request: the command document (kind-1 sequences folded in as arrays) and how to answer. */
export interface IncomingCommand {
  header: MessageHeader;
  kind: 'msg' | 'query';
  command: Document;
  /** Database from `$db` (OP_MSG) or from `db.$cmd` (OP_QUERY). */
  db: string;
  /** OP_MSG moreToCome: the client expects no reply. */
  noReply: boolean;
}

export function readHeader(buf: Buffer): MessageHeader {
  return {
    length: buf.readInt32LE(0),
    requestId: buf.readInt32LE(4),
    responseTo: buf.readInt32LE(8),
    opCode: buf.readInt32LE(12),
  };
}

/**
 * A message whose framing cannot be trusted (a length that lies, a missing terminator, nesting too
 * deep, an unknown opCode): the server answers it with an error and closes the connection, since
 * nothing after it on that stream can be framed reliably.
 */
export class MalformedMessageError extends Error {}

const HEADER_SIZE = 16;

/**
 * Reads a message front to back; every length is checked against the bytes left before it is used,
 * so a lying length ends the decoding with a MalformedMessageError instead of a loop or a huge read.
 */
class MessageReader {
  constructor(
    private readonly buf: Buffer,
    public offset: number,
    private readonly end: number,
  ) {}

  get remaining(): number {
    return this.end - this.offset;
  }

  int32(what: string): number {
    if (this.remaining < 4)
      throw new MalformedMessageError(`message ends inside ${what}`);
    const value = this.buf.readInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  uint8(what: string): number {
    if (this.remaining < 1)
      throw new MalformedMessageError(`message ends inside ${what}`);
    return this.buf[this.offset++];
  }

  cstring(what: string): string {
    const at = this.buf.indexOf(0, this.offset);
    if (at < 0 || at >= this.end)
      throw new MalformedMessageError(`${what} is not terminated`);
    const value = this.buf.toString('utf8', this.offset, at);
    this.offset = at + 1;
    return value;
  }

  document(what: string): Document {
    if (this.remaining < 4)
      throw new MalformedMessageError(`message ends inside ${what}`);
    const size = this.buf.readInt32LE(this.offset);
    if (size < 5 || size > this.remaining)
      throw new MalformedMessageError(
        `${what} has length ${size} with ${this.remaining} bytes left`,
      );
    const problem = findBsonStructureProblem(this.buf, this.offset, size);
    if (problem) throw new MalformedMessageError(`${what}: ${problem}`);
    let doc: Document;
    try {
      doc = readBson(this.buf.subarray(this.offset, this.offset + size));
    } catch (err) {
      throw new MalformedMessageError(
        `${what} is not valid BSON: ${(err as Error).message}`,
      );
    }
    this.offset += size;
    return doc;
  }

  /** A reader over the next `size` bytes; this reader moves past them. */
  slice(size: number): MessageReader {
    const inner = new MessageReader(this.buf, this.offset, this.offset + size);
    this.offset += size;
    return inner;
  }
}

/** Decodes one complete message (header included); throws MalformedMessageError on bad framing. */
export function decodeMessage(buf: Buffer): IncomingCommand {
  const steps = decodeSteps(buf);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * decodeMessage for the server, which shares its process with the application: the documents of
 * a large message (an `insertMany` of thousands) are decoded in slices of at most `sliceMs`, with
 * the event loop let run in between, instead of in one go. Small messages are decoded at once.
 */
export function decodeMessageInSlices(
  buf: Buffer,
  sliceMs: number,
): IncomingCommand | Promise<IncomingCommand> {
  if (buf.length < SLICED_DECODE_MIN_BYTES) return decodeMessage(buf);
  const steps = decodeSteps(buf);
  return (async () => {
    let began = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      if (performance.now() - began >= sliceMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        began = performance.now();
      }
    }
  })();
}

/** Below this, a message is decoded in one go (a few hundred microseconds at most). */
const SLICED_DECODE_MIN_BYTES = 64 * 1024;

/** The decoding, pausing (yielding) after each document of a document sequence. */
function* decodeSteps(buf: Buffer): Generator<void, IncomingCommand> {
  if (buf.length < HEADER_SIZE)
    throw new MalformedMessageError(
      `message of ${buf.length} bytes is shorter than its header`,
    );
  const header = readHeader(buf);
  if (header.length !== buf.length)
    throw new MalformedMessageError(
      `message length ${header.length} does not match the ${buf.length} bytes received`,
    );
  const body = new MessageReader(buf, HEADER_SIZE, buf.length);
  if (header.opCode === OP_MSG) return yield* decodeOpMsg(buf, header, body);
  if (header.opCode === OP_QUERY) return decodeOpQuery(header, body);
  throw new MalformedMessageError(
    `unsupported wire protocol opCode ${header.opCode}`,
  );
}

function* decodeOpMsg(
  buf: Buffer,
  header: MessageHeader,
  reader: MessageReader,
): Generator<void, IncomingCommand> {
  const flags = reader.int32('the OP_MSG flags') >>> 0;
  // Bits 0-15 are "required": a receiver must refuse ones it does not know (OP_MSG specification).
  if (flags & 0xffff & ~KNOWN_REQUIRED_FLAGS)
    throw new MalformedMessageError(
      `OP_MSG has unknown required flag bits 0x${(flags & 0xffff & ~KNOWN_REQUIRED_FLAGS).toString(16)}`,
    );
  let sections = reader;
  if (flags & FLAG_CHECKSUM_PRESENT) {
    if (reader.remaining < 4)
      throw new MalformedMessageError('OP_MSG ends inside its checksum');
    sections = reader.slice(reader.remaining - 4);
    const expected = buf.readUInt32LE(buf.length - 4);
    if (expected !== crc32c(buf.subarray(0, buf.length - 4)))
      throw new MalformedMessageError(
        'OP_MSG checksum does not match contents',
      );
  }
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (sections.remaining > 0) {
    const kind = sections.uint8('an OP_MSG section kind');
    if (kind === 0) {
      if (body)
        throw new MalformedMessageError(
          'OP_MSG has more than one body section',
        );
      body = sections.document('the OP_MSG body');
    } else if (kind === 1) {
      const size = sections.int32('a document sequence size');
      // The size counts itself; the section then holds at least its identifier's terminator.
      if (size < 5 || size - 4 > sections.remaining)
        throw new MalformedMessageError(
          `document sequence has size ${size} with ${sections.remaining + 4} bytes left`,
        );
      const sequence = sections.slice(size - 4);
      const identifier = sequence.cstring('a document sequence identifier');
      const docs: Document[] = [];
      while (sequence.remaining > 0) {
        docs.push(
          sequence.document(`document ${docs.length} of ${identifier}`),
        );
        yield;
      }
      sequences.push([identifier, docs]);
    } else {
      throw new MalformedMessageError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new MalformedMessageError('OP_MSG without a body section');
  for (const [identifier, docs] of sequences) {
    const existing = body[identifier];
    body[identifier] = Array.isArray(existing) ? existing.concat(docs) : docs;
  }
  return {
    header,
    kind: 'msg',
    command: body,
    db: typeof body['$db'] === 'string' ? body['$db'] : 'admin',
    noReply: (flags & FLAG_MORE_TO_COME) !== 0,
  };
}

function decodeOpQuery(
  header: MessageHeader,
  reader: MessageReader,
): IncomingCommand {
  reader.int32('the OP_QUERY flags');
  const fullCollectionName = reader.cstring('the OP_QUERY collection name');
  reader.int32('numberToSkip');
  reader.int32('numberToReturn');
  const query = reader.document('the OP_QUERY query');
  if (reader.remaining > 0) reader.document('the OP_QUERY field selector');
  if (reader.remaining > 0)
    throw new MalformedMessageError(
      `OP_QUERY has ${reader.remaining} bytes after its documents`,
    );
  // A legacy command may arrive wrapped: { $query: { ismaster: 1 }, $readPreference: ... }
  const command =
    query['$query'] && typeof query['$query'] === 'object'
      ? query['$query']
      : query;
  const dot = fullCollectionName.indexOf('.');
  const db = dot >= 0 ? fullCollectionName.slice(0, dot) : fullCollectionName;
  return { header, kind: 'query', command, db, noReply: false };
}

// CRC-32C (Castagnoli), the checksum OP_MSG uses.
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

export function crc32c(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < buf.length; i++)
    crc = CRC32C_TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
