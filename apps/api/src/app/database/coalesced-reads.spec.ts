import { type Collection, type Document, ObjectId } from 'mongodb';
import { RecordedDatabase } from '../testing/recorded-database';
import { CoalescedReads } from './coalesced-reads';

describe('CoalescedReads (real embedded database)', () => {
  let db: RecordedDatabase;
  let rows: Collection<Document>;

  beforeAll(async () => {
    db = await RecordedDatabase.start('coalesced_reads');
    rows = db.collection('rows');
  });

  afterAll(async () => {
    await db?.close();
  });

  beforeEach(async () => {
    await rows.deleteMany({});
    db.commands.length = 0;
  });

  const byIds = (maxKeys?: number) =>
    new CoalescedReads<Document>(
      (ids) =>
        rows
          .find({ _id: { $in: ids.map((id) => new ObjectId(id)) } })
          .toArray(),
      (row) => (row['_id'] as ObjectId).toHexString(),
      maxKeys,
    );
  const finds = () => db.named('find');

  it('answers the reads of one turn with one query, each with its own document', async () => {
    const ids = Array.from({ length: 10 }, () => new ObjectId());
    await rows.insertMany(ids.map((_id, n) => ({ _id, n })));
    db.commands.length = 0;
    const reads = byIds();

    const found = await Promise.all([
      ...ids.map((id) => reads.read(id.toHexString())),
      reads.read(ids[3].toHexString()),
    ]);

    expect(finds()).toHaveLength(1);
    expect(found.map((row) => row?.['n'])).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3,
    ]);
  });

  it('answers undefined for a key nothing matches, and the others still', async () => {
    const id = new ObjectId();
    await rows.insertOne({ _id: id, n: 1 });
    const reads = byIds();

    const [missing, present] = await Promise.all([
      reads.read(new ObjectId().toHexString()),
      reads.read(id.toHexString()),
    ]);

    expect(missing).toBeUndefined();
    expect(present?.['n']).toBe(1);
  });

  it('sends a lone read at once, and splits a turn of more keys than one query takes', async () => {
    const ids = Array.from({ length: 5 }, () => new ObjectId());
    await rows.insertMany(ids.map((_id, n) => ({ _id, n })));
    db.commands.length = 0;
    const reads = byIds(2);

    expect((await reads.read(ids[0].toHexString()))?.['n']).toBe(0);
    expect(finds()).toHaveLength(1);
    const found = await Promise.all(
      ids.map((id) => reads.read(id.toHexString())),
    );

    expect(found.map((row) => row?.['n'])).toEqual([0, 1, 2, 3, 4]);
    expect(finds()).toHaveLength(1 + 3);
  });

  it('answers each key with the first of its documents, so the query’s sort chooses', async () => {
    await rows.insertMany([
      { key: 'a', rank: 1 },
      { key: 'a', rank: 3 },
      { key: 'b', rank: 2 },
    ]);
    const newest = new CoalescedReads<Document>(
      (keys) =>
        rows
          .find({ key: { $in: keys } })
          .sort({ rank: -1 })
          .toArray(),
      (row) => row['key'] as string,
    );

    const [a, b] = await Promise.all([newest.read('a'), newest.read('b')]);

    expect(a?.['rank']).toBe(3);
    expect(b?.['rank']).toBe(2);
  });

  it('fails every read of a query that fails, and reads again in the next turn', async () => {
    let fail = true;
    const reads = new CoalescedReads<Document>(
      async (ids) => {
        if (fail) throw new Error('connection lost');
        return rows.find({ key: { $in: ids } }).toArray();
      },
      (row) => row['key'] as string,
    );
    await rows.insertOne({ key: 'a' });

    const outcomes = await Promise.allSettled([
      reads.read('a'),
      reads.read('b'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'rejected',
    ]);

    fail = false;
    expect((await reads.read('a'))?.['key']).toBe('a');
  });
});
