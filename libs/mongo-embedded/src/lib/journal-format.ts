import { BSON, Document } from 'bson';
import { crc32 } from 'node:zlib';

/**
 * The journal's bytes: an 8-byte magic, then records `[u32 payload length][u32 CRC-32 of
 * payload][BSON payload]`. Shared by the journal (writing, replaying) and the repair command
 * (salvaging records around a damaged one).
 */

export const MAGIC = Buffer.from('MEJRNL01');
export const JOURNAL_FILE = 'journal.bin';
export const RECORD_HEADER = 8;

export function encodeRecord(record: Document): Buffer {
  const payload = Buffer.from(BSON.serialize(record));
  const frame = Buffer.allocUnsafe(RECORD_HEADER + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, RECORD_HEADER);
  return frame;
}

/**
 * The frame of `{op: 'put', ns, doc}` around a document's BSON already at hand: the same bytes
 * encodeRecord gives, without serializing the document again.
 */
export function encodePutRecord(ns: string, docBytes: Uint8Array): Buffer {
  const nsLength = Buffer.byteLength(ns, 'utf8');
  // int32 size | 0x02 'op' 0 int32 'put' 0 | 0x02 'ns' 0 int32 ns 0 | 0x03 'doc' 0 doc | 0
  const payloadLength =
    4 +
    (1 + 3 + 4 + 4) +
    (1 + 3 + 4 + nsLength + 1) +
    (1 + 4) +
    docBytes.length +
    1;
  const frame = Buffer.allocUnsafe(RECORD_HEADER + payloadLength);
  let at = RECORD_HEADER;
  at = frame.writeInt32LE(payloadLength, at);
  frame[at++] = 0x02;
  at += frame.write('op\0', at, 'latin1');
  at = frame.writeInt32LE(4, at);
  at += frame.write('put\0', at, 'latin1');
  frame[at++] = 0x02;
  at += frame.write('ns\0', at, 'latin1');
  at = frame.writeInt32LE(nsLength + 1, at);
  at += frame.write(ns, at, 'utf8');
  frame[at++] = 0;
  frame[at++] = 0x03;
  at += frame.write('doc\0', at, 'latin1');
  frame.set(docBytes, at);
  at += docBytes.length;
  frame[at++] = 0;
  const payload = frame.subarray(RECORD_HEADER);
  frame.writeUInt32LE(payloadLength, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  return frame;
}

/** The total size (header included) of the record at `offset`, known to be intact. */
export const recordSize = (data: Buffer, offset: number) =>
  RECORD_HEADER + data.readUInt32LE(offset);

/** What is wrong with the record at `offset`, or undefined when it is intact. */
export function recordProblem(
  data: Buffer,
  offset: number,
): string | undefined {
  if (data.length - offset < RECORD_HEADER) return 'incomplete record header';
  const length = data.readUInt32LE(offset);
  if (length < 5 || offset + RECORD_HEADER + length > data.length)
    return 'incomplete record';
  const payloadAt = offset + RECORD_HEADER;
  // Cheap checks first: the search for the next record tries every byte offset.
  if (
    data.readInt32LE(payloadAt) !== length ||
    data[payloadAt + length - 1] !== 0
  )
    return 'malformed record';
  if (
    crc32(data.subarray(payloadAt, payloadAt + length)) !==
    data.readUInt32LE(offset + 4)
  )
    return 'checksum mismatch';
  return undefined;
}

/**
 * The offset of the first intact record after the damaged one at `damagedAt`, or undefined.
 * When the damaged record's length field still points at an intact record, that is the answer
 * (a flipped byte inside a payload); only otherwise is every later byte offset tried, so a
 * journal frame stored inside a document's data is not mistaken for a record.
 */
export function nextIntactRecord(
  data: Buffer,
  damagedAt: number,
): number | undefined {
  if (data.length - damagedAt >= RECORD_HEADER) {
    const skip = damagedAt + recordSize(data, damagedAt);
    if (skip < data.length && recordProblem(data, skip) === undefined)
      return skip;
  }
  for (let at = damagedAt + 1; at + RECORD_HEADER + 5 <= data.length; at++)
    if (recordProblem(data, at) === undefined) return at;
  return undefined;
}
