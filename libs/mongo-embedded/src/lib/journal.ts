import { BSON, Document } from 'bson';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { Catalog, CatalogRecord } from './catalog';
import { readBson } from './wire-protocol';

/**
 * Durability for `dbPath`: an append-only journal of whole-document images and catalog changes.
 *
 * File layout: an 8-byte magic, then records `[u32 payload length][u32 CRC-32 of payload][BSON payload]`.
 * A write is acknowledged only after its records are written and `fdatasync`ed (concurrent writers
 * share one sync: group commit). On open, the journal is replayed; a torn or corrupt tail (the
 * process died mid-write) is reported, cut off and ignored. When the file holds much more than the
 * live data, it is compacted: a snapshot of the current state is written to a new file, synced and
 * renamed over the journal, so the file never grows without bound.
 */

const MAGIC = Buffer.from('MEJRNL01');
const JOURNAL_FILE = 'journal.bin';
const COMPACT_FILE = 'journal.bin.compact';
const LOCK_FILE = 'mongo-embedded.lock';
const COMPACT_MIN_BYTES = 4 * 1024 * 1024;
const RECORD_HEADER = 8;

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
    await fs.promises.mkdir(absDir, { recursive: true });
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
        } else validBytes = replay(data, catalog, file, log);
      } else validBytes = 0;
      const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT);
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
    this.pending.push(frame);
    this.appendedSeq++;
    return frame.length - RECORD_HEADER;
  }

  /** Resolves when every record appended so far is on disk. */
  flush(): Promise<void> {
    if (this.durableSeq >= this.appendedSeq) return Promise.resolve();
    const seq = this.appendedSeq;
    const done = new Promise<void>((resolve, reject) =>
      this.waiters.push({ seq, resolve, reject }),
    );
    if (!this.draining) void this.drain();
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
          this.markDurable(seq);
        } catch (err) {
          this.failWaiters(seq, err as Error);
          continue;
        }
        if (this.shouldCompact()) {
          try {
            await this.compact();
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

  private failWaiters(seq: number, err: Error): void {
    const failed = this.waiters.filter((w) => w.seq <= seq);
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of failed) w.reject(err);
  }

  private shouldCompact(): boolean {
    if (this.fileBytes < COMPACT_MIN_BYTES) return false;
    const live = this.catalog
      .allCollections()
      .reduce((s, c) => s + Math.max(0, c.liveBytes), 0);
    return this.fileBytes > 2 * live + COMPACT_MIN_BYTES;
  }

  /** Rewrites the journal as a snapshot of the current state (taken synchronously, so consistent). */
  async compact(): Promise<void> {
    const frames: Buffer[] = [MAGIC];
    for (const coll of this.catalog.allCollections()) {
      frames.push(
        encodeRecord({
          op: 'createCollection',
          ns: coll.ns,
          options: coll.options,
        }),
      );
      for (const spec of coll.indexSpecs()) {
        if (spec.name !== '_id_')
          frames.push(encodeRecord({ op: 'createIndex', ns: coll.ns, spec }));
      }
      for (const doc of coll.allDocuments())
        frames.push(encodeRecord({ op: 'put', ns: coll.ns, doc }));
    }
    // Records appended but not yet written are already part of the in-memory state just captured.
    const seq = this.appendedSeq;
    this.pending = [];
    const snapshot = Buffer.concat(frames);
    const tmp = path.join(this.dir, COMPACT_FILE);
    const fd = fs.openSync(tmp, 'w');
    try {
      await writeAll(fd, snapshot, 0);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(this.dir, JOURNAL_FILE));
    fsyncDir(this.dir);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(
      path.join(this.dir, JOURNAL_FILE),
      fs.constants.O_RDWR,
    );
    this.fileBytes = snapshot.length;
    this.markDurable(seq);
  }

  get sizeOnDisk(): number {
    return this.fileBytes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    while (this.draining) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    fs.closeSync(this.fd);
    this.catalog.setSink(() => 0);
    openPaths.delete(this.dir);
    releaseLock(this.dir);
  }
}

function encodeRecord(record: Document): Buffer {
  const payload = Buffer.from(BSON.serialize(record));
  const frame = Buffer.allocUnsafe(RECORD_HEADER + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, RECORD_HEADER);
  return frame;
}

/** Applies every intact record; returns the byte length of the intact prefix. */
function replay(
  data: Buffer,
  catalog: Catalog,
  file: string,
  log: (msg: string) => void,
): number {
  let offset = MAGIC.length;
  while (offset < data.length) {
    const problem = checkRecord(data, offset);
    if (problem) {
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

function checkRecord(data: Buffer, offset: number): string | undefined {
  if (data.length - offset < RECORD_HEADER) return 'incomplete record header';
  const length = data.readUInt32LE(offset);
  if (length < 5 || offset + RECORD_HEADER + length > data.length)
    return 'incomplete record';
  const payload = data.subarray(
    offset + RECORD_HEADER,
    offset + RECORD_HEADER + length,
  );
  if (crc32(payload) !== data.readUInt32LE(offset + 4))
    return 'checksum mismatch';
  if (payload.readInt32LE(0) !== length) return 'malformed record';
  return undefined;
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

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

function acquireLock(dir: string): void {
  const lock = path.join(dir, LOCK_FILE);
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid))
      throw new Error(
        `mongo-embedded: dbPath ${dir} is in use by process ${pid} (remove ${lock} if that is wrong)`,
      );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(lock, String(process.pid));
}

function releaseLock(dir: string): void {
  try {
    fs.rmSync(path.join(dir, LOCK_FILE), { force: true });
  } catch {
    // nothing to release
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
