import { BSON, Document, Long } from 'bson';
import { cursorNotFound } from './errors';

const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
const CURSOR_IDLE_MS = 10 * 60 * 1000;

interface OpenCursor {
  id: Long;
  ns: string;
  docs: Document[];
  position: number;
  lastUsed: number;
}

/** Open cursors: the rest of a result set, handed out in batches by `getMore`. */
export class CursorManager {
  private readonly cursors = new Map<string, OpenCursor>();
  private nextId = 1;

  /** A cursor reply for `docs`, first batch included; opens a cursor only if something remains. */
  open(
    ns: string,
    docs: Document[],
    batchSize: number | undefined,
    singleBatch = false,
  ): Document {
    // batchSize 0 asks for an open cursor and no documents yet.
    const firstBatch =
      batchSize === 0 ? [] : takeBatch(docs, 0, batchSize ?? 101);
    let id = Long.ZERO;
    if (!singleBatch && firstBatch.length < docs.length) {
      id = Long.fromNumber(
        this.nextId++ + Math.floor(Math.random() * 1e6) * 1e6,
      );
      this.cursors.set(id.toString(), {
        id,
        ns,
        docs,
        position: firstBatch.length,
        lastUsed: Date.now(),
      });
    }
    return { cursor: { firstBatch, id, ns }, ok: 1 };
  }

  getMore(id: Long, ns: string, batchSize: number | undefined): Document {
    const cursor = this.cursors.get(id.toString());
    if (!cursor) throw cursorNotFound(`cursor id ${id.toString()} not found`);
    const nextBatch = takeBatch(cursor.docs, cursor.position, batchSize);
    cursor.position += nextBatch.length;
    cursor.lastUsed = Date.now();
    let replyId = cursor.id;
    if (cursor.position >= cursor.docs.length) {
      this.cursors.delete(id.toString());
      replyId = Long.ZERO;
    }
    return { cursor: { nextBatch, id: replyId, ns: cursor.ns }, ok: 1 };
  }

  kill(ids: Long[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids)
      (this.cursors.delete(String(id)) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  sweepIdle(now = Date.now()): void {
    for (const [key, c] of this.cursors)
      if (now - c.lastUsed > CURSOR_IDLE_MS) this.cursors.delete(key);
  }

  clear(): void {
    this.cursors.clear();
  }
}

function takeBatch(
  docs: Document[],
  from: number,
  batchSize: number | undefined,
): Document[] {
  const max = batchSize && batchSize > 0 ? batchSize : Infinity;
  const out: Document[] = [];
  let bytes = 0;
  for (let i = from; i < docs.length && out.length < max; i++) {
    if (max === Infinity || out.length >= 1000) {
      bytes += BSON.calculateObjectSize(docs[i]);
      if (bytes > MAX_BATCH_BYTES && out.length > 0) break;
    }
    out.push(docs[i]);
  }
  return out;
}
