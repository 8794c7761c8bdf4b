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
  writeAll,
} from './data-dir';
import {
  COMPACT_FILE,
  COMPACT_MIN_BYTES,
  JournalWriter,
  shouldCompact,
  writeSnapshot,
} from './journal-compaction';
import {
  encodeRecord,
  JOURNAL_FILE,
  MAGIC,
  nextIntactRecord,
  RECORD_HEADER,
  recordProblem,
} from './journal-format';
import { readBson } from './wire-protocol';

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
 * without bound (journal-compaction.ts, which reaches this file's write path only through the
 * JournalWriter it is handed).
 */

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
  /** After a failed compaction: the file size before which the next is not tried. */
  private compactNotBefore = 0;
  /** Set while a snapshot is written: wakes the writer that keeps the old journal up to date. */
  private kick: (() => void) | undefined;
  /** All that a compaction may see and do of the write path (journal-compaction.ts). */
  private readonly writer: JournalWriter = {
    pendingCount: () => this.pending.length,
    pendingFrames: (from, to) => this.pending.slice(from, to),
    dropPending: (count) => void this.pending.splice(0, count),
    appendedSeq: () => this.appendedSeq,
    failure: () => this.failure,
    writeAndSync: (batch) => this.writeAndSync(batch),
    markDurable: (seq) => this.markDurable(seq),
    fail: (err) => this.fail(err),
    reopen: (fileBytes) => {
      // Opened before the old one is closed: a failed open leaves no closed descriptor number
      // behind for the next file the process opens to take, and the writes meant for the journal.
      const fd = fs.openSync(
        path.join(this.dir, JOURNAL_FILE),
        fs.constants.O_RDWR,
      );
      const old = this.fd;
      this.fd = fd;
      this.fileBytes = fileBytes;
      try {
        fs.closeSync(old);
      } catch {
        // The old file is already replaced: nothing more goes to it, nothing of it is needed.
      }
    },
    setKick: (kick) => {
      this.kick = kick;
    },
  };

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
          await this.writeAndSync(batch);
          this.markDurable(seq);
        } catch (err) {
          this.fail(err as Error);
          return;
        }
        if (
          this.fileBytes >= this.compactNotBefore &&
          shouldCompact(this.fileBytes, this.catalog)
        ) {
          try {
            await writeSnapshot(this.dir, this.catalog, this.writer);
            this.compactNotBefore = 0;
          } catch (err) {
            // Not again on the next write (each try rewrites every live document), but once the
            // file has grown by as much again.
            this.compactNotBefore = this.fileBytes + COMPACT_MIN_BYTES;
            // A failure after the swap failed the journal, which said so itself.
            if (!this.failure)
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

  /** Appends `batch` to the journal file and syncs it (fdatasync): nothing is durable before. */
  private async writeAndSync(batch: Buffer): Promise<void> {
    await writeAll(this.fd, batch, this.fileBytes);
    this.fileBytes += batch.length;
    await new Promise<void>((res, rej) =>
      fs.fdatasync(this.fd, (e) => (e ? rej(e) : res())),
    );
    this.syncs++;
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

  /**
   * Rewrites the journal as a snapshot of the current state, written in slices while the event
   * loop goes on running (journal-compaction.ts). Writers do not wait for it.
   */
  async compact(): Promise<void> {
    // Nothing may append to the old file while the snapshot is written: wait for the writer, then
    // be it (records appended meanwhile are written by the drain that follows).
    while (this.draining) await new Promise((r) => setTimeout(r, 1));
    this.draining = true;
    try {
      await writeSnapshot(this.dir, this.catalog, this.writer);
      this.compactNotBefore = 0;
    } finally {
      this.draining = false;
      if (this.pending.length > 0) void this.drain();
    }
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
