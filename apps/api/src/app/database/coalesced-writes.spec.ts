import {
  type Collection,
  type Document,
  MongoNetworkError,
  ObjectId,
} from 'mongodb';
import { RecordedDatabase } from '../testing/recorded-database';
import { isDuplicateKeyError } from './duplicate-key-error';
import { CoalescedWrites, INSERTED, MATCHED } from './coalesced-writes';

describe('CoalescedWrites (real embedded database)', () => {
  let db: RecordedDatabase;
  let rows: Collection<Document>;

  beforeAll(async () => {
    db = await RecordedDatabase.start('coalesced_writes');
    rows = db.collection('rows');
    await rows.createIndex({ key: 1 }, { unique: true });
  });

  afterAll(async () => {
    await db?.close();
  });

  beforeEach(async () => {
    await rows.deleteMany({});
    db.commands.length = 0;
  });

  const unordered = (writes: Parameters<Collection['bulkWrite']>[0]) =>
    rows.bulkWrite(writes, { ordered: false });
  const writeCommands = (name: string) => db.named(name);

  it('stores the writes of one turn with one command, each answered once durable', async () => {
    const inserts = new CoalescedWrites(unordered, INSERTED);
    const docs = Array.from({ length: 20 }, (_, i) => ({
      _id: new ObjectId(),
      key: `k${i}`,
    }));

    await Promise.all(
      docs.map((document) => inserts.write({ insertOne: { document } })),
    );

    expect(writeCommands('insert')).toHaveLength(1);
    expect(await rows.countDocuments()).toBe(20);
  });

  it('still sends a lone write at once, and later turns in commands of their own', async () => {
    const inserts = new CoalescedWrites(unordered, INSERTED);
    await inserts.write({ insertOne: { document: { key: 'a' } } });
    await inserts.write({ insertOne: { document: { key: 'b' } } });

    expect(writeCommands('insert')).toHaveLength(2);
    expect(await rows.countDocuments()).toBe(2);
  });

  it('fails only the row a unique index refuses; the others are stored', async () => {
    await rows.insertOne({ key: 'taken' });
    const inserts = new CoalescedWrites(unordered, INSERTED);

    const outcomes = await Promise.allSettled(
      ['free-1', 'taken', 'free-2'].map((key) =>
        inserts.write({ insertOne: { document: { key } } }),
      ),
    );

    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(
      isDuplicateKeyError((outcomes[1] as PromiseRejectedResult).reason),
    ).toBe(true);
    expect(
      (await rows.find({}, { sort: { key: 1 } }).toArray()).map((r) => r.key),
    ).toEqual(['free-1', 'free-2', 'taken']);
  });

  it('fails only the update the server refuses (MATCHED counts the rows done)', async () => {
    await rows.insertMany([
      { key: 'n', count: 1 },
      { key: 's', count: 'not a number' },
    ]);
    const updates = new CoalescedWrites(unordered, MATCHED);

    const outcomes = await Promise.allSettled(
      ['n', 's'].map((key) =>
        updates.write({
          updateOne: { filter: { key }, update: { $inc: { count: 1 } } },
        }),
      ),
    );

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect(writeCommands('update')).toHaveLength(1);
    expect((await rows.findOne({ key: 'n' }))?.['count']).toBe(2);
  });

  it('fails every row when the command as a whole fails (nothing says which rows went through)', async () => {
    const lost = new MongoNetworkError('connection closed');
    const inserts = new CoalescedWrites(() => Promise.reject(lost), INSERTED);

    const outcomes = await Promise.allSettled(
      ['a', 'b'].map((key) =>
        inserts.write({ insertOne: { document: { key } } }),
      ),
    );

    expect(outcomes).toEqual([
      { status: 'rejected', reason: lost },
      { status: 'rejected', reason: lost },
    ]);
  });

  it('splits a turn with more rows than a command may carry', async () => {
    const inserts = new CoalescedWrites(unordered, INSERTED, 8);

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inserts.write({ insertOne: { document: { key: `k${i}` } } }),
      ),
    );

    expect(writeCommands('insert')).toHaveLength(3);
    expect(await rows.countDocuments()).toBe(20);
  });
});
