import * as fs from 'node:fs';
import * as path from 'node:path';
import { Catalog } from './catalog';
import { DATA_FILE_MODE, fsyncDir, writeAll } from './data-dir';
import {
  encodePutRecord,
  encodeRecord,
  JOURNAL_FILE,
  MAGIC,
} from './journal-format';
import { storedDocumentBytes } from './wire-replies';

/**
 * Compaction of the journal (journal.ts): when the file holds much more than the live data, a
 * snapshot of the current state is written to a new file, synced and renamed over the journal, so
 * the file never grows without bound. Writers do not wait for it: what they append meanwhile is
 * made durable in the old journal, and written again behind the snapshot before the swap.
 *
 * The compaction reaches the write path only through JournalWriter. It runs while the journal's
 * own writer is idle (the journal holds it off for as long as the compaction lasts), so nothing
 * else writes to, syncs or swaps the journal file in the meantime.
 */

export const COMPACT_FILE = 'journal.bin.compact';
/** No compaction below this size; after a failed one, none until the file has grown by this. */
export const COMPACT_MIN_BYTES = 4 * 1024 * 1024;
/** A compaction encodes at most this long before it lets the event loop run (writing what it has). */
const COMPACT_SLICE_MS = 4;
const COMPACT_CHUNK_BYTES = 1024 * 1024;

/**
 * The journal's write path, as a compaction sees it: the queue of records appended but not yet
 * dropped, and the operations that make records durable, fail the journal or swap its file.
 * Reads are live: each call answers for that moment, since writers go on appending.
 */
export interface JournalWriter {
  /** How many records are queued (appended, not yet dropped), oldest first. */
  pendingCount(): number;
  /** The encoded records queued at positions [from, to), as slice() gives them. */
  pendingFrames(from: number, to: number): Buffer[];
  /** Drops the `count` oldest queued records: they are durable in the journal file. */
  dropPending(count: number): void;
  /** How many records have been appended so far: what markDurable() counts in. */
  appendedSeq(): number;
  /** The error a failed write or sync left; once set, every flush is refused with it. */
  failure(): Error | undefined;
  /** Appends `batch` to the journal file and fdatasyncs it; rejects with the write's or sync's error. */
  writeAndSync(batch: Buffer): Promise<void>;
  /** Resolves the flushes waiting for records up to `seq`. */
  markDurable(seq: number): void;
  /** Fails the journal after a failed write or sync: waiting and later flushes are refused. */
  fail(err: Error): void;
  /** The compacted file, `fileBytes` long, has been renamed over the journal: writes go to it now. */
  reopen(fileBytes: number): void;
  /** What flush() calls to wake a writer it cannot start itself (undefined: nothing to wake). */
  setKick(kick: (() => void) | undefined): void;
}

/** Whether a journal file of `fileBytes` holds so much more than the live data that it is rewritten. */
export function shouldCompact(fileBytes: number, catalog: Catalog): boolean {
  if (fileBytes < COMPACT_MIN_BYTES) return false;
  const live = catalog
    .allCollections()
    .reduce((s, c) => s + Math.max(0, c.liveBytes), 0);
  return fileBytes > 2 * live + COMPACT_MIN_BYTES;
}

/**
 * Rewrites the journal in `dir` as a snapshot of `catalog`. The snapshot is taken synchronously,
 * so it is consistent: the collections, their indexes and references to their documents (stored
 * documents are replaced, never changed in place, so a reference is an image). It is then encoded
 * and written in slices of at most COMPACT_SLICE_MS, letting the event loop run in between: at
 * 110k documents, encoding it in one go held the whole process for over a second.
 */
export async function writeSnapshot(
  dir: string,
  catalog: Catalog,
  writer: JournalWriter,
): Promise<void> {
  // Records appended but not yet written are already part of the in-memory state captured here
  // (pending[0, captured)); records appended while the snapshot is written come after it. Both
  // kinds go on being made durable in the old journal meanwhile, so no writer waits for the
  // snapshot; at the swap, the ones appended after the capture are written again behind the
  // snapshot in the new file, before it replaces the old one. A failed compaction leaves the old
  // journal holding every record it acknowledged.
  const captured = writer.pendingCount();
  const images = catalog.allCollections().map((coll) => ({
    ns: coll.ns,
    options: coll.options,
    specs: coll.indexSpecs(),
    docs: coll.allDocuments(),
  }));
  const old = writeToOldJournalMeanwhile(writer);
  const tmp = path.join(dir, COMPACT_FILE);
  let fd: number | undefined;
  let written = 0;
  let swapped = false;
  try {
    fd = fs.openSync(tmp, 'w', DATA_FILE_MODE);
    const out = fd;
    let frames: Buffer[] = [MAGIC];
    let bytes = MAGIC.length;
    let sliceStart = performance.now();
    const writeOut = async () => {
      const chunk = frames.length === 1 ? frames[0] : Buffer.concat(frames);
      frames = [];
      bytes = 0;
      await writeAll(out, chunk, written);
      written += chunk.length;
      sliceStart = performance.now();
    };
    const add = async (frame: Buffer) => {
      frames.push(frame);
      bytes += frame.length;
      if (
        bytes >= COMPACT_CHUNK_BYTES ||
        performance.now() - sliceStart >= COMPACT_SLICE_MS
      )
        await writeOut();
    };
    for (const image of images) {
      await add(
        encodeRecord({
          op: 'createCollection',
          ns: image.ns,
          options: image.options,
        }),
      );
      for (const spec of image.specs) {
        if (spec.name !== '_id_')
          await add(encodeRecord({ op: 'createIndex', ns: image.ns, spec }));
      }
      for (const doc of image.docs)
        await add(encodePutRecord(image.ns, storedDocumentBytes(doc)));
    }
    await old.stop();
    const failure = writer.failure();
    if (failure) throw failure;
    // From here to the rename nothing else writes: what is appended now waits for the new file.
    const upTo = writer.pendingCount();
    const seq = writer.appendedSeq();
    for (const frame of writer.pendingFrames(captured, upTo)) await add(frame);
    if (frames.length > 0) await writeOut();
    await new Promise<void>((res, rej) =>
      fs.fdatasync(out, (e) => (e ? rej(e) : res())),
    );
    fs.closeSync(out);
    fd = undefined;
    fs.renameSync(tmp, path.join(dir, JOURNAL_FILE));
    swapped = true;
    fsyncDir(dir);
    try {
      writer.reopen(written);
    } catch (err) {
      // The journal's name now belongs to the new file: writes to the old one would be lost at the
      // next start. Every later write is refused instead. What the new file holds is durable, and
      // is acknowledged as such first.
      writer.markDurable(seq);
      writer.fail(err as Error);
      throw writer.failure();
    }
    writer.dropPending(upTo);
    writer.markDurable(seq);
  } finally {
    await old.stop();
    if (fd !== undefined) fs.closeSync(fd);
    // Not swapped: what the old journal received meanwhile is written and durable there.
    if (!swapped) writer.dropPending(old.written());
  }
}

/**
 * While a snapshot is being written: appends what is queued to the old journal and syncs it, as
 * the journal's own writer does, but keeps the records queued (they go into the new file too).
 * `written()` is how many queued records (from the front) are durable in the old journal.
 */
function writeToOldJournalMeanwhile(writer: JournalWriter): {
  stop: () => Promise<void>;
  written: () => number;
} {
  let done = 0;
  let stopping = false;
  let wake: (() => void) | undefined;
  writer.setKick(() => wake?.());
  const loop = (async () => {
    while (!stopping && !writer.failure()) {
      if (writer.pendingCount() <= done) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const upTo = writer.pendingCount();
      const seq = writer.appendedSeq();
      const batch = Buffer.concat(writer.pendingFrames(done, upTo));
      try {
        await writer.writeAndSync(batch);
      } catch (err) {
        writer.fail(err as Error);
        return;
      }
      done = upTo;
      writer.markDurable(seq);
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      writer.setKick(undefined);
      wake?.();
      await loop;
    },
    written: () => done,
  };
}
