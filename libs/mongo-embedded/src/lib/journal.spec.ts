import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Catalog } from './catalog';
import { Journal } from './journal';

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
