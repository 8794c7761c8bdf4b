import { BSON, Document } from 'bson';
import { OP_MSG, OP_REPLY } from './wire-protocol';

/*
 * The server's side of the wire: replies encoded as OP_MSG (or OP_REPLY for legacy OP_QUERY), with
 * stored documents' BSON kept and spliced into cursor batches. Decoding lives in wire-protocol.ts.
 */

let nextRequestId = 1;

/** Each document's BSON, kept on the (never mutated) document object once it has been sent. */
const DOC_BYTES = Symbol('mongo-embedded.bson');

/** A stored document's BSON if a reply has already encoded it, else a fresh encoding (not kept). */
export function storedDocumentBytes(doc: Document): Uint8Array {
  return (
    (doc as Document & { [DOC_BYTES]?: Uint8Array })[DOC_BYTES] ??
    BSON.serialize(doc)
  );
}

function documentBytes(doc: Document): Uint8Array {
  const holder = doc as Document & { [DOC_BYTES]?: Uint8Array };
  let bytes = holder[DOC_BYTES];
  if (bytes === undefined) {
    bytes = BSON.serialize(doc);
    Object.defineProperty(doc, DOC_BYTES, {
      value: bytes,
      enumerable: false,
      writable: true,
    });
  }
  return bytes;
}

const isDocument = (v: unknown): v is Document =>
  v !== null &&
  typeof v === 'object' &&
  (Object.getPrototypeOf(v) === Object.prototype ||
    Object.getPrototypeOf(v) === null);

/**
 * Serializes a reply. A cursor reply (`{cursor: {firstBatch | nextBatch: [...], ...}, ...}`) splices
 * each document's cached BSON into the batch instead of serializing it again: pages of the same
 * stored documents are sent over and over, and re-encoding them was most of a query's cost.
 */
export function serializeReply(reply: Document): Uint8Array {
  const cursor = reply['cursor'];
  if (Object.keys(reply)[0] !== 'cursor' || !isDocument(cursor))
    return BSON.serialize(reply);
  const batchKey = Object.keys(cursor)[0];
  const docs = cursor[batchKey];
  if (
    (batchKey !== 'firstBatch' && batchKey !== 'nextBatch') ||
    !Array.isArray(docs) ||
    docs.length === 0 ||
    !docs.every(isDocument)
  )
    return BSON.serialize(reply);
  const skeleton = BSON.serialize({
    ...reply,
    cursor: { ...cursor, [batchKey]: [] },
  });
  // Layout: root length (4), 0x03 'cursor\0' (8), cursor length (4), 0x04 batchKey '\0', empty array (5).
  const arrayAt = 4 + 8 + 4 + 1 + batchKey.length + 1;
  const expected = [0x05, 0, 0, 0, 0];
  if (
    skeleton[4] !== 0x03 ||
    skeleton[16] !== 0x04 ||
    expected.some((b, i) => skeleton[arrayAt + i] !== b)
  )
    return BSON.serialize(reply);
  const parts = docs.map(documentBytes);
  let arraySize = 4 + 1;
  parts.forEach((b, i) => (arraySize += 1 + String(i).length + 1 + b.length));
  const out = Buffer.allocUnsafe(skeleton.length - 5 + arraySize);
  out.set(skeleton.subarray(0, arrayAt), 0);
  let pos = arrayAt;
  out.writeInt32LE(arraySize, pos);
  pos += 4;
  parts.forEach((b, i) => {
    out[pos++] = 0x03;
    pos += out.write(String(i), pos, 'latin1');
    out[pos++] = 0;
    out.set(b, pos);
    pos += b.length;
  });
  out[pos++] = 0;
  out.set(skeleton.subarray(arrayAt + 5), pos);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(
    Buffer.from(
      skeleton.buffer,
      skeleton.byteOffset,
      skeleton.byteLength,
    ).readInt32LE(12) -
      5 +
      arraySize,
    12,
  );
  return out;
}

export function encodeOpMsg(responseTo: number, reply: Document): Buffer {
  const body = serializeReply(reply);
  const header = Buffer.alloc(21);
  header.writeInt32LE(16 + 4 + 1 + body.length, 0);
  header.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(0, 16);
  header.writeUInt8(0, 20);
  return Buffer.concat([header, body]);
}

export function encodeOpReply(responseTo: number, reply: Document): Buffer {
  const body = serializeReply(reply);
  const header = Buffer.alloc(36);
  header.writeInt32LE(36 + body.length, 0);
  header.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(OP_REPLY, 12);
  header.writeInt32LE(0, 16); // responseFlags
  header.writeBigInt64LE(BigInt(0), 20); // cursorID
  header.writeInt32LE(0, 28); // startingFrom
  header.writeInt32LE(1, 32); // numberReturned
  return Buffer.concat([header, body]);
}
