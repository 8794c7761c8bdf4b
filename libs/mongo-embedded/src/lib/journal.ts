import type { Document } from 'bson';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Catalog, CatalogRecord } from './catalog';
import {
  acquireLock,
  DATA_FILE_MODE,
  fsyncDir,
  preparePrivateDataDir,
  releaseLock,
} from './data-dir';
import {
  encodePutRecord,
  encodeRecord,
  JOURNAL_FILE,
  MAGIC,
  nextIntactRecord,
  RECORD_HEADER,
  recordProblem,
} from './journal-format';
import { readBson } from './wire-protocol';
import { storedDocumentBytes } from './wire-replies';

/**
 * Durability for `dbPath`: an append-only journal of whole-document images and catalog changes
 * (the byte layout is in journal-format.ts).
 *
 * Group commit: a write is acknowledged only after its records are written and `fdatasync`ed, and
 * records appended while one sync is under way all go to disk with the next one, so concurrent
 * writers share a sync instead of queueing for one each. After a failed write or sync the journal
 * refuses every later flush: what is in memory is no longer what is on disk, and acknowledging
 * later writes would claim a durability the failed ones do not have.
 *
 * On open, the journal is replayed. A damaged record with nothing readable after it is a write torn
 * by a crash: it is reported, cut off and ignored. A damaged record with readable records after it
 * is corruption, and cutting there would silently drop those records: the server refuses to start,
 * names the offset and leaves the file as it is, for `repair-journal` (journal-repair.ts).
 *
 * When the file holds much more than the live data, it is compacted: a snapshot of the current
 * state is written to a new file, synced and renamed over the journal, so the file never grows
 * without bound.
 */

const COMPACT_FILE = 'journal.bin.compact';
const COMPACT_MIN_BYTES = 4 * 1024 * 1024;
/** A compaction encodes at most this long before it lets the event loop run (writing what it has). */
const COMPACT_SLICE_MS = 4;
const COMPACT_CHUNK_BYTES = 1024 * 1024;

/** The journal has a damaged record in its middle: starting would lose the records after it. */
export class JournalCorruptionError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly problem: string,
    readonly nextIntactOffset: number,
  ) {
    super(
      `mongo-embedded: journal ${file} is damaged at byte offset ${offset} (${problem}), and intact records ` +
        `follow from byte offset ${nextIntactOffset}: refusing to start, because cutting the journal there would ` +
        `lose them. The file is left untouched. To salvage every intact record into a new journal (the damaged ` +
        `one is kept beside it): npx nx run mongo-embedded:repair-journal --dbPath ${path.dirname(file)}`,
    );
  }
}

const openPaths = new Set<string>();

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Journal {
  private pending: Buffer[] = [];
  private appendedSeq = 0;
  private durableSeq = 0;
  private waiters: Waiter[] = [];
  private draining = false;
  private closed = false;
  /** Set by a failed write or sync; every later flush rejects with it. */
  private failure: Error | undefined;
  private syncs = 0;
  /** Set while a snapshot is written: wakes the writer that keeps the old journal up to date. */
  private kick: (() => void) | undefined;

  private constructor(
    private readonly dir: string,
    private readonly catalog: Catalog,
    private fd: number,
    private fileBytes: number,
    private readonly log: (msg: string) => void,
  ) {}

  /** Opens (or creates) the journal in `dir`, replays it into `catalog`, then records every change. */
  static async open(
    dir: string,
    catalog: Catalog,
    log: (msg: string) => void,
  ): Promise<Journal> {
    const absDir = path.resolve(dir);
    if (openPaths.has(absDir))
      throw new Error(
        `mongo-embedded: dbPath ${absDir} is already open in this process`,
      );
    await preparePrivateDataDir(absDir, log);
    acquireLock(absDir);
    openPaths.add(absDir);
    try {
      await fs.promises.rm(path.join(absDir, COMPACT_FILE), { force: true });
      const file = path.join(absDir, JOURNAL_FILE);
      let validBytes = MAGIC.length;
      let data: Buffer | undefined;
      try {
        data = await fs.promises.readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      catalog.setSink(() => 0);
      if (data && data.length > 0) {
        if (
          data.length < MAGIC.length ||
          !data.subarray(0, MAGIC.length).equals(MAGIC)
        ) {
          if (
            MAGIC.subarray(0, data.length).equals(
              data.subarray(0, MAGIC.length),
            )
          ) {
            log(`journal ${file} ends inside its header; starting empty`);
            validBytes = 0;
          } else
            throw new Error(
              `mongo-embedded: ${file} is not a mongo-embedded journal`,
            );
        } else {
          catalog.beginLoad();
          try {
            validBytes = replay(data, catalog, file, log);
          } finally {
            catalog.endLoad();
          }
        }
      } else validBytes = 0;
      const fd = fs.openSync(
        file,
        fs.constants.O_RDWR | fs.constants.O_CREAT,
        DATA_FILE_MODE,
      );
      if (validBytes === 0) {
        fs.ftruncateSync(fd, 0);
        fs.writeSync(fd, MAGIC, 0, MAGIC.length, 0);
        validBytes = MAGIC.length;
        fs.fdatasyncSync(fd);
        fsyncDir(absDir);
      } else if (data && validBytes < data.length) {
        fs.ftruncateSync(fd, validBytes);
        fs.fdatasyncSync(fd);
      }
      const journal = new Journal(absDir, catalog, fd, validBytes, log);
      catalog.setSink((record) => journal.append(record));
      return journal;
    } catch (err) {
      openPaths.delete(absDir);
      releaseLock(absDir);
      throw err;
    }
  }

  /** Queues a record; returns its payload size. Durable once a later `flush()` resolves. */
  append(record: CatalogRecord): number {
    if (this.closed) throw new Error('mongo-embedded: journal is closed');
    const frame = encodeRecord(record as Document);
    // A failed journal keeps nothing more: every flush is refused anyway.
    if (!this.failure) this.pending.push(frame);
    this.appendedSeq++;
    return frame.length - RECORD_HEADER;
  }

  /** Resolves when every record appended so far is on disk. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.durableSeq >= this.appendedSeq) return Promise.resolve();
    const seq = this.appendedSeq;
    const done = new Promise<void>((resolve, reject) =>
      this.waiters.push({ seq, resolve, reject }),
    );
    if (!this.draining) void this.drain();
    else this.kick?.();
    return done;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const seq = this.appendedSeq;
        const batch =
          this.pending.length === 1
            ? this.pending[0]
            : Buffer.concat(this.pending);
        this.pending = [];
        try {
          await writeAll(this.fd, batch, this.fileBytes);
          this.fileBytes += batch.length;
          await new Promise<void>((res, rej) =>
            fs.fdatasync(this.fd, (e) => (e ? rej(e) : res())),
          );
          this.syncs++;
          this.markDurable(seq);
        } catch (err) {
          this.fail(err as Error);
          return;
        }
        if (this.shouldCompact()) {
          try {
            await this.writeSnapshot();
          } catch (err) {
            this.log(
              `journal compaction failed (the journal stays as it is): ${(err as Error).message}`,
            );
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private markDurable(seq: number): void {
    this.durableSeq = Math.max(this.durableSeq, seq);
    const ready = this.waiters.filter((w) => w.seq <= this.durableSeq);
    this.waiters = this.waiters.filter((w) => w.seq > this.durableSeq);
    for (const w of ready) w.resolve();
  }

  private fail(err: Error): void {
    this.failure = new Error(
      `mongo-embedded: the journal could not be written (${err.message}); writes are refused until the server restarts`,
    );
    this.log(this.failure.message);
    this.pending = [];
    const failed = this.waiters;
    this.waiters = [];
    for (const w of failed) w.reject(this.failure);
  }

  private shouldCompact(): boolean {
    if (this.fileBytes < COMPACT_MIN_BYTES) return false;
    const live = this.catalog
      .allCollections()
      .reduce((s, c) => s + Math.max(0, c.liveBytes), 0);
    return this.fileBytes > 2 * live + COMPACT_MIN_BYTES;
  }

  /**
   * Rewrites the journal as a snapshot of the current state. The snapshot is taken synchronously,
   * so it is consistent: the collections, their indexes and references to their documents (stored
   * documents are replaced, never changed in place, so a reference is an image). It is then encoded
   * and written in slices of at most COMPACT_SLICE_MS, letting the event loop run in between: at
   * 110k documents, encoding it in one go held the whole process for over a second.
   */
  async compact(): Promise<void> {
    // Nothing may append to the old file while the snapshot is written: wait for the writer, then
    // be it (records appended meanwhile are written by the drain that follows).
    while (this.draining) await new Promise((r) => setTimeout(r, 1));
    this.draining = true;
    try {
      await this.writeSnapshot();
    } finally {
      this.draining = false;
      if (this.pending.length > 0) void this.drain();
    }
  }

  private async writeSnapshot(): Promise<void> {
    // Records appended but not yet written are already part of the in-memory state captured here
    // (pending[0, captured)); records appended while the snapshot is written come after it. Both
    // kinds go on being made durable in the old journal meanwhile, so no writer waits for the
    // snapshot; at the swap, the ones appended after the capture are written again behind the
    // snapshot in the new file, before it replaces the old one. A failed compaction leaves the old
    // journal holding every record it acknowledged.
    const captured = this.pending.length;
    const images = this.catalog.allCollections().map((coll) => ({
      ns: coll.ns,
      options: coll.options,
      specs: coll.indexSpecs(),
      docs: coll.allDocuments(),
    }));
    const old = this.writeToOldJournalMeanwhile();
    const tmp = path.join(this.dir, COMPACT_FILE);
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
      if (this.failure) throw this.failure;
      // From here to the rename nothing else writes: what is appended now waits for the new file.
      const upTo = this.pending.length;
      const seq = this.appendedSeq;
      for (const frame of this.pending.slice(captured, upTo)) await add(frame);
      if (frames.length > 0) await writeOut();
      await new Promise<void>((res, rej) =>
        fs.fdatasync(out, (e) => (e ? rej(e) : res())),
      );
      fs.closeSync(out);
      fd = undefined;
      fs.renameSync(tmp, path.join(this.dir, JOURNAL_FILE));
      swapped = true;
      fsyncDir(this.dir);
      fs.closeSync(this.fd);
      this.fd = fs.openSync(
        path.join(this.dir, JOURNAL_FILE),
        fs.constants.O_RDWR,
      );
      this.fileBytes = written;
      this.pending.splice(0, upTo);
      this.markDurable(seq);
    } finally {
      await old.stop();
      if (fd !== undefined) fs.closeSync(fd);
      // Not swapped: what the old journal received meanwhile is written and durable there.
      if (!swapped) this.pending.splice(0, old.written());
    }
  }

  /**
   * While a snapshot is being written: appends what is queued to the old journal and syncs it, as
   * drain() does, but keeps the records queued (they go into the new file too). `written()` is
   * how many queued records (from the front) are durable in the old journal.
   */
  private writeToOldJournalMeanwhile(): {
    stop: () => Promise<void>;
    written: () => number;
  } {
    let done = 0;
    let stopping = false;
    let wake: (() => void) | undefined;
    this.kick = () => wake?.();
    const loop = (async () => {
      while (!stopping && !this.failure) {
        if (this.pending.length <= done) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const upTo = this.pending.length;
        const seq = this.appendedSeq;
        const batch = Buffer.concat(this.pending.slice(done, upTo));
        try {
          await writeAll(this.fd, batch, this.fileBytes);
          this.fileBytes += batch.length;
          await new Promise<void>((res, rej) =>
            fs.fdatasync(this.fd, (e) => (e ? rej(e) : res())),
          );
        } catch (err) {
          this.fail(err as Error);
          return;
        }
        this.syncs++;
        done = upTo;
        this.markDurable(seq);
      }
    })();
    return {
      stop: async () => {
        stopping = true;
        this.kick = undefined;
        wake?.();
        await loop;
      },
      written: () => done,
    };
  }

  get sizeOnDisk(): number {
    return this.fileBytes;
  }

  get appendedRecords(): number {
    return this.appendedSeq;
  }

  /** How many `fdatasync`s made writes durable so far: with group commit, fewer than the writes. */
  get syncCount(): number {
    return this.syncs;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined); // a failed journal was reported when it failed
    while (this.draining) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    fs.closeSync(this.fd);
    this.catalog.setSink(() => 0);
    openPaths.delete(this.dir);
    releaseLock(this.dir);
  }
}

/**
 * Applies every intact record; returns the byte length of the intact prefix. Throws
 * JournalCorruptionError before applying anything past a damaged record that intact ones follow.
 */
function replay(
  data: Buffer,
  catalog: Catalog,
  file: string,
  log: (msg: string) => void,
): number {
  let offset = MAGIC.length;
  while (offset < data.length) {
    const problem = recordProblem(data, offset);
    if (problem) {
      const next = nextIntactRecord(data, offset);
      if (next !== undefined)
        throw new JournalCorruptionError(file, offset, problem, next);
      log(
        `WARNING: journal ${file}: ${problem} at offset ${offset}; ignoring the last ${data.length - offset} bytes (a write torn by a crash)`,
      );
      return offset;
    }
    const length = data.readUInt32LE(offset);
    const payload = data.subarray(
      offset + RECORD_HEADER,
      offset + RECORD_HEADER + length,
    );
    // Collections account live bytes from what their changes cost in the journal.
    catalog.setSink(() => length);
    try {
      catalog.replay(readBson(payload));
    } catch (err) {
      // An intact record that cannot be applied (it should not happen) must not keep the server down.
      log(
        `WARNING: journal ${file}: record at offset ${offset} could not be applied and is skipped: ${(err as Error).message}`,
      );
    }
    offset += RECORD_HEADER + length;
  }
  return offset;
}

function writeAll(fd: number, buf: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (written: number) => {
      if (written >= buf.length) return resolve();
      fs.write(
        fd,
        buf,
        written,
        buf.length - written,
        position + written,
        (err, n) => (err ? reject(err) : step(written + n)),
      );
    };
    step(0);
  });
}
