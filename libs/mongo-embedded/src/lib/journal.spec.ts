import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Catalog } from './catalog';
import { Journal, JournalCorruptionError } from './journal';
import {
  encodePutRecord,
  encodeRecord,
  MAGIC,
  recordSize,
} from './journal-format';
import { BSON, Long, ObjectId } from 'bson';
import { repairJournal } from './journal-repair';

const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'me-journal-'));
  dirs.push(d);
  return d;
};
afterAll(() =>
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })),
);

async function open(dir: string, warnings: string[] = []) {
  const catalog = new Catalog();
  const journal = await Journal.open(dir, catalog, (m) => warnings.push(m));
  return { catalog, journal };
}

describe('journal', () => {
  it('replays collections, indexes, updates and deletes', async () => {
    const dir = tempDir();
    const a = await open(dir);
    const coll = a.catalog.ensure('db', 'c');
    coll.createIndex({ key: { email: 1 }, name: 'email_1', unique: true });
    coll.insert({ _id: 1, email: 'a' });
    coll.insert({ _id: 2, email: 'b' });
    coll.replace(coll.ridOfId(1) as number, { _id: 1, email: 'z' });
    coll.remove(coll.ridOfId(2) as number);
    await a.journal.close();

    const b = await open(dir);
    const again = b.catalog.get('db', 'c');
    expect(again?.allDocuments()).toEqual([{ _id: 1, email: 'z' }]);
    expect(again?.indexSpecs().map((s) => s.name)).toEqual(['_id_', 'email_1']);
    expect(() => again?.insert({ _id: 3, email: 'z' })).toThrow(/E11000/);
    await b.journal.close();
  });

  it('skips a torn last record with a warning and appends after the intact prefix', async () => {
    const dir = tempDir();
    const a = await open(dir);
    const coll = a.catalog.ensure('db', 'c');
    for (let i = 0; i < 10; i++) coll.insert({ _id: i, v: 'x'.repeat(100) });
    await a.journal.close();
    const file = path.join(dir, 'journal.bin');
    fs.truncateSync(file, fs.statSync(file).size - 37);
    fs.appendFileSync(file, Buffer.from([1, 2, 3]));

    const warnings: string[] = [];
    const b = await open(dir, warnings);
    expect(warnings.join('\n')).toMatch(
      /WARNING: .*ignoring the last \d+ bytes/,
    );
    expect(b.catalog.get('db', 'c')?.count).toBe(9);
    b.catalog.get('db', 'c')?.insert({ _id: 'after' });
    await b.journal.close();

    const c = await open(dir);
    expect(c.catalog.get('db', 'c')?.count).toBe(10);
    await c.journal.close();
  });

  it('compacts a journal that is mostly overwritten history', async () => {
    const dir = tempDir();
    const a = await open(dir);
    const coll = a.catalog.ensure('db', 'c');
    coll.insert({ _id: 1, v: '' });
    for (let i = 0; i < 3000; i++) {
      coll.replace(coll.ridOfId(1) as number, {
        _id: 1,
        v: `${i}`.padEnd(2000, '.'),
      });
      if (i % 100 === 0) await a.journal.flush();
    }
    await a.journal.flush();
    expect(a.journal.sizeOnDisk).toBeLessThan(5 * 1024 * 1024);
    await a.journal.close();
    const b = await open(dir);
    expect(b.catalog.get('db', 'c')?.allDocuments()[0]['v']).toMatch(/^2999\./);
    await b.journal.close();
  });

  it("frames a put around a document's BSON exactly as encodeRecord does", () => {
    const doc = {
      _id: new ObjectId(),
      n: Long.fromNumber(2 ** 40),
      text: 'héllo ✓',
      at: new Date(5),
      tags: ['a', null],
    };
    for (const ns of ['db.c', 'dé.côll'])
      expect(encodePutRecord(ns, BSON.serialize(doc))).toEqual(
        encodeRecord({ op: 'put', ns, doc }),
      );
  });

  it('keeps writing while it compacts, and the snapshot plus what came during it survive a restart', async () => {
    const dir = tempDir();
    const a = await open(dir);
    const coll = a.catalog.ensure('db', 'c');
    coll.createIndex({ key: { v: 1 }, name: 'v_1' });
    for (let i = 0; i < 20_000; i++)
      coll.insert({ _id: i, v: i, text: 'x'.repeat(50) });
    await a.journal.flush();
    // The compaction yields to the event loop while it encodes: other work runs in between.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const compaction = a.journal.compact();
    let duringCompaction = 0;
    while (ticks < 3) await new Promise((r) => setImmediate(r));
    // Changes made after the snapshot was taken: a new document, a replaced one, a removed one.
    coll.insert({ _id: 'new', v: -1 });
    coll.replace(coll.ridOfId(5) as number, { _id: 5, v: 'changed' });
    coll.remove(coll.ridOfId(6) as number);
    const order: string[] = [];
    const flushed = a.journal.flush().then(() => order.push('flushed'));
    duringCompaction = ticks;
    await compaction.then(() => order.push('compacted'));
    clearInterval(ticker);
    await flushed;
    expect(duringCompaction).toBeGreaterThanOrEqual(3);
    // Those writes were made durable in the old journal without waiting for the snapshot.
    expect(order).toEqual(['flushed', 'compacted']);
    coll.insert({ _id: 'after', v: -2 });
    await a.journal.flush();
    await a.journal.close();

    const b = await open(dir);
    const again = b.catalog.get('db', 'c');
    expect(again?.count).toBe(20_001);
    expect(again?.get(again.ridOfId(5) as number)?.['v']).toBe('changed');
    expect(again?.ridOfId(6)).toBeUndefined();
    expect(again?.ridOfId('new')).toBeDefined();
    expect(again?.ridOfId('after')).toBeDefined();
    expect(again?.indexSpecs().map((spec) => spec.name)).toEqual([
      '_id_',
      'v_1',
    ]);
    await b.journal.close();
  });

  it('refuses a dbPath already open in this process', async () => {
    const dir = tempDir();
    const a = await open(dir);
    await expect(open(dir)).rejects.toThrow(/already open/);
    await a.journal.close();
  });
});

describe('journal after a restart', () => {
  it('does not compact again on every write when the live data alone exceeds the threshold', async () => {
    const dir = tempDir();
    const a = await open(dir);
    const coll = a.catalog.ensure('db', 'c');
    for (let i = 0; i < 6000; i++) coll.insert({ _id: i, v: 'x'.repeat(1000) });
    await a.journal.close();
    const sizeBefore = fs.statSync(path.join(dir, 'journal.bin')).size;

    const b = await open(dir);
    const again = b.catalog.get('db', 'c');
    expect(again?.liveBytes).toBeGreaterThan(6_000_000);
    again?.insert({ _id: 'one-more' });
    await b.journal.flush();
    // Appended, not rewritten: the file only grew by the new record.
    expect(b.journal.sizeOnDisk).toBeGreaterThan(sizeBefore);
    expect(b.journal.sizeOnDisk - sizeBefore).toBeLessThan(200);
    await b.journal.close();
  });
});

/** Byte offsets of the journal's records, in order. */
function recordOffsets(file: string): number[] {
  const data = fs.readFileSync(file);
  const offsets: number[] = [];
  for (let at = MAGIC.length; at < data.length; at += recordSize(data, at))
    offsets.push(at);
  return offsets;
}

/** A journal holding a collection and `count` documents, one record each; returns its file. */
async function journalWithDocuments(dir: string, count: number) {
  const a = await open(dir);
  const coll = a.catalog.ensure('db', 'c');
  for (let i = 0; i < count; i++) coll.insert({ _id: i, v: `value-${i}` });
  await a.journal.close();
  return path.join(dir, 'journal.bin');
}

describe('journal damaged in the middle', () => {
  it('refuses to start, names the file and offset, and leaves the file untouched', async () => {
    const dir = tempDir();
    const file = await journalWithDocuments(dir, 100);
    const offsets = recordOffsets(file);
    const damagedAt = offsets[51]; // the put of _id 50 (record 0 creates the collection)
    const bytes = fs.readFileSync(file);
    bytes[damagedAt + 8 + 12] ^= 0x01;
    fs.writeFileSync(file, bytes);

    const error = await open(dir).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(JournalCorruptionError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain(
      `byte offset ${damagedAt} (checksum mismatch)`,
    );
    expect((error as Error).message).toContain(
      `npx nx run mongo-embedded:repair-journal --dbPath ${dir}`,
    );
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    // The refusal released the dbPath: the repair (or a later start) may take it.
    expect(fs.existsSync(path.join(dir, 'mongo-embedded.lock'))).toBe(false);
  });

  it('repairs into a new journal that keeps every record but the damaged one, and keeps the original', async () => {
    const dir = tempDir();
    const file = await journalWithDocuments(dir, 100);
    const bytes = fs.readFileSync(file);
    bytes[recordOffsets(file)[51] + 8 + 12] ^= 0x01;
    fs.writeFileSync(file, bytes);

    const report = repairJournal(dir);
    expect(report.intactRecords).toBe(100); // createCollection + 99 puts
    expect(report.damaged).toHaveLength(1);
    expect(fs.readFileSync(report.original as string).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const b = await open(dir);
    const ids = b.catalog
      .get('db', 'c')
      ?.allDocuments()
      .map((d) => d['_id']);
    expect(ids).toEqual(
      Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 50),
    );
    await b.journal.close();
  });

  it('finds the records after a damaged length field by trying every offset', async () => {
    const dir = tempDir();
    const file = await journalWithDocuments(dir, 30);
    const bytes = fs.readFileSync(file);
    const damagedAt = recordOffsets(file)[10];
    bytes.writeUInt32LE(7, damagedAt); // the length now points into the middle of the record
    fs.writeFileSync(file, bytes);

    await expect(open(dir)).rejects.toThrow(
      new RegExp(`damaged at byte offset ${damagedAt} `),
    );
    const report = repairJournal(dir);
    expect(report.damaged).toEqual([
      expect.objectContaining({ offset: damagedAt }),
    ]);
    const b = await open(dir);
    expect(b.catalog.get('db', 'c')?.count).toBe(29);
    await b.journal.close();
  });

  it('leaves a sound journal alone', async () => {
    const dir = tempDir();
    const file = await journalWithDocuments(dir, 5);
    const before = fs.readFileSync(file);
    const report = repairJournal(dir);
    expect(report).toMatchObject({
      original: undefined,
      damaged: [],
      intactRecords: 6,
    });
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});

describe('journal file permissions', () => {
  it('creates the data directory 0700 and its files 0600', async () => {
    const dir = path.join(tempDir(), 'fresh');
    const a = await open(dir);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'journal.bin')).mode & 0o777).toBe(0o600);
    expect(
      fs.statSync(path.join(dir, 'mongo-embedded.lock')).mode & 0o777,
    ).toBe(0o600);
    await a.journal.close();
  });

  it('narrows an existing world-readable directory and journal at start, saying so', async () => {
    const dir = tempDir();
    await journalWithDocuments(dir, 3);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'journal.bin'), 0o644);
    const warnings: string[] = [];
    const b = await open(dir, warnings);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'journal.bin')).mode & 0o777).toBe(0o600);
    expect(warnings.join('\n')).toMatch(/journal\.bin from 0644 to 0600/);
    expect(b.catalog.get('db', 'c')?.count).toBe(3);
    await b.journal.close();
  });

  it('writes a compacted journal 0600', async () => {
    const dir = tempDir();
    const a = await open(dir);
    a.catalog.ensure('db', 'c').insert({ _id: 1 });
    await a.journal.compact();
    expect(fs.statSync(path.join(dir, 'journal.bin')).mode & 0o777).toBe(0o600);
    await a.journal.close();
  });
});

describe('journal group commit', () => {
  it('makes concurrent writers share syncs, and acknowledges each only once it is on disk', async () => {
    const dir = tempDir();
    const a = await open(dir);
    const coll = a.catalog.ensure('db', 'c');
    await a.journal.flush();
    const syncsBefore = a.journal.syncCount;
    const file = path.join(dir, 'journal.bin');
    const writers = Array.from({ length: 50 }, async (_, i) => {
      for (let k = 0; k < 4; k++) {
        // Stagger the writers so they do not all arrive before the first sync.
        await new Promise((r) => setImmediate(r));
        coll.insert({ _id: `${i}-${k}` });
        const expectedAtLeast = a.journal.sizeOnDisk;
        await a.journal.flush();
        expect(fs.statSync(file).size).toBeGreaterThan(expectedAtLeast);
      }
    });
    await Promise.all(writers);
    const syncs = a.journal.syncCount - syncsBefore;
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(200 / 4);
    await a.journal.close();
    const b = await open(dir);
    expect(b.catalog.get('db', 'c')?.count).toBe(200);
    await b.journal.close();
  });

  it('still writes the queued records when a compaction fails, and acknowledges nothing unwritten', async () => {
    const dir = tempDir();
    const a = await open(dir);
    const coll = a.catalog.ensure('db', 'c');
    coll.insert({ _id: 'before' });
    await a.journal.flush();
    // A directory where the compacted file should go makes the compaction fail.
    fs.mkdirSync(path.join(dir, 'journal.bin.compact'));
    coll.insert({ _id: 'queued during the failed compaction' });
    await expect(a.journal.compact()).rejects.toThrow();
    coll.insert({ _id: 'after' });
    await a.journal.flush();
    await a.journal.close();
    fs.rmdirSync(path.join(dir, 'journal.bin.compact'));

    const b = await open(dir);
    expect(
      b.catalog
        .get('db', 'c')
        ?.allDocuments()
        .map((d) => d['_id']),
    ).toEqual(['before', 'queued during the failed compaction', 'after']);
    await b.journal.close();
  });

  it('refuses every later flush when the compacted file cannot be opened after the swap, writing nothing elsewhere', async () => {
    const dir = tempDir();
    const a = await open(dir);
    const coll = a.catalog.ensure('db', 'c');
    coll.insert({ _id: 'before' });
    await a.journal.flush();
    const realFs: typeof fs = jest.requireActual('node:fs');
    const realOpen = realFs.openSync;
    const journalFile = path.join(dir, 'journal.bin');
    // Out of descriptors at the worst moment: the compacted file is already renamed over the old.
    const opens = jest
      .spyOn(realFs, 'openSync')
      .mockImplementation((file, ...rest) => {
        if (file === journalFile)
          throw Object.assign(new Error('EMFILE: too many open files'), {
            code: 'EMFILE',
          });
        return realOpen(file, ...rest);
      });
    try {
      await expect(a.journal.compact()).rejects.toThrow(/could not be written/);
    } finally {
      opens.mockRestore();
    }
    // Files opened now may be given the descriptor numbers the journal held.
    const bystanders = [0, 1, 2, 3].map((i) =>
      realOpen(path.join(dir, `bystander-${i}`), 'w'),
    );
    coll.insert({ _id: 'after' });
    await expect(a.journal.flush()).rejects.toThrow(/could not be written/);
    bystanders.forEach((fd) => realFs.closeSync(fd));
    for (const i of [0, 1, 2, 3])
      expect(fs.statSync(path.join(dir, `bystander-${i}`)).size).toBe(0);
    await a.journal.close();

    const b = await open(dir);
    expect(
      b.catalog
        .get('db', 'c')
        ?.allDocuments()
        .map((d) => d['_id']),
    ).toEqual(['before']);
    await b.journal.close();
  });

  it('does not try a failing compaction again on every write, only once the file has grown again', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const a = await open(dir, warnings);
    const coll = a.catalog.ensure('db', 'c');
    // A directory where the compacted file should go makes every compaction fail.
    fs.mkdirSync(path.join(dir, 'journal.bin.compact'));
    coll.insert({ _id: 1, v: '' });
    const overwrite = (i: number) =>
      coll.replace(coll.ridOfId(1) as number, {
        _id: 1,
        v: `${i}`.padEnd(2000, '.'),
      });
    // About 6 MB of history over one small document: past the point where it is rewritten.
    for (let i = 0; i < 3000; i++) {
      overwrite(i);
      if (i % 100 === 0) await a.journal.flush();
    }
    await a.journal.flush();
    const failures = () =>
      warnings.filter((w) => w.includes('compaction failed')).length;
    const afterHistory = failures();
    expect(afterHistory).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 50; i++) {
      overwrite(i);
      await a.journal.flush();
    }
    expect(failures()).toBe(afterHistory);

    // Grown by as much again, it is tried again: with the way clear, it succeeds.
    fs.rmdirSync(path.join(dir, 'journal.bin.compact'));
    const overwriteMany = async (count: number) => {
      for (let i = 0; i < count; i++) {
        overwrite(i);
        if (i % 100 === 0) await a.journal.flush();
      }
      await a.journal.flush();
    };
    await overwriteMany(2500);
    expect(failures()).toBe(afterHistory);
    expect(a.journal.sizeOnDisk).toBeLessThan(5 * 1024 * 1024);
    // After a success the next one comes at the usual size again (about 4 MB here), not at the
    // failed one's mark (about 8 MB): these 4 MB more end compacted.
    await overwriteMany(2000);
    expect(a.journal.sizeOnDisk).toBeLessThan(5 * 1024 * 1024);
    await a.journal.close();
  });

  it('refuses every flush after a failed write instead of acknowledging later writes', async () => {
    const dir = tempDir();
    const a = await open(dir);
    const coll = a.catalog.ensure('db', 'c');
    await a.journal.flush();
    const realFd = (a.journal as unknown as { fd: number }).fd;
    (a.journal as unknown as { fd: number }).fd = 2 ** 30; // not an open file: the write fails
    coll.insert({ _id: 'lost' });
    await expect(a.journal.flush()).rejects.toThrow(/could not be written/);
    coll.insert({ _id: 'after' });
    await expect(a.journal.flush()).rejects.toThrow(/could not be written/);
    (a.journal as unknown as { fd: number }).fd = realFd;
    await a.journal.close();
  });
});
