/**
 * Conformance suite for the embedded MongoDB-compatible server.
 *
 * One spec, two client stacks (Mongoose 9 / driver 7 and Mongoose 8 / driver 6), one server.
 * By default the server is `startEmbeddedMongo()`; with `MONGO_TEST_URI` set (e.g.
 * `docker run -d -p 27017:27017 mongo:7` and `MONGO_TEST_URI=mongodb://127.0.0.1:27017`) the very
 * same expectations run against a real MongoDB, which is how parity is confirmed.
 *
 * Every stack gets a fresh database; nothing here depends on test order except inside one `it`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type * as MongooseModule from 'mongoose';
import type * as DriverModule from 'mongodb';
import { startEmbeddedMongo } from '../index';

type Mongoose = typeof MongooseModule;
type Driver = typeof DriverModule;

interface Stack {
  name: string;
  tag: string;
  mongoose: Mongoose;
  driver: Driver;
}

// Mongoose's typings declare the ambient module 'mongoose', so the v8 alias is loaded untyped and
// viewed through v9's types: the calls used below have the same shape in both majors.
const stacks: Stack[] = [
  {
    name: 'Mongoose 9 / driver 7',
    tag: 'm9',
    mongoose: require('mongoose'),
    driver: require('mongodb'),
  },
  {
    name: 'Mongoose 8 / driver 6',
    tag: 'm8',
    mongoose: require('mongoose8'),
    driver: require('mongodb6'),
  },
];

// Generous per-test budget for slow CI machines; the TTL test sets its own, longer one.
jest.setTimeout(20_000);

const REAL_MONGO_URI = process.env['MONGO_TEST_URI'];
// mongod's TTL monitor runs every 60 s; the embedded server is expected to be much quicker.
const TTL_WAIT_MS = 75_000;

let serverUri: string;
let stopServer: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (REAL_MONGO_URI) {
    serverUri = REAL_MONGO_URI;
    return;
  }
  const server = await startEmbeddedMongo({ port: 0 });
  serverUri = server.uri;
  stopServer = () => server.stop();
}, 30_000);

afterAll(async () => {
  await stopServer?.();
}, 30_000);

function freshDbName(tag: string): string {
  return `conformance_${tag}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs `fn`, expecting it to reject; returns the error (fails the test if it resolves). */
async function rejection(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

function expectDuplicateKeyMessage(
  err: any,
  db: string,
  coll: string,
  indexName: string,
) {
  const msg: string = err.errmsg ?? err.message;
  expect(msg).toContain(`E11000 duplicate key error collection: ${db}.${coll}`);
  expect(msg).toContain(`index: ${indexName}`);
  expect(msg).toContain('dup key:');
}

async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return check();
}

describe.each(stacks)('$name', (stack) => {
  const { ObjectId, Long, Decimal128, Binary, Int32, Double } = stack.driver;
  const dbName = freshDbName(stack.tag);
  let client: DriverModule.MongoClient;
  let db: DriverModule.Db;
  let conn: MongooseModule.Connection;
  const started: Array<{ commandName: string; command: any }> = [];
  const succeeded: Array<{ commandName: string; reply: any }> = [];

  beforeAll(async () => {
    client = new stack.driver.MongoClient(serverUri, {
      monitorCommands: true,
      serverSelectionTimeoutMS: 10_000,
    });
    client.on('commandStarted', (e: any) =>
      started.push({ commandName: e.commandName, command: e.command }),
    );
    client.on('commandSucceeded', (e: any) =>
      succeeded.push({ commandName: e.commandName, reply: e.reply }),
    );
    await client.connect();
    db = client.db(dbName);
    conn = stack.mongoose.createConnection(serverUri, {
      dbName,
      serverSelectionTimeoutMS: 10_000,
    });
    await conn.asPromise();
  }, 30_000);

  afterAll(async () => {
    if (REAL_MONGO_URI) await db?.dropDatabase().catch(() => undefined);
    await conn?.close();
    await client?.close();
  }, 30_000);

  const commandsNamed = (name: string) =>
    started.filter((e) => e.commandName === name);

  describe('cursors', () => {
    beforeAll(async () => {
      await db
        .collection('cursor_items')
        .insertMany(
          Array.from({ length: 250 }, (_, i) => ({ _id: i as any, n: i })),
        );
    });

    it('returns every document past the first batch through getMore', async () => {
      const before = commandsNamed('getMore').length;
      const docs = await db
        .collection('cursor_items')
        .find({}, { batchSize: 20 })
        .sort({ n: 1 })
        .toArray();
      expect(docs.map((d: any) => d.n)).toEqual(
        Array.from({ length: 250 }, (_, i) => i),
      );
      expect(commandsNamed('getMore').length - before).toBeGreaterThanOrEqual(
        12,
      );
    });

    it('answers find/getMore/killCursors at the wire level with int64 cursor ids', async () => {
      const first: any = await db.command(
        { find: 'cursor_items', filter: {}, sort: { n: 1 }, batchSize: 3 },
        { promoteLongs: false } as any,
      );
      expect(first.cursor.ns).toBe(`${dbName}.cursor_items`);
      expect(first.cursor.firstBatch.map((d: any) => d.n)).toEqual([0, 1, 2]);
      expect(first.cursor.id).toBeInstanceOf(Long);
      expect(first.cursor.id.isZero()).toBe(false);
      const id = first.cursor.id;

      const more: any = await db.command(
        { getMore: id, collection: 'cursor_items', batchSize: 4 },
        { promoteLongs: false } as any,
      );
      expect(more.cursor.nextBatch.map((d: any) => d.n)).toEqual([3, 4, 5, 6]);
      expect(more.cursor.id.equals(id)).toBe(true);

      const killed: any = await db.command(
        { killCursors: 'cursor_items', cursors: [id] },
        { promoteLongs: false } as any,
      );
      expect(killed.cursorsKilled.map((c: any) => c.toString())).toEqual([
        id.toString(),
      ]);

      const err = await rejection(() =>
        db.command({ getMore: id, collection: 'cursor_items' }),
      );
      expect(err.code).toBe(43); // CursorNotFound
    });

    it('returns cursor id 0 once the results are exhausted', async () => {
      const res: any = await db.command(
        { find: 'cursor_items', filter: { n: { $lt: 5 } }, batchSize: 10 },
        { promoteLongs: false } as any,
      );
      expect(res.cursor.firstBatch).toHaveLength(5);
      expect(res.cursor.id.isZero()).toBe(true);
    });

    it('kills a cursor that is closed before it is exhausted', async () => {
      const cursor = db.collection('cursor_items').find({}, { batchSize: 5 });
      for (let i = 0; i < 7; i++) await cursor.next();
      await cursor.close();
      const kill = succeeded
        .filter((e) => e.commandName === 'killCursors')
        .pop();
      expect(kill).toBeDefined();
      expect(kill?.reply.cursorsKilled).toHaveLength(1);
    });

    it('streams aggregate results past the first batch', async () => {
      const docs = await db
        .collection('cursor_items')
        .aggregate([{ $match: { n: { $gte: 50 } } }, { $sort: { n: -1 } }], {
          batchSize: 25,
        })
        .toArray();
      expect(docs).toHaveLength(200);
      expect(docs[0]['n']).toBe(249);
      expect(docs[199]['n']).toBe(50);
    });

    it('iterates a Mongoose query cursor past the first batch', async () => {
      const Item = conn.model(
        'CursorItem',
        new stack.mongoose.Schema({ _id: Number, n: Number }),
        'cursor_items',
      );
      const seen: number[] = [];
      for await (const doc of Item.find()
        .sort({ n: 1 })
        .batchSize(17)
        .lean()
        .cursor())
        seen.push((doc as any).n);
      expect(seen).toHaveLength(250);
      expect(seen[249]).toBe(249);
    });
  });

  describe('find', () => {
    const people = [
      {
        _id: 1,
        name: 'ann',
        age: 31,
        city: 'Oslo',
        tags: ['a', 'b'],
        address: { zip: '0150', geo: { lat: 59 } },
      },
      {
        _id: 2,
        name: 'bob',
        age: 25,
        city: 'Rome',
        tags: ['b'],
        address: { zip: '00100' },
      },
      {
        _id: 3,
        name: 'cid',
        age: 42,
        city: 'Oslo',
        tags: [],
        scores: [
          { k: 'x', v: 3 },
          { k: 'y', v: 9 },
        ],
      },
      {
        _id: 4,
        name: 'dee',
        age: 25,
        city: 'Paris',
        scores: [{ k: 'x', v: 7 }],
      },
      { _id: 5, name: 'eve', age: 19, city: 'Oslo', tags: ['c'], nick: null },
      { _id: 6, name: 'fay', age: 55, city: 'Rome' },
    ];
    const ids = async (filter: any, options: any = {}) =>
      (await db.collection('people').find(filter, options).toArray()).map(
        (d: any) => d._id,
      );

    beforeAll(async () => {
      await db.collection('people').insertMany(people as any[]);
    });

    it('applies filter, sort, skip, limit and an inclusion projection together', async () => {
      const docs = await db
        .collection('people')
        .find(
          { age: { $gte: 20 } },
          { projection: { name: 1, age: 1, _id: 0 } },
        )
        .sort({ age: -1, name: 1 })
        .skip(1)
        .limit(3)
        .toArray();
      expect(docs).toEqual([
        { name: 'cid', age: 42 },
        { name: 'ann', age: 31 },
        { name: 'bob', age: 25 },
      ]);
    });

    it('projects only _id for {_id: 1}, and answers a repeated projection from the current document', async () => {
      const people$ = db.collection('people');
      expect(
        await people$
          .find({ _id: 1 as any }, { projection: { _id: 1 } })
          .toArray(),
      ).toEqual([{ _id: 1 }]);
      const read = () =>
        people$.findOne({ _id: 2 as any }, { projection: { tags: 0, age: 0 } });
      const before = await read();
      expect(await read()).toEqual(before);
      await people$.updateOne({ _id: 2 as any }, { $set: { city: 'Bergen' } });
      try {
        expect(await read()).toEqual({ ...before, city: 'Bergen' });
      } finally {
        await people$.updateOne(
          { _id: 2 as any },
          { $set: { city: people[1].city } },
        );
      }
    });

    it('treats $slice without inclusions as an exclusion projection: every other field stays', async () => {
      const [ann] = await db
        .collection('people')
        .find({ _id: 1 as any }, { projection: { tags: { $slice: -1 } } })
        .toArray();
      expect(ann).toEqual({ ...people[0], tags: ['b'] });
      const [onlyTags] = await db
        .collection('people')
        .find(
          { _id: 1 as any },
          { projection: { tags: { $slice: 1 }, name: 1, _id: 0 } },
        )
        .toArray();
      expect(onlyTags).toEqual({
        name: 'ann',
        tags: ['a'],
      });
    });

    it('applies an exclusion projection and dotted projections', async () => {
      const [ann] = await db
        .collection('people')
        .find({ _id: 1 as any }, { projection: { tags: 0, 'address.geo': 0 } })
        .toArray();
      expect(ann).toEqual({
        _id: 1,
        name: 'ann',
        age: 31,
        city: 'Oslo',
        address: { zip: '0150' },
      });
      const [ann2] = await db
        .collection('people')
        .find({ _id: 1 as any }, { projection: { 'address.zip': 1 } })
        .toArray();
      expect(ann2).toEqual({ _id: 1, address: { zip: '0150' } });
      // Through an array, and leaving the stored documents whole.
      const [dee] = await db
        .collection('people')
        .find({ _id: 4 as any }, { projection: { 'scores.v': 0, city: 0 } })
        .toArray();
      expect(dee).toEqual({
        _id: 4,
        name: 'dee',
        age: 25,
        scores: [{ k: 'x' }],
      });
      expect(await db.collection('people').findOne({ _id: 4 as any })).toEqual(
        people[3],
      );
      expect(
        await db.collection('people').findOne({ _id: 1 as any }),
      ).toMatchObject({ tags: people[0].tags, address: people[0].address });
    });

    it('matches the common query operators', async () => {
      expect(
        await ids({ city: { $in: ['Rome', 'Paris'] } }, { sort: { _id: 1 } }),
      ).toEqual([2, 4, 6]);
      expect(
        await ids({ city: { $nin: ['Rome', 'Paris'] } }, { sort: { _id: 1 } }),
      ).toEqual([1, 3, 5]);
      expect(
        await ids({ age: { $gt: 25, $lte: 42 } }, { sort: { _id: 1 } }),
      ).toEqual([1, 3]);
      expect(await ids({ age: { $ne: 25 } }, { sort: { _id: 1 } })).toEqual([
        1, 3, 5, 6,
      ]);
      expect(
        await ids(
          { $or: [{ age: 19 }, { name: 'fay' }] },
          { sort: { _id: 1 } },
        ),
      ).toEqual([5, 6]);
      expect(
        await ids(
          { $and: [{ city: 'Oslo' }, { age: { $lt: 40 } }] },
          { sort: { _id: 1 } },
        ),
      ).toEqual([1, 5]);
      expect(await ids({ tags: 'b' }, { sort: { _id: 1 } })).toEqual([1, 2]);
      expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
      expect(await ids({ tags: { $all: ['a', 'b'] } })).toEqual([1]);
      expect(
        await ids({ tags: { $exists: false } }, { sort: { _id: 1 } }),
      ).toEqual([4, 6]);
      expect(await ids({ nick: null }, { sort: { _id: 1 } })).toEqual([
        1, 2, 3, 4, 5, 6,
      ]);
      expect(await ids({ nick: { $exists: true } })).toEqual([5]);
      expect(await ids({ 'address.zip': '00100' })).toEqual([2]);
      expect(
        await ids(
          { name: { $regex: '^[a-c]', $options: 'i' } },
          { sort: { _id: 1 } },
        ),
      ).toEqual([1, 2, 3]);
      expect(await ids({ name: /E$/i }, { sort: { _id: 1 } })).toEqual([4, 5]);
      expect(
        await ids({ scores: { $elemMatch: { k: 'x', v: { $gt: 5 } } } }),
      ).toEqual([4]);
      expect(await ids({ 'scores.v': 9 })).toEqual([3]);
      expect(
        await ids({ age: { $not: { $gte: 30 } } }, { sort: { _id: 1 } }),
      ).toEqual([2, 4, 5]);
      expect(await ids({ $nor: [{ city: 'Oslo' }, { city: 'Rome' }] })).toEqual(
        [4],
      );
    });

    it('sorts missing fields first ascending, as MongoDB orders null/missing before values', async () => {
      expect(await ids({}, { sort: { 'address.zip': 1, _id: 1 } })).toEqual([
        3, 4, 5, 6, 2, 1,
      ]);
    });

    it('runs the same query through Mongoose', async () => {
      const Person = conn.model(
        'Person',
        new stack.mongoose.Schema(
          { _id: Number, name: String, age: Number, city: String },
          { strict: false },
        ),
        'people',
      );
      const docs = await Person.find({ city: 'Oslo' })
        .sort({ age: 1 })
        .skip(1)
        .limit(1)
        .select('name -_id')
        .lean();
      expect(docs).toEqual([{ name: 'ann' }]);
      const one = await Person.findOne({ name: 'bob' });
      expect(one?.get('age')).toBe(25);
      expect(await Person.exists({ name: 'zed' })).toBeNull();
    });
  });

  describe('indexed queries answer exactly like unindexed ones', () => {
    // The same documents in two collections, one with indexes and one without: every query must
    // return the same documents in the same order, whatever plan the server picks.
    const values = [
      null,
      undefined,
      0,
      1,
      2.5,
      -3,
      10,
      'a',
      'b',
      'B',
      '',
      true,
      false,
      [1, 2],
      [],
      ['a', 10],
      { x: 1 },
    ];
    const docs = Array.from({ length: 300 }, (_, i) => {
      const d: any = {
        _id: i,
        conv: i % 7,
        at: new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 300) * 1000),
      };
      const a = values[(i * 31) % values.length];
      const b = values[(i * 17 + 3) % values.length];
      if (a !== undefined) d.a = a;
      if (b !== undefined) d.b = b;
      if (i % 50 === 7) d.a = [null, 3];
      if (i % 3 === 0) d.tags = [`t${i % 5}`, `t${(i + 1) % 5}`];
      else if (i % 3 === 1) d.tags = `t${i % 5}`;
      else if (i % 10 === 2) d.tags = i % 20 === 2 ? null : [null, 't1'];
      if (i % 4 === 0) d.s = i % 8;
      return d;
    });
    const queries: Array<{
      filter: any;
      sort?: any;
      skip?: number;
      limit?: number;
    }> = [
      {
        filter: {
          conv: 3,
          at: { $lt: new Date(Date.UTC(2026, 0, 1) + 150_000) },
        },
        sort: { at: -1 },
        limit: 10,
      },
      {
        filter: {
          conv: 3,
          at: { $lt: new Date(Date.UTC(2026, 0, 1) + 150_000) },
        },
        sort: { at: 1 },
        limit: 10,
      },
      {
        filter: {
          conv: { $in: [1, 5] },
          at: { $gte: new Date(Date.UTC(2026, 0, 1) + 100_000) },
        },
        sort: { at: -1, _id: 1 },
      },
      { filter: { conv: 2 }, sort: { at: -1 }, skip: 5, limit: 7 },
      { filter: {}, sort: { conv: 1, at: -1 }, limit: 40 },
      { filter: { a: 1 } },
      { filter: { a: null } },
      { filter: { a: { $exists: false } } },
      { filter: { a: { $gt: 0 } } },
      { filter: { a: { $gte: 'a' } } },
      { filter: { a: { $lt: 10, $gte: -3 } } },
      { filter: { a: { $in: [1, 'b', null] } } },
      { filter: { a: { $ne: 1 } } },
      { filter: { a: [] } },
      { filter: { a: [1, 2] } },
      { filter: { a: { x: 1 } } },
      { filter: { a: true, b: { $ne: null } } },
      { filter: { a: { $type: 'string' } } },
      { filter: {}, sort: { a: 1, _id: 1 } },
      { filter: {}, sort: { a: -1, _id: 1 } },
      { filter: { a: { $gte: 0 } }, sort: { a: -1, b: 1, _id: -1 } },
      { filter: { tags: 't1' } },
      { filter: { tags: { $in: ['t0', 't4'] } }, sort: { _id: -1 } },
      { filter: { tags: { $all: ['t1', 't2'] } } },
      { filter: {}, sort: { tags: 1, _id: 1 } },
      { filter: {}, sort: { tags: -1, _id: 1 } },
      { filter: { s: { $lte: 3 } } },
      { filter: { s: null } },
      { filter: { s: { $exists: true } }, sort: { s: -1, _id: 1 } },
      { filter: { $or: [{ a: 1 }, { s: 4 }] }, sort: { _id: 1 } },
      // null / missing lookups through the [null, null] interval
      { filter: { a: { $eq: null } }, sort: { _id: -1 }, limit: 9 },
      { filter: { a: { $exists: false } }, sort: { a: 1, _id: 1 } },
      { filter: { a: null, conv: 2 } },
      { filter: { $or: [{ a: null }, { a: { $exists: false } }] } },
      { filter: { $and: [{ tags: { $exists: false } }, { conv: 3 }] } },
      { filter: { tags: null } },
      { filter: { tags: { $exists: 0 } }, limit: 5, sort: { _id: 1 } },
      { filter: { s: { $exists: false } }, sort: { _id: 1 } },
      { filter: { conv: 4, a: { $in: [0, 1, 2.5] } }, sort: { at: 1 } },
    ];

    beforeAll(async () => {
      await db.collection('plan_plain').insertMany(docs.map((d) => ({ ...d })));
      await db
        .collection('plan_indexed')
        .insertMany(docs.map((d) => ({ ...d })));
      await db
        .collection('plan_indexed')
        .createIndexes([
          { key: { conv: 1, at: 1 } },
          { key: { a: 1 } },
          { key: { a: -1, conv: 1 } },
          { key: { tags: 1 } },
          { key: { s: 1 }, sparse: true },
        ]);
    });

    it.each(queries.map((q, i) => ({ ...q, i, text: JSON.stringify(q) })))(
      'query $i: $text',
      async (q) => {
        const run = (name: string) => {
          let cursor = db.collection(name).find(q.filter);
          if (q.sort) cursor = cursor.sort(q.sort);
          if (q.skip) cursor = cursor.skip(q.skip);
          if (q.limit) cursor = cursor.limit(q.limit);
          return cursor.toArray();
        };
        const [plain, indexed] = await Promise.all([
          run('plan_plain'),
          run('plan_indexed'),
        ]);
        if (q.sort)
          expect(indexed.map((d: any) => d._id)).toEqual(
            plain.map((d: any) => d._id),
          );
        else
          expect(
            indexed
              .map((d: any) => d._id)
              .sort((x: number, y: number) => x - y),
          ).toEqual(
            plain.map((d: any) => d._id).sort((x: number, y: number) => x - y),
          );
        expect(plain.length).toBeGreaterThan(0);
      },
    );
  });

  describe('updates and deletes', () => {
    const coll = () => db.collection<any>('upd');
    beforeEach(async () => {
      await coll().deleteMany({});
      await coll().insertMany([
        { _id: 1, kind: 'a', n: 1, list: [1] },
        { _id: 2, kind: 'a', n: 2, list: [] },
        { _id: 3, kind: 'b', n: 3 },
      ]);
    });

    it('updates many documents and reports matched and modified counts', async () => {
      const res = await coll().updateMany(
        { kind: 'a' },
        { $inc: { n: 10 }, $set: { touched: true } },
      );
      expect(res.matchedCount).toBe(2);
      expect(res.modifiedCount).toBe(2);
      expect(res.upsertedCount).toBe(0);
      expect(
        await coll().find({}).sort({ _id: 1 }).project({ n: 1 }).toArray(),
      ).toEqual([
        { _id: 1, n: 11 },
        { _id: 2, n: 12 },
        { _id: 3, n: 3 },
      ]);
    });

    it('counts a no-op update as matched but not modified', async () => {
      const res = await coll().updateOne({ _id: 3 }, { $set: { n: 3 } });
      expect(res.matchedCount).toBe(1);
      expect(res.modifiedCount).toBe(0);
    });

    it('upserts with $setOnInsert only on insert', async () => {
      const first = await coll().updateOne(
        { kind: 'c' },
        { $set: { n: 100 }, $setOnInsert: { created: 'yes' } },
        { upsert: true },
      );
      expect(first.upsertedCount).toBe(1);
      expect(first.upsertedId).toBeInstanceOf(ObjectId);
      const inserted = await coll().findOne({ _id: first.upsertedId });
      expect(inserted).toEqual({
        _id: first.upsertedId,
        kind: 'c',
        n: 100,
        created: 'yes',
      });

      const second = await coll().updateOne(
        { kind: 'c' },
        { $set: { n: 101 }, $setOnInsert: { created: 'again' } },
        { upsert: true },
      );
      expect(second.upsertedCount).toBe(0);
      expect(second.matchedCount).toBe(1);
      expect(await coll().findOne({ kind: 'c' })).toMatchObject({
        n: 101,
        created: 'yes',
      });
    });

    it('copies equality fields of the filter into an upserted document', async () => {
      await coll().updateOne(
        { _id: 9, kind: 'z', n: { $gt: 5 } },
        { $inc: { hits: 1 } },
        { upsert: true },
      );
      expect(await coll().findOne({ _id: 9 })).toEqual({
        _id: 9,
        kind: 'z',
        hits: 1,
      });
    });

    it('applies the common update operators', async () => {
      await coll().updateOne({ _id: 1 }, {
        $push: { list: { $each: [2, 3] } },
        $unset: { kind: '' },
        $rename: { n: 'm' },
      } as any);
      await coll().updateOne(
        { _id: 2 },
        { $addToSet: { list: 5 }, $max: { n: 7 }, $mul: { factor: 2 } },
      );
      await coll().updateOne({ _id: 2 }, { $addToSet: { list: 5 } });
      await coll().updateOne({ _id: 1 }, {
        $pull: { list: 2 },
        $currentDate: { at: true },
      } as any);
      await coll().updateOne(
        { _id: 3 },
        { $set: { 'deep.inner.x': 1 }, $min: { n: 1 } },
      );
      const docs = await coll().find({}).sort({ _id: 1 }).toArray();
      expect(docs[0]).toEqual({
        _id: 1,
        m: 1,
        list: [1, 3],
        at: expect.any(Date),
      });
      expect(docs[1]).toEqual({
        _id: 2,
        kind: 'a',
        n: 7,
        list: [5],
        factor: 0,
      });
      expect(docs[2]).toEqual({
        _id: 3,
        kind: 'b',
        n: 1,
        deep: { inner: { x: 1 } },
      });
    });

    it('updates the matched array element with the positional operator', async () => {
      await coll().insertOne({
        _id: 20,
        items: [
          { k: 'a', v: 1 },
          { k: 'b', v: 2 },
        ],
      });
      await coll().updateOne(
        { _id: 20, 'items.k': 'b' },
        { $set: { 'items.$.v': 20 } },
      );
      expect((await coll().findOne({ _id: 20 }))?.items).toEqual([
        { k: 'a', v: 1 },
        { k: 'b', v: 20 },
      ]);
    });

    it('replaces a whole document keeping its _id', async () => {
      const res = await coll().replaceOne({ _id: 2 }, { fresh: true });
      expect(res.modifiedCount).toBe(1);
      expect(await coll().findOne({ _id: 2 })).toEqual({ _id: 2, fresh: true });
    });

    it('rejects an update that would change _id', async () => {
      const err = await rejection(() =>
        coll().updateOne({ _id: 1 }, { $set: { _id: 99 } }),
      );
      expect(err.code).toBe(66); // ImmutableField
    });

    it('deletes one or many and reports the count', async () => {
      expect((await coll().deleteOne({ kind: 'a' })).deletedCount).toBe(1);
      expect(
        (await coll().deleteMany({ kind: { $in: ['a', 'b'] } })).deletedCount,
      ).toBe(2);
      expect((await coll().deleteMany({ kind: 'none' })).deletedCount).toBe(0);
      expect(await coll().countDocuments()).toBe(0);
    });
  });

  describe('what a chat backend leans on', () => {
    const coll = () => db.collection<any>('chat');
    beforeEach(async () => {
      await coll().deleteMany({});
      await coll().insertOne({
        _id: 1,
        a: 5,
        b: 3,
        reactions: [
          { userId: 'u1', emoji: '🙂' },
          { userId: 'u2', emoji: '😮' },
          { userId: 'u3', emoji: '🙂' },
        ],
        recent: [3, 1, 2],
        unread: { u1: 0 },
      });
    });

    it('updates array elements chosen by arrayFilters', async () => {
      await coll().updateOne(
        { _id: 1 },
        { $set: { 'reactions.$[r].emoji': '👍' } },
        { arrayFilters: [{ 'r.emoji': '🙂' }] },
      );
      expect(
        (await coll().findOne({ _id: 1 }))?.reactions.map((r: any) => r.emoji),
      ).toEqual(['👍', '😮', '👍']);
    });

    it('pulls array elements matching a condition', async () => {
      await coll().updateOne({ _id: 1 }, {
        $pull: { reactions: { userId: { $in: ['u1', 'u3'] } } },
      } as any);
      expect((await coll().findOne({ _id: 1 }))?.reactions).toEqual([
        { userId: 'u2', emoji: '😮' },
      ]);
    });

    it('pushes with $each, $sort and $slice, and adds to a set with $each', async () => {
      await coll().updateOne({ _id: 1 }, {
        $push: { recent: { $each: [9, 0], $sort: -1, $slice: 3 } },
      } as any);
      await coll().updateOne({ _id: 1 }, {
        $addToSet: { tags: { $each: ['x', 'y', 'x'] } },
      } as any);
      const doc = await coll().findOne({ _id: 1 });
      expect(doc?.recent).toEqual([9, 3, 2]);
      expect(doc?.tags).toEqual(['x', 'y']);
    });

    it('increments counters under a map of user ids, creating missing keys', async () => {
      await coll().updateOne(
        { _id: 1 },
        { $inc: { 'unread.u1': 1, 'unread.u9': 2 } },
      );
      expect((await coll().findOne({ _id: 1 }))?.unread).toEqual({
        u1: 1,
        u9: 2,
      });
    });

    it('refuses conflicting update paths with code 40', async () => {
      const err = await rejection(() =>
        coll().updateOne({ _id: 1 }, { $set: { a: 1 }, $inc: { a: 1 } }),
      );
      expect(err.code).toBe(40);
    });

    it('applies an update pipeline', async () => {
      await coll().updateOne({ _id: 1 }, [
        { $set: { total: { $add: ['$a', '$b'] } } },
        { $unset: 'recent' },
      ]);
      const doc = await coll().findOne({ _id: 1 });
      expect(doc?.total).toBe(8);
      expect(doc).not.toHaveProperty('recent');
    });

    it('matches with $expr comparing two fields', async () => {
      await coll().insertOne({ _id: 2, a: 1, b: 7 });
      expect(
        (
          await coll()
            .find({ $expr: { $gt: ['$a', '$b'] } })
            .toArray()
        ).map((d) => d._id),
      ).toEqual([1]);
    });

    it('projects with $slice and $elemMatch', async () => {
      const doc = await coll().findOne(
        { _id: 1 },
        {
          projection: {
            recent: { $slice: -2 },
            reactions: { $elemMatch: { userId: 'u2' } },
          },
        },
      );
      expect(doc?.recent).toEqual([1, 2]);
      expect(doc?.reactions).toEqual([{ userId: 'u2', emoji: '😮' }]);
    });

    it('runs a mixed bulkWrite and reports every count', async () => {
      const res = await coll().bulkWrite([
        { insertOne: { document: { _id: 10, k: 'x' } } },
        {
          updateOne: {
            filter: { _id: 11 },
            update: { $set: { k: 'y' } },
            upsert: true,
          },
        },
        {
          updateMany: {
            filter: { k: { $in: ['x', 'y'] } },
            update: { $set: { seen: true } },
          },
        },
        { replaceOne: { filter: { _id: 1 }, replacement: { k: 'z' } } },
        { deleteOne: { filter: { _id: 10 } } },
      ]);
      expect(res.insertedCount).toBe(1);
      expect(res.upsertedCount).toBe(1);
      expect(res.upsertedIds).toEqual({ 1: 11 });
      expect(res.matchedCount).toBe(3);
      expect(res.modifiedCount).toBe(3);
      expect(res.deletedCount).toBe(1);
      expect(await coll().find({}).sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, k: 'z' },
        { _id: 11, k: 'y', seen: true },
      ]);
    });

    it('joins the latest message per conversation with a pipeline $lookup', async () => {
      await db
        .collection<any>('chat_convs')
        .insertMany([{ _id: 'c1' }, { _id: 'c2' }, { _id: 'c3' }]);
      await db.collection<any>('chat_msgs').insertMany([
        { _id: 1, conv: 'c1', at: 1, text: 'old' },
        { _id: 2, conv: 'c1', at: 3, text: 'new' },
        { _id: 3, conv: 'c2', at: 2, text: 'only' },
      ]);
      const res = await db
        .collection('chat_convs')
        .aggregate([
          {
            $lookup: {
              from: 'chat_msgs',
              let: { id: '$_id' },
              pipeline: [
                { $match: { $expr: { $eq: ['$conv', '$$id'] } } },
                { $sort: { at: -1 } },
                { $limit: 1 },
                { $project: { _id: 0, text: 1 } },
              ],
              as: 'last',
            },
          },
          { $unwind: { path: '$last', preserveNullAndEmptyArrays: true } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(res).toEqual([
        { _id: 'c1', last: { text: 'new' } },
        { _id: 'c2', last: { text: 'only' } },
        { _id: 'c3' },
      ]);
    });

    it('pages with $facet (items and total in one round trip)', async () => {
      await coll().insertMany(
        Array.from({ length: 12 }, (_, i) => ({ _id: 100 + i, g: 'p' })),
      );
      const [res] = await coll()
        .aggregate([
          { $match: { g: 'p' } },
          { $sort: { _id: -1 } },
          {
            $facet: {
              items: [{ $skip: 5 }, { $limit: 3 }, { $project: { _id: 1 } }],
              total: [{ $count: 'n' }],
            },
          },
        ])
        .toArray();
      expect(res).toEqual({
        items: [{ _id: 106 }, { _id: 105 }, { _id: 104 }],
        total: [{ n: 12 }],
      });
    });

    it('groups by day with $dateToString', async () => {
      await coll().insertMany([
        { _id: 200, at: new Date('2026-03-01T10:00:00Z') },
        { _id: 201, at: new Date('2026-03-01T23:59:59Z') },
        { _id: 202, at: new Date('2026-03-02T00:00:00Z') },
      ]);
      const res = await coll()
        .aggregate([
          { $match: { at: { $exists: true } } },
          {
            $group: {
              _id: { $dateToString: { format: '%Y-%m-%d', date: '$at' } },
              n: { $sum: 1 },
            },
          },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(res).toEqual([
        { _id: '2026-03-01', n: 2 },
        { _id: '2026-03-02', n: 1 },
      ]);
    });

    it('round-trips a 15 MB document and a 60 MB insertMany split by the driver', async () => {
      const big = 'x'.repeat(15 * 1024 * 1024);
      await coll().insertOne({ _id: 'big', big });
      expect((await coll().findOne({ _id: 'big' }))?.big.length).toBe(
        big.length,
      );
      const mb = 'y'.repeat(1024 * 1024);
      const res = await db
        .collection('chat_bulk')
        .insertMany(
          Array.from({ length: 60 }, (_, i) => ({ _id: i as any, mb })),
        );
      expect(res.insertedCount).toBe(60);
      expect(await db.collection('chat_bulk').countDocuments()).toBe(60);
      await db.collection('chat_bulk').drop();
      await coll().deleteOne({ _id: 'big' });
    }, 60_000);

    it('serialises concurrent increments and concurrent upserts of one key', async () => {
      await Promise.all(
        Array.from({ length: 200 }, () =>
          coll().updateOne({ _id: 1 }, { $inc: { a: 1 } }),
        ),
      );
      expect((await coll().findOne({ _id: 1 }))?.a).toBe(205);
      const upserts = db.collection<any>('chat_upserts');
      await upserts.createIndex({ key: 1 }, { unique: true });
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          upserts.updateOne(
            { key: 'k' },
            { $setOnInsert: { first: i }, $inc: { n: 1 } },
            { upsert: true },
          ),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const docs = await upserts.find({ key: 'k' }).toArray();
      expect(docs).toHaveLength(1);
      expect(docs[0]['n']).toBe(30);
    });

    it('keeps a Mongoose Map of counters', async () => {
      const Conv = conn.model(
        'ChatConv',
        new stack.mongoose.Schema({
          unread: { type: Map, of: Number, default: {} },
        }),
      );
      const c: any = await Conv.create({});
      await Conv.updateOne({ _id: c._id }, { $inc: { 'unread.u1': 1 } });
      await Conv.updateOne(
        { _id: c._id },
        { $inc: { 'unread.u1': 1, 'unread.u2': 1 } },
      );
      const again: any = await Conv.findById(c._id);
      expect(again.unread.get('u1')).toBe(2);
      expect(again.unread.get('u2')).toBe(1);
    });
  });

  describe('findAndModify', () => {
    const coll = () => db.collection<any>('fam');
    beforeEach(async () => {
      await coll().deleteMany({});
      await coll().insertMany([
        { _id: 1, q: 'jobs', pri: 2, state: 'new', secret: 's1' },
        { _id: 2, q: 'jobs', pri: 9, state: 'new', secret: 's2' },
        { _id: 3, q: 'jobs', pri: 5, state: 'new', secret: 's3' },
      ]);
    });

    it('returns the document after the update, choosing by sort, with a projection', async () => {
      const doc = await coll().findOneAndUpdate(
        { q: 'jobs', state: 'new' },
        { $set: { state: 'taken' } },
        {
          sort: { pri: -1 },
          returnDocument: 'after',
          projection: { secret: 0 },
        },
      );
      expect(doc).toEqual({ _id: 2, q: 'jobs', pri: 9, state: 'taken' });
    });

    it('returns the document before the update by default', async () => {
      const doc = await coll().findOneAndUpdate(
        { _id: 1 },
        { $inc: { pri: 1 } },
      );
      expect(doc).toMatchObject({ _id: 1, pri: 2 });
      expect(await coll().findOne({ _id: 1 })).toMatchObject({ pri: 3 });
    });

    it('upserts and returns the new document, or null when returning the old one', async () => {
      const created = await coll().findOneAndUpdate(
        { q: 'mail', pri: 1 },
        { $set: { state: 'new' }, $setOnInsert: { secret: 'x' } },
        { upsert: true, returnDocument: 'after' },
      );
      expect(created).toMatchObject({
        q: 'mail',
        pri: 1,
        state: 'new',
        secret: 'x',
      });
      expect(created?._id).toBeInstanceOf(ObjectId);
      const none = await coll().findOneAndUpdate(
        { q: 'sms' },
        { $set: { state: 'new' } },
        { upsert: true },
      );
      expect(none).toBeNull();
      expect(await coll().countDocuments({ q: 'sms' })).toBe(1);
    });

    it('returns null when nothing matches and upsert is off', async () => {
      expect(
        await coll().findOneAndUpdate({ _id: 42 }, { $set: { x: 1 } }),
      ).toBeNull();
    });

    it('removes the first document by sort and returns it', async () => {
      const doc = await coll().findOneAndDelete(
        { q: 'jobs' },
        { sort: { pri: 1 }, projection: { pri: 1 } },
      );
      expect(doc).toEqual({ _id: 1, pri: 2 });
      expect(await coll().countDocuments()).toBe(2);
    });

    it('replaces and returns the replacement', async () => {
      const doc = await coll().findOneAndReplace(
        { _id: 3 },
        { q: 'other' },
        { returnDocument: 'after' },
      );
      expect(doc).toEqual({ _id: 3, q: 'other' });
    });

    it('exposes the raw findAndModify reply (value, lastErrorObject)', async () => {
      const res: any = await db.command({
        findAndModify: 'fam',
        query: { _id: 77 },
        update: { $set: { a: 1 } },
        upsert: true,
        new: true,
      });
      expect(res.ok).toBe(1);
      expect(res.value).toEqual({ _id: 77, a: 1 });
      expect(res.lastErrorObject).toMatchObject({
        n: 1,
        updatedExisting: false,
        upserted: 77,
      });
      const removed: any = await db.command({
        findAndModify: 'fam',
        query: { _id: 77 },
        remove: true,
      });
      expect(removed.value).toEqual({ _id: 77, a: 1 });
      expect(removed.lastErrorObject).toMatchObject({ n: 1 });
    });

    it('works through Mongoose findOneAndUpdate / findOneAndDelete', async () => {
      const Job = conn.model(
        'Job',
        new stack.mongoose.Schema({
          _id: Number,
          q: String,
          pri: Number,
          state: String,
          secret: String,
        }),
        'fam',
      );
      const taken = await Job.findOneAndUpdate(
        { state: 'new' },
        { state: 'taken' },
        { sort: { pri: -1 }, returnDocument: 'after' },
      )
        .select('-secret')
        .lean();
      expect(taken).toEqual({ _id: 2, q: 'jobs', pri: 9, state: 'taken' });
      const up = await Job.findOneAndUpdate(
        { _id: 50 },
        { $set: { q: 'new' } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      expect(up).toMatchObject({ _id: 50, q: 'new' });
      const gone = await Job.findOneAndDelete(
        { q: 'jobs' },
        { sort: { pri: 1 } },
      ).lean();
      expect(gone).toMatchObject({ _id: 1 });
    });
  });

  describe('aggregate', () => {
    beforeAll(async () => {
      await db.collection('customers').insertMany([
        { _id: 'c1', name: 'Acme' },
        { _id: 'c2', name: 'Globex' },
        { _id: 'c3', name: 'Initech' },
      ] as any[]);
      await db.collection('orders').insertMany([
        {
          _id: 1,
          customerId: 'c1',
          status: 'A',
          qty: 2,
          price: 10,
          tags: ['x', 'y'],
        },
        {
          _id: 2,
          customerId: 'c1',
          status: 'A',
          qty: 1,
          price: 5,
          tags: ['y'],
        },
        { _id: 3, customerId: 'c2', status: 'A', qty: 10, price: 3, tags: [] },
        { _id: 4, customerId: 'c2', status: 'D', qty: 7, price: 100 },
        {
          _id: 5,
          customerId: 'c3',
          status: 'A',
          qty: 1,
          price: 1,
          tags: ['x'],
        },
        {
          _id: 6,
          customerId: 'c9',
          status: 'A',
          qty: 4,
          price: 2,
          tags: ['z'],
        },
      ] as any[]);
    });
    const agg = (pipeline: any[]) =>
      db.collection('orders').aggregate(pipeline).toArray();

    it('runs $match, $group with accumulators, and $sort', async () => {
      const res = await agg([
        { $match: { status: 'A' } },
        {
          $group: {
            _id: '$customerId',
            total: { $sum: { $multiply: ['$qty', '$price'] } },
            n: { $sum: 1 },
            maxQty: { $max: '$qty' },
            avgPrice: { $avg: '$price' },
            ids: { $push: '$_id' },
          },
        },
        { $sort: { total: -1, _id: 1 } },
      ]);
      expect(res).toEqual(
        [
          { _id: 'c1', total: 25, n: 2, maxQty: 2, avgPrice: 7.5, ids: [1, 2] },
          { _id: 'c2', total: 30, n: 1, maxQty: 10, avgPrice: 3, ids: [3] },
          { _id: 'c9', total: 8, n: 1, maxQty: 4, avgPrice: 2, ids: [6] },
          { _id: 'c3', total: 1, n: 1, maxQty: 1, avgPrice: 1, ids: [5] },
        ].sort((a, b) => b.total - a.total),
      );
    });

    it('runs $sort, $skip, $limit and $project', async () => {
      const res = await agg([
        { $sort: { _id: 1 } },
        { $skip: 1 },
        { $limit: 2 },
        {
          $project: {
            _id: 0,
            customerId: 1,
            value: { $multiply: ['$qty', '$price'] },
          },
        },
      ]);
      expect(res).toEqual([
        { customerId: 'c1', value: 5 },
        { customerId: 'c2', value: 30 },
      ]);
    });

    it('joins with $lookup, flattens with $unwind and derives fields with $addFields', async () => {
      const res = await agg([
        { $match: { status: 'A' } },
        {
          $lookup: {
            from: 'customers',
            localField: 'customerId',
            foreignField: '_id',
            as: 'customer',
          },
        },
        { $unwind: '$customer' },
        {
          $addFields: {
            customerName: '$customer.name',
            value: { $multiply: ['$qty', '$price'] },
          },
        },
        { $project: { customer: 0, tags: 0, status: 0, qty: 0, price: 0 } },
        { $sort: { _id: 1 } },
      ]);
      expect(res).toEqual([
        { _id: 1, customerId: 'c1', customerName: 'Acme', value: 20 },
        { _id: 2, customerId: 'c1', customerName: 'Acme', value: 5 },
        { _id: 3, customerId: 'c2', customerName: 'Globex', value: 30 },
        { _id: 5, customerId: 'c3', customerName: 'Initech', value: 1 },
      ]);
    });

    it('keeps unmatched $lookup results as empty arrays', async () => {
      const res = await agg([
        { $match: { _id: 6 } },
        {
          $lookup: {
            from: 'customers',
            localField: 'customerId',
            foreignField: '_id',
            as: 'customer',
          },
        },
        { $project: { customer: 1 } },
      ]);
      expect(res).toEqual([{ _id: 6, customer: [] }]);
    });

    it('unwinds arrays (dropping empty and missing ones) and groups the elements', async () => {
      const res = await agg([
        { $unwind: '$tags' },
        { $group: { _id: '$tags', n: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ]);
      expect(res).toEqual([
        { _id: 'x', n: 2 },
        { _id: 'y', n: 2 },
        { _id: 'z', n: 1 },
      ]);
    });

    it('counts with $count', async () => {
      expect(await agg([{ $match: { status: 'A' } }, { $count: 'n' }])).toEqual(
        [{ n: 5 }],
      );
      expect(
        await agg([{ $match: { status: 'nope' } }, { $count: 'n' }]),
      ).toEqual([]);
    });

    it('groups everything with _id null', async () => {
      expect(
        await agg([
          {
            $group: {
              _id: null,
              qty: { $sum: '$qty' },
              first: { $first: '$_id' },
            },
          },
        ]),
      ).toEqual([{ _id: null, qty: 25, first: 1 }]);
    });

    it('runs an aggregate through Mongoose', async () => {
      const Order = conn.model(
        'Order',
        new stack.mongoose.Schema({
          _id: Number,
          customerId: String,
          status: String,
        }),
        'orders',
      );
      const res = await Order.aggregate([
        { $match: { status: 'A' } },
        { $group: { _id: '$status', n: { $sum: 1 } } },
      ]);
      expect(res).toEqual([{ _id: 'A', n: 5 }]);
    });
  });

  describe('counts and distinct', () => {
    beforeAll(async () => {
      await db.collection('cnt').insertMany(
        Array.from({ length: 30 }, (_, i) => ({
          _id: i,
          color: ['red', 'green', 'blue'][i % 3],
          sizes: [i % 2, 10],
        })) as any[],
      );
    });

    it('counts documents with a filter, skip and limit', async () => {
      expect(await db.collection('cnt').countDocuments()).toBe(30);
      expect(await db.collection('cnt').countDocuments({ color: 'red' })).toBe(
        10,
      );
      expect(
        await db
          .collection('cnt')
          .countDocuments({ color: 'red' }, { skip: 3, limit: 5 }),
      ).toBe(5);
      expect(await db.collection('cnt').countDocuments({ color: 'none' })).toBe(
        0,
      );
    });

    it('estimates the document count from metadata', async () => {
      expect(await db.collection('cnt').estimatedDocumentCount()).toBe(30);
      expect(
        await db.collection('never_created').estimatedDocumentCount(),
      ).toBe(0);
    });

    it('returns distinct values, unwinding arrays and honouring the filter', async () => {
      expect((await db.collection('cnt').distinct('color')).sort()).toEqual([
        'blue',
        'green',
        'red',
      ]);
      expect(
        (await db.collection('cnt').distinct('sizes')).sort(
          (a: number, b: number) => a - b,
        ),
      ).toEqual([0, 1, 10]);
      expect(
        await db.collection<any>('cnt').distinct('color', { _id: { $lt: 1 } }),
      ).toEqual(['red']);
      expect(await db.collection('cnt').distinct('nope')).toEqual([]);
    });

    it('counts and distincts through Mongoose', async () => {
      const C = conn.model(
        'Cnt',
        new stack.mongoose.Schema({
          _id: Number,
          color: String,
          sizes: [Number],
        }),
        'cnt',
      );
      expect(await C.countDocuments({ color: 'blue' })).toBe(10);
      expect(await C.estimatedDocumentCount()).toBe(30);
      expect((await C.distinct('color')).sort()).toEqual([
        'blue',
        'green',
        'red',
      ]);
    });
  });

  describe('indexes, collections and databases', () => {
    it('creates, lists and drops indexes', async () => {
      const coll = db.collection('idx');
      await coll.insertOne({ a: 1, b: 2 });
      const names = await coll.createIndexes([
        { key: { a: 1 }, name: 'a_1' },
        { key: { a: 1, b: -1 }, unique: true },
        { key: { c: 1 }, sparse: true, name: 'c_sparse' },
      ]);
      expect(names).toEqual(['a_1', 'a_1_b_-1', 'c_sparse']);
      let list = await coll.listIndexes().toArray();
      expect(list.map((i: any) => i.name).sort()).toEqual([
        '_id_',
        'a_1',
        'a_1_b_-1',
        'c_sparse',
      ]);
      expect(list.find((i: any) => i.name === '_id_')).toMatchObject({
        key: { _id: 1 },
      });
      expect(list.find((i: any) => i.name === 'a_1_b_-1')).toMatchObject({
        key: { a: 1, b: -1 },
        unique: true,
      });
      expect(list.find((i: any) => i.name === 'c_sparse')).toMatchObject({
        key: { c: 1 },
        sparse: true,
      });
      expect(await coll.indexExists('a_1')).toBe(true);

      // Re-creating an identical index is a no-op, not an error.
      expect(await coll.createIndex({ a: 1 })).toBe('a_1');

      await coll.dropIndex('a_1');
      list = await coll.listIndexes().toArray();
      expect(list.map((i: any) => i.name).sort()).toEqual([
        '_id_',
        'a_1_b_-1',
        'c_sparse',
      ]);

      const missing = await rejection(() => coll.dropIndex('nope_1'));
      expect(missing.code).toBe(27); // IndexNotFound

      await coll.dropIndexes();
      list = await coll.listIndexes().toArray();
      expect(list.map((i: any) => i.name)).toEqual(['_id_']);
    });

    it('refuses to list the indexes of a missing collection with NamespaceNotFound', async () => {
      const err = await rejection(() =>
        db.collection('no_such_coll').listIndexes().toArray(),
      );
      expect(err.code).toBe(26);
    });

    it('refuses a unique index over existing duplicates', async () => {
      const coll = db.collection('idx_dups');
      await coll.insertMany([{ e: 'x' }, { e: 'x' }]);
      const err = await rejection(() =>
        coll.createIndex({ e: 1 }, { unique: true }),
      );
      expect(err.code).toBe(11000);
    });

    it('creates the indexes declared in a Mongoose schema', async () => {
      const schema = new stack.mongoose.Schema({
        email: { type: String, unique: true },
        org: String,
        at: Date,
      });
      schema.index({ org: 1, at: -1 });
      const M = conn.model('Indexed', schema, 'mg_indexed');
      await M.init();
      const list = await M.listIndexes();
      expect(list.map((i: any) => i.name).sort()).toEqual([
        '_id_',
        'email_1',
        'org_1_at_-1',
      ]);
      expect(list.find((i: any) => i.name === 'email_1')).toMatchObject({
        unique: true,
      });
      await M.syncIndexes();
      expect((await M.listIndexes()).length).toBe(3);
    });

    it('lists, creates and drops collections', async () => {
      await db.createCollection('lc_a');
      await db.collection('lc_b').insertOne({ x: 1 });
      // Re-creating with identical options: NamespaceExists (48) up to MongoDB 6.0; since 7.0
      // (SERVER-60064) a no-op success. Judge by the wire version the server advertises.
      const { maxWireVersion } = await db.admin().command({ hello: 1 });
      if (maxWireVersion >= 21)
        await expect(db.command({ create: 'lc_a' })).resolves.toMatchObject({
          ok: 1,
        });
      else
        expect(
          (await rejection(() => db.command({ create: 'lc_a' }))).code,
        ).toBe(48);
      const names = (
        await db.listCollections({}, { nameOnly: true }).toArray()
      ).map((c: any) => c.name);
      expect(names).toEqual(expect.arrayContaining(['lc_a', 'lc_b']));
      const filtered = await db.listCollections({ name: 'lc_b' }).toArray();
      expect(filtered).toHaveLength(1);
      expect(filtered[0]).toMatchObject({ name: 'lc_b', type: 'collection' });
      expect(await db.collection('lc_b').drop()).toBe(true);
      const after = (
        await db.listCollections({}, { nameOnly: true }).toArray()
      ).map((c: any) => c.name);
      expect(after).toContain('lc_a');
      expect(after).not.toContain('lc_b');
      expect(await db.collection('lc_b').countDocuments()).toBe(0);
    });

    it('lists databases and drops a whole database', async () => {
      const otherName = `${dbName}_x`;
      const other = client.db(otherName);
      await other.collection('things').insertOne({ a: 1 });
      const listed = await client.db('admin').admin().listDatabases();
      const names = listed.databases.map((d: any) => d.name);
      expect(names).toEqual(expect.arrayContaining([dbName, otherName]));
      expect(await other.dropDatabase()).toBe(true);
      const after = (
        await client.db('admin').admin().listDatabases({ nameOnly: true })
      ).databases.map((d: any) => d.name);
      expect(after).not.toContain(otherName);
      expect(await other.listCollections().toArray()).toEqual([]);
      expect(await other.collection('things').findOne({})).toBeNull();
    });
  });

  describe('duplicate keys (E11000) on every write path', () => {
    let User: any;
    const coll = 'dup_users';
    beforeAll(async () => {
      const schema = new stack.mongoose.Schema({
        email: { type: String, required: true, unique: true },
        handle: { type: String, unique: true, sparse: true },
        n: Number,
      });
      User = conn.model('DupUser', schema, coll);
      await User.init();
    });
    beforeEach(async () => {
      await User.deleteMany({});
      await User.create({ email: 'a@x.io', handle: 'ann' });
    });

    const expectMongooseDup = (err: any, field: string, value: string) => {
      expect(err.name).toBe('MongoServerError');
      expect(err.code).toBe(11000);
      expectDuplicateKeyMessage(err, dbName, coll, `${field}_1`);
      expect(err.message).toContain(value);
      expect(err.keyPattern).toEqual({ [field]: 1 });
      expect(err.keyValue).toEqual({ [field]: value });
    };

    it('insert (Model.create)', async () => {
      const err = await rejection(() => User.create({ email: 'a@x.io' }));
      expectMongooseDup(err, 'email', 'a@x.io');
    });

    it('insert through the driver', async () => {
      const err = await rejection(() =>
        db.collection(coll).insertOne({ email: 'a@x.io' }),
      );
      expect(err).toBeInstanceOf(stack.driver.MongoServerError);
      expect(err.code).toBe(11000);
      expectDuplicateKeyMessage(err, dbName, coll, 'email_1');
      expect(err.keyValue).toEqual({ email: 'a@x.io' });
    });

    it('insertMany, unordered: every bad document reported with its index, the rest inserted', async () => {
      const err = await rejection(() =>
        User.insertMany(
          [
            { email: 'b@x.io' },
            { email: 'a@x.io' },
            { email: 'c@x.io' },
            { email: 'b@x.io' },
            { email: 'd@x.io' },
          ],
          { ordered: false },
        ),
      );
      expect(err.code).toBe(11000);
      const writeErrors = err.writeErrors ?? err.result?.getWriteErrors?.();
      expect(writeErrors.map((e: any) => e.index)).toEqual([1, 3]);
      // Mongoose 8 wraps each driver WriteError as { err, index }; Mongoose 9 passes them through.
      expect(writeErrors.map((e: any) => e.code ?? e.err?.code)).toEqual([
        11000, 11000,
      ]);
      expect(writeErrors[0].errmsg ?? writeErrors[0].err?.errmsg).toContain(
        `E11000 duplicate key error collection: ${dbName}.${coll} index: email_1 dup key:`,
      );
      expect(
        (await User.find().sort({ email: 1 }).lean()).map((u: any) => u.email),
      ).toEqual(['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io']);
    });

    it('insertMany, ordered: stops at the first duplicate', async () => {
      const err = await rejection(() =>
        db
          .collection(coll)
          .insertMany([
            { email: 'e@x.io' },
            { email: 'a@x.io' },
            { email: 'f@x.io' },
          ]),
      );
      expect(err.code).toBe(11000);
      expect(err.writeErrors.map((e: any) => e.index)).toEqual([1]);
      expect(err.result.insertedCount).toBe(1);
      expect(await db.collection(coll).countDocuments()).toBe(2);
    });

    it('update', async () => {
      await User.create({ email: 'b@x.io' });
      const err = await rejection(() =>
        User.updateOne({ email: 'b@x.io' }, { $set: { email: 'a@x.io' } }),
      );
      expectMongooseDup(err, 'email', 'a@x.io');
      expect(await User.countDocuments({ email: 'b@x.io' })).toBe(1);
    });

    it('updateMany that would collide', async () => {
      await User.create([
        { email: 'b@x.io', n: 1 },
        { email: 'c@x.io', n: 1 },
      ]);
      const err = await rejection(() =>
        User.updateMany({ n: 1 }, { $set: { handle: 'same' } }),
      );
      expect(err.code).toBe(11000);
      expect(err.keyPattern).toEqual({ handle: 1 });
    });

    it('upsert', async () => {
      const err = await rejection(() =>
        User.updateOne(
          { email: 'new@x.io' },
          { $set: { handle: 'ann' } },
          { upsert: true },
        ),
      );
      expectMongooseDup(err, 'handle', 'ann');
      expect(await User.countDocuments({ email: 'new@x.io' })).toBe(0);
    });

    it('findAndModify (findOneAndUpdate, with and without upsert)', async () => {
      await User.create({ email: 'b@x.io' });
      const err = await rejection(() =>
        User.findOneAndUpdate(
          { email: 'b@x.io' },
          { email: 'a@x.io' },
          { returnDocument: 'after' },
        ),
      );
      expectMongooseDup(err, 'email', 'a@x.io');
      const err2 = await rejection(() =>
        User.findOneAndUpdate(
          { email: 'z@x.io' },
          { $set: { handle: 'ann' } },
          { upsert: true, returnDocument: 'after' },
        ),
      );
      expectMongooseDup(err2, 'handle', 'ann');
    });

    it('keeps the documents that caused no conflict intact after a failed write', async () => {
      await rejection(() => User.create({ email: 'a@x.io', handle: 'other' }));
      // The failed insert must not leave its entry behind in the handle index.
      await expect(
        User.create({ email: 'q@x.io', handle: 'other' }),
      ).resolves.toBeDefined();
    });

    it('treats a missing field as null in a non-sparse unique index', async () => {
      const c = db.collection('dup_nulls');
      await c.createIndex({ code: 1 }, { unique: true });
      await c.insertOne({ a: 1 });
      const err = await rejection(() => c.insertOne({ a: 2 }));
      expect(err.code).toBe(11000);
      expect(err.keyValue).toEqual({ code: null });
    });

    it('enforces a unique compound index on the combination only', async () => {
      const c = db.collection('dup_compound');
      await c.createIndex({ org: 1, login: 1 }, { unique: true });
      await c.insertMany([
        { org: 1, login: 'a' },
        { org: 1, login: 'b' },
        { org: 2, login: 'a' },
      ]);
      const err = await rejection(() => c.insertOne({ org: 1, login: 'a' }));
      expect(err.code).toBe(11000);
      expectDuplicateKeyMessage(err, dbName, 'dup_compound', 'org_1_login_1');
      expect(err.keyPattern).toEqual({ org: 1, login: 1 });
      expect(err.keyValue).toEqual({ org: 1, login: 'a' });
    });

    it('enforces a unique index on a nested path', async () => {
      const c = db.collection('dup_nested');
      await c.createIndex({ 'contact.email': 1 }, { unique: true });
      await c.insertOne({ contact: { email: 'n@x.io' } });
      const err = await rejection(() =>
        c.insertOne({ contact: { email: 'n@x.io', phone: '1' } }),
      );
      expect(err.code).toBe(11000);
      expect(err.keyPattern).toEqual({ 'contact.email': 1 });
      expect(err.keyValue).toEqual({ 'contact.email': 'n@x.io' });
    });

    it('enforces a unique multikey index across documents, not within one', async () => {
      const c = db.collection('dup_multikey');
      await c.createIndex({ tags: 1 }, { unique: true });
      await c.insertOne({ _id: 1 as any, tags: ['a', 'b', 'a'] });
      await c.insertOne({ _id: 2 as any, tags: ['c'] });
      const err = await rejection(() =>
        c.insertOne({ _id: 3 as any, tags: ['d', 'b'] }),
      );
      expect(err.code).toBe(11000);
      expect(err.keyValue).toEqual({ tags: 'b' });
      // Removing an element frees its key.
      await c.updateOne({ _id: 1 as any }, { $pull: { tags: 'b' } } as any);
      await expect(
        c.insertOne({ _id: 3 as any, tags: ['d', 'b'] }),
      ).resolves.toBeDefined();
    });

    it('allows many documents without the field in a sparse unique index, but not duplicates', async () => {
      const c = db.collection('dup_sparse');
      await c.createIndex({ igId: 1 }, { unique: true, sparse: true });
      await c.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }, { igId: 'm1' }]);
      const err = await rejection(() => c.insertOne({ igId: 'm1' }));
      expect(err.code).toBe(11000);
      expect(err.keyValue).toEqual({ igId: 'm1' });
      expect(await c.countDocuments()).toBe(4);
    });

    it('enforces a partial unique index only on documents matching its filter', async () => {
      const c = db.collection('dup_partial');
      await c.createIndex(
        { accountId: 1 },
        {
          unique: true,
          partialFilterExpression: { connected: true },
          name: 'accountId_connected',
        },
      );
      await c.insertMany([
        { accountId: 'a', connected: false },
        { accountId: 'a', connected: false },
        { accountId: 'a', connected: true },
        { other: 1 },
        { other: 2 },
      ]);
      const err = await rejection(() =>
        c.insertOne({ accountId: 'a', connected: true }),
      );
      expect(err.code).toBe(11000);
      expectDuplicateKeyMessage(
        err,
        dbName,
        'dup_partial',
        'accountId_connected',
      );
      // Re-connecting an old record collides too.
      const err2 = await rejection(() =>
        c.updateOne(
          { accountId: 'a', connected: false },
          { $set: { connected: true } },
        ),
      );
      expect(err2.code).toBe(11000);
      const idx = (await c.listIndexes().toArray()).find(
        (i: any) => i.name === 'accountId_connected',
      );
      expect(idx).toMatchObject({
        unique: true,
        partialFilterExpression: { connected: true },
      });
    });
  });

  describe('TTL', () => {
    it(
      'removes documents whose date is older than expireAfterSeconds',
      async () => {
        const c = db.collection('ttl');
        await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 1 });
        const past = new Date(Date.now() - 10_000);
        const future = new Date(Date.now() + 3_600_000);
        await c.insertMany([
          { _id: 'old', expiresAt: past },
          { _id: 'arr', expiresAt: [future, past] },
          { _id: 'future', expiresAt: future },
          { _id: 'none' },
          { _id: 'notDate', expiresAt: 'yesterday' },
        ] as any[]);
        const idx = (await c.listIndexes().toArray()).find(
          (i: any) => i.name === 'expiresAt_1',
        );
        expect(idx).toMatchObject({ expireAfterSeconds: 1 });
        const gone = await waitFor(
          async () =>
            (await c.countDocuments({
              _id: { $in: ['old', 'arr'] },
            } as any)) === 0,
          TTL_WAIT_MS,
        );
        expect(gone).toBe(true);
        const left = (await c.find({}).toArray()).map((d: any) => d._id).sort();
        expect(left).toEqual(['future', 'none', 'notDate']);
      },
      TTL_WAIT_MS + 15_000,
    );
  });

  describe('Mongoose features', () => {
    let Author: any;
    let Post: any;
    beforeAll(async () => {
      const { Schema } = stack.mongoose;
      Author = conn.model(
        'Author',
        new Schema({ name: String }, { timestamps: true }),
      );
      Post = conn.model(
        'Post',
        new Schema(
          {
            title: String,
            author: { type: Schema.Types.ObjectId, ref: 'Author' },
            likes: [{ type: Schema.Types.ObjectId, ref: 'Author' }],
          },
          { timestamps: true },
        ),
      );
      await Promise.all([Author.init(), Post.init()]);
    });

    it('populates single and array references', async () => {
      const [ann, bob] = await Author.create([
        { name: 'ann' },
        { name: 'bob' },
      ]);
      await Post.create([
        { title: 'p1', author: ann._id, likes: [bob._id, ann._id] },
        { title: 'p2', author: bob._id, likes: [] },
      ]);
      const posts = await Post.find()
        .sort({ title: 1 })
        .populate('author')
        .populate('likes');
      expect(posts.map((p: any) => p.author.name)).toEqual(['ann', 'bob']);
      expect(posts[0].likes.map((a: any) => a.name)).toEqual(['bob', 'ann']);
      const lean = await Post.findOne({ title: 'p2' })
        .populate('author', 'name -_id')
        .lean();
      expect((lean as any).author).toEqual({ name: 'bob' });
    });

    it('maintains createdAt and updatedAt', async () => {
      const a = await Author.create({ name: 'cid' });
      expect(a.createdAt).toBeInstanceOf(Date);
      expect(a.updatedAt.getTime()).toBe(a.createdAt.getTime());
      await new Promise((r) => setTimeout(r, 15));
      await Author.updateOne({ _id: a._id }, { name: 'cid2' });
      const b: any = await Author.findById(a._id).lean();
      expect(b.name).toBe('cid2');
      expect(b.createdAt.getTime()).toBe(a.createdAt.getTime());
      expect(b.updatedAt.getTime()).toBeGreaterThan(a.updatedAt.getTime());
      const up: any = await Author.findOneAndUpdate(
        { name: 'dee' },
        { $set: { name: 'dee' } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      expect(up.createdAt).toBeInstanceOf(Date);
      expect(up.updatedAt).toBeInstanceOf(Date);
    });

    it('returns plain objects with lean()', async () => {
      await Author.create({ name: 'eve' });
      const doc: any = await Author.findOne({ name: 'eve' }).lean();
      expect(doc).not.toBeInstanceOf(stack.mongoose.Document);
      expect(doc._id).toBeInstanceOf(stack.mongoose.Types.ObjectId);
      expect(Object.keys(doc).sort()).toEqual([
        '__v',
        '_id',
        'createdAt',
        'name',
        'updatedAt',
      ]);
      const hydrated = await Author.findOne({ name: 'eve' });
      expect(hydrated).toBeInstanceOf(stack.mongoose.Document);
    });

    it('populates with match, sort and limit, and counts through a virtual', async () => {
      const { Schema } = stack.mongoose;
      const authorSchema = new Schema(
        { name: String },
        { toObject: { virtuals: true } },
      );
      authorSchema.virtual('postCount', {
        ref: 'VPost',
        localField: '_id',
        foreignField: 'author',
        count: true,
      });
      authorSchema.virtual('posts', {
        ref: 'VPost',
        localField: '_id',
        foreignField: 'author',
      });
      const VAuthor = conn.model('VAuthor', authorSchema);
      const VPost = conn.model(
        'VPost',
        new Schema({
          title: String,
          n: Number,
          author: { type: Schema.Types.ObjectId, ref: 'VAuthor' },
        }),
      );
      const [x, y] = await VAuthor.create([{ name: 'x' }, { name: 'y' }]);
      await VPost.create([
        { title: 'a', n: 1, author: x._id },
        { title: 'b', n: 2, author: x._id },
        { title: 'c', n: 3, author: x._id },
        { title: 'd', n: 4, author: y._id },
      ]);
      const authors: any[] = await VAuthor.find()
        .sort({ name: 1 })
        .populate('postCount')
        .populate({
          path: 'posts',
          match: { n: { $gte: 2 } },
          options: { sort: { n: -1 } },
        });
      expect(authors.map((a) => a.postCount)).toEqual([3, 1]);
      expect(authors[0].posts.map((p: any) => p.title)).toEqual(['c', 'b']);
      expect(authors[1].posts.map((p: any) => p.title)).toEqual(['d']);
    });

    it('queries discriminators by their __t key', async () => {
      const { Schema } = stack.mongoose;
      const Event = conn.model(
        'DEvent',
        new Schema({ at: Date }, { discriminatorKey: '__t' }),
      );
      const Click = Event.discriminator('DClick', new Schema({ x: Number }));
      const View = Event.discriminator('DView', new Schema({ page: String }));
      await Click.create({ at: new Date(), x: 3 });
      await View.create({ at: new Date(), page: '/' });
      expect(await Event.countDocuments()).toBe(2);
      expect(await Click.countDocuments()).toBe(1);
      const all: any[] = await Event.find().sort({ __t: 1 });
      expect(all.map((e) => e.constructor.modelName)).toEqual([
        'DClick',
        'DView',
      ]);
    });

    it('rejects a stale save under optimisticConcurrency with a VersionError', async () => {
      const { Schema } = stack.mongoose;
      const Doc = conn.model(
        'OccDoc',
        new Schema({ title: String }, { optimisticConcurrency: true }),
      );
      const created = await Doc.create({ title: 'one' });
      const first: any = await Doc.findById(created._id);
      const second: any = await Doc.findById(created._id);
      first.title = 'two';
      await first.save();
      second.title = 'three';
      const err = await rejection(() => second.save());
      expect(err.name).toBe('VersionError');
      expect(((await Doc.findById(created._id).lean()) as any).title).toBe(
        'two',
      );
    });

    it('runs findByIdAndUpdate with validators and an upsert through replaceOne', async () => {
      const { Schema } = stack.mongoose;
      const Item = conn.model(
        'VItem',
        new Schema({ qty: { type: Number, min: 0 }, label: String }),
      );
      const item = await Item.create({ qty: 1, label: 'l' });
      const err = await rejection(() =>
        Item.findByIdAndUpdate(item._id, { qty: -5 }, { runValidators: true }),
      );
      expect(err.name).toBe('ValidationError');
      const updated: any = await Item.findByIdAndUpdate(
        item._id,
        { $inc: { qty: 4 } },
        { returnDocument: 'after' },
      ).lean();
      expect(updated.qty).toBe(5);
      const id = new stack.mongoose.Types.ObjectId();
      const res = await Item.replaceOne(
        { _id: id },
        { qty: 9, label: 'new' },
        { upsert: true },
      );
      expect(res.upsertedCount).toBe(1);
      expect(((await Item.findById(id).lean()) as any).label).toBe('new');
    });

    it('saves changes of a hydrated document and bumps the version on array edits', async () => {
      const p: any = await Post.create({ title: 'v', likes: [] });
      p.title = 'v2';
      p.likes.push(new stack.mongoose.Types.ObjectId());
      await p.save();
      const again: any = await Post.findById(p._id).lean();
      expect(again.title).toBe('v2');
      expect(again.likes).toHaveLength(1);
      expect(again.__v).toBe(1);
      await p.deleteOne();
      expect(await Post.findById(p._id)).toBeNull();
    });
  });

  describe('BSON round-trips', () => {
    const bigLong = '9007199254740993'; // 2^53 + 1: not representable as a double

    it('stores and returns every BSON type unchanged', async () => {
      const id = new ObjectId();
      const when = new Date('2024-02-29T12:34:56.789Z');
      const doc = {
        _id: id,
        when,
        bin: new Binary(Buffer.from([0, 1, 2, 250, 255])),
        dec: Decimal128.fromString('1234567890.123456789012345678901234'),
        long: Long.fromString(bigLong),
        int: new Int32(7),
        dbl: new Double(1),
        str: 'héllo ✓',
        bool: false,
        nul: null,
        nested: [[1, [2, 3]], [], { a: [{ b: [4] }] }],
        obj: { deep: { deeper: { x: 'y' } } },
        ref: new ObjectId(),
      };
      await db.collection('bson').insertOne(doc);
      const raw: any = await db
        .collection('bson')
        .findOne(
          { _id: id },
          { promoteValues: false, promoteLongs: false, promoteBuffers: false },
        );
      expect(raw._id.toHexString()).toBe(id.toHexString());
      expect(raw.when).toEqual(when);
      expect(raw.bin).toBeInstanceOf(Binary);
      expect(Buffer.from(raw.bin.buffer)).toEqual(
        Buffer.from([0, 1, 2, 250, 255]),
      );
      expect(raw.dec).toBeInstanceOf(Decimal128);
      expect(raw.dec.toString()).toBe('1234567890.123456789012345678901234');
      expect(raw.long).toBeInstanceOf(Long);
      expect(raw.long.toString()).toBe(bigLong);
      expect(raw.int).toBeInstanceOf(Int32);
      expect(raw.dbl).toBeInstanceOf(Double);
      expect(raw.str.valueOf()).toBe('héllo ✓');

      const promoted: any = await db
        .collection('bson')
        .findOne({ _id: id }, { useBigInt64: true } as any);
      expect(promoted.long).toBe(BigInt(bigLong));
      expect(promoted.nested).toEqual([[1, [2, 3]], [], { a: [{ b: [4] }] }]);
      expect(promoted.obj).toEqual({ deep: { deeper: { x: 'y' } } });
      expect(promoted.nul).toBeNull();
      expect(promoted.bool).toBe(false);
      expect(promoted.ref.equals(doc.ref)).toBe(true);
    });

    it('puts _id first in stored documents', async () => {
      await db.collection('bson_order').insertOne({ z: 1, a: 2 });
      const doc = await db.collection('bson_order').findOne({});
      expect(Object.keys(doc ?? {})).toEqual(['_id', 'z', 'a']);
    });

    it('compares numbers across BSON numeric types and matches typed values', async () => {
      const c = db.collection('bson_num');
      await c.insertMany([
        { _id: 'i', v: new Int32(9) },
        { _id: 'l', v: Long.fromNumber(11) },
        { _id: 'd', v: new Double(9.5) },
        { _id: 'm', v: Decimal128.fromString('10.5') },
        { _id: 'big', v: Long.fromString(bigLong) },
      ] as any[]);
      const ids = async (filter: any) =>
        (await c.find(filter).sort({ v: 1 }).toArray()).map((d: any) => d._id);
      expect(await ids({})).toEqual(['i', 'd', 'm', 'l', 'big']);
      expect(await ids({ v: { $gt: 9 } })).toEqual(['d', 'm', 'l', 'big']);
      expect(await ids({ v: { $gt: Decimal128.fromString('10') } })).toEqual([
        'm',
        'l',
        'big',
      ]);
      expect(await ids({ v: 11 })).toEqual(['l']);
      expect(await ids({ v: Long.fromString(bigLong) })).toEqual(['big']);
      expect(await ids({ v: Decimal128.fromString('10.50') })).toEqual(['m']);
      const sum = await c
        .aggregate([
          { $match: { _id: { $in: ['i', 'l'] } } },
          { $group: { _id: null, s: { $sum: '$v' } } },
        ])
        .toArray();
      expect(Number(sum[0]['s'])).toBe(20);
    });

    it('queries by date range, binary and ObjectId', async () => {
      const c = db.collection('bson_q');
      const ids = [new ObjectId(), new ObjectId(), new ObjectId()];
      await c.insertMany([
        {
          _id: ids[0],
          at: new Date('2024-01-01'),
          bin: new Binary(Buffer.from('aa')),
        },
        {
          _id: ids[1],
          at: new Date('2024-06-01'),
          bin: new Binary(Buffer.from('bb')),
        },
        {
          _id: ids[2],
          at: new Date('2025-01-01'),
          bin: new Binary(Buffer.from('cc')),
        },
      ]);
      const range = await c
        .find({
          at: { $gte: new Date('2024-03-01'), $lt: new Date('2025-06-01') },
        })
        .sort({ at: -1 })
        .toArray();
      expect(range.map((d: any) => d._id.toHexString())).toEqual([
        ids[2].toHexString(),
        ids[1].toHexString(),
      ]);
      expect(
        (
          await c.findOne({ bin: new Binary(Buffer.from('bb')) })
        )?._id.toHexString(),
      ).toBe(ids[1].toHexString());
      expect((await c.find({ _id: { $gt: ids[0] } }).toArray()).length).toBe(2);
      expect(
        await c.findOne({ _id: new ObjectId(ids[2].toHexString()) }),
      ).not.toBeNull();
    });

    it('round-trips ObjectId, Date, Buffer, Decimal128, BigInt and nested arrays through Mongoose', async () => {
      const { Schema, Types } = stack.mongoose;
      const Thing = conn.model(
        'Thing',
        new Schema({
          ref: Schema.Types.ObjectId,
          at: Date,
          data: Buffer,
          price: Schema.Types.Decimal128,
          big: BigInt,
          grid: [[Number]],
          meta: Schema.Types.Mixed,
        }),
      );
      const ref = new Types.ObjectId();
      const at = new Date('2023-03-04T05:06:07.089Z');
      const created = await Thing.create({
        ref,
        at,
        data: Buffer.from('hello'),
        price: Types.Decimal128.fromString('19.99'),
        big: BigInt(bigLong),
        grid: [[1, 2], [3]],
        meta: { list: [[{ k: 1 }]] },
      });
      const back: any = await Thing.findById(created._id);
      expect(back.ref.equals(ref)).toBe(true);
      expect(back.at.getTime()).toBe(at.getTime());
      expect(Buffer.from(back.data).toString()).toBe('hello');
      expect(back.price.toString()).toBe('19.99');
      expect(back.big).toBe(BigInt(bigLong));
      expect(back.toObject().grid).toEqual([[1, 2], [3]]);
      expect(back.meta).toEqual({ list: [[{ k: 1 }]] });
      expect(
        await Thing.countDocuments({
          price: { $gt: Types.Decimal128.fromString('19.5') },
        }),
      ).toBe(1);
      expect(await Thing.countDocuments({ big: BigInt(bigLong) })).toBe(1);
    });
  });

  describe('value fidelity in matching and updates', () => {
    const coll = () => db.collection<any>('fidelity');
    beforeEach(async () => {
      await coll().deleteMany({});
    });

    it('matches embedded documents exactly, field order included', async () => {
      await coll().insertOne({ _id: 1, o: { x: 1, y: 2 } });
      expect(await coll().countDocuments({ o: { x: 1, y: 2 } })).toBe(1);
      expect(await coll().countDocuments({ o: { y: 2, x: 1 } })).toBe(0);
      expect(await coll().countDocuments({ o: { x: 1 } })).toBe(0);
    });

    it('compares only within a type bracket ($gt on numbers never matches strings or dates)', async () => {
      await coll().insertMany([
        { _id: 1, v: 1 },
        { _id: 2, v: 10 },
        { _id: 3, v: '20' },
        { _id: 4, v: null },
        { _id: 5, v: new Date(10_000) },
        { _id: 6, v: [3, 'x', 12] },
      ]);
      const ids = async (filter: any) =>
        (await coll().find(filter).sort({ _id: 1 }).toArray()).map(
          (d) => d._id,
        );
      expect(await ids({ v: { $gt: 5 } })).toEqual([2, 6]);
      expect(await ids({ v: { $lt: 'a' } })).toEqual([3]);
      expect(await ids({ v: { $gte: new Date(0) } })).toEqual([5]);
      expect(await ids({ v: { $type: 'number' } })).toEqual([1, 2, 6]);
      expect(await ids({ v: { $gt: 2, $lt: 4 } })).toEqual([6]);
      expect(await ids({ v: { $elemMatch: { $gt: 2, $lt: 4 } } })).toEqual([6]);
    });

    it('matches NaN with NaN and 0 with -0', async () => {
      await coll().insertMany([
        { _id: 1, v: NaN },
        { _id: 2, v: -0 },
        { _id: 3, v: 0 },
      ]);
      expect(
        (await coll().find({ v: NaN }).toArray()).map((d) => d._id),
      ).toEqual([1]);
      expect(
        (await coll().find({ v: 0 }).sort({ _id: 1 }).toArray()).map(
          (d) => d._id,
        ),
      ).toEqual([2, 3]);
    });

    it('keeps int64 exact through $inc, and widens an overflowing int32 to int64', async () => {
      const { Long, Int32 } = stack.driver;
      await coll().insertOne({
        _id: 1,
        big: Long.fromString('9007199254740993'),
        small: new Int32(2147483647),
      });
      await coll().updateOne({ _id: 1 }, { $inc: { big: 1, small: 1 } });
      const raw: any = await coll().findOne(
        { _id: 1 },
        { promoteLongs: false, promoteValues: false },
      );
      expect(raw.big).toBeInstanceOf(Long);
      expect(raw.big.toString()).toBe('9007199254740994');
      expect(raw.small).toBeInstanceOf(Long);
      expect(raw.small.toString()).toBe('2147483648');
    });

    it('does decimal arithmetic in Decimal128 ($inc and $sum)', async () => {
      await coll().insertMany([
        { _id: 1, d: Decimal128.fromString('0.1') },
        { _id: 2, d: Decimal128.fromString('0.2') },
      ]);
      await coll().updateOne(
        { _id: 1 },
        { $inc: { d: Decimal128.fromString('0.2') } },
      );
      const one: any = await coll().findOne({ _id: 1 });
      expect(one.d).toBeInstanceOf(Decimal128);
      expect(one.d.toString()).toBe('0.3');
      const [sum] = await coll()
        .aggregate([{ $group: { _id: null, s: { $sum: '$d' } } }])
        .toArray();
      expect(sum['s']).toBeInstanceOf(Decimal128);
      expect(sum['s'].toString()).toBe('0.5');
    });

    it('keeps numeric and date types through aggregation arithmetic', async () => {
      const { Int32, Long: L, Double: D } = stack.driver;
      await coll().insertMany([
        { _id: 1, i: new Int32(2), l: L.fromNumber(5), at: new Date(1_000) },
        { _id: 2, i: new Int32(3), l: L.fromNumber(7), at: new Date(3_000) },
      ]);
      const [g]: any[] = await coll()
        .aggregate(
          [
            {
              $group: {
                _id: null,
                si: { $sum: '$i' },
                sl: { $sum: '$l' },
                ai: { $avg: '$i' },
                first: { $min: '$at' },
                last: { $max: '$at' },
              },
            },
          ],
          { promoteValues: false, promoteLongs: false },
        )
        .toArray();
      expect(g.si).toBeInstanceOf(Int32);
      expect(g.si.value).toBe(5);
      expect(g.sl).toBeInstanceOf(L);
      expect(g.sl.toString()).toBe('12');
      expect(g.ai).toBeInstanceOf(D);
      expect(g.ai.value).toBe(2.5);
      const [p]: any[] = await coll()
        .aggregate([
          {
            $group: {
              _id: null,
              first: { $min: '$at' },
              last: { $max: '$at' },
            },
          },
          {
            $project: {
              span: { $subtract: ['$last', '$first'] },
              later: { $add: ['$first', 500] },
            },
          },
        ])
        .toArray();
      expect(p.span).toBe(2_000);
      expect(p.later).toEqual(new Date(1_500));
    });

    it('refuses $inc on a non-number (14) and $push on a non-array (2), changing nothing', async () => {
      await coll().insertOne({ _id: 1, s: 'text', n: 1 });
      const inc = await rejection(() =>
        coll().updateOne({ _id: 1 }, { $inc: { s: 1 } }),
      );
      expect(inc.code).toBe(14); // TypeMismatch: "Cannot apply $inc to a value of non-numeric type"
      const push = await rejection(() =>
        coll().updateOne({ _id: 1 }, {
          $set: { n: 2 },
          $push: { s: 'x' },
        } as any),
      );
      expect(push.code).toBe(2); // BadValue: "The field 's' must be an array but is of type string"
      expect(await coll().findOne({ _id: 1 })).toEqual({
        _id: 1,
        s: 'text',
        n: 1,
      });
    });

    it('reports an $unset of an absent field as matched but not modified', async () => {
      await coll().insertOne({ _id: 1, a: 1 });
      const res = await coll().updateOne({ _id: 1 }, { $unset: { nope: '' } });
      expect(res.matchedCount).toBe(1);
      expect(res.modifiedCount).toBe(0);
    });

    it('unsets top-level and nested fields beside $set and $inc, never _id', async () => {
      await coll().insertOne({
        _id: 1,
        a: 1,
        gone: ['x'],
        keep: { inner: 1, drop: 2 },
        n: 1,
      });
      const res = await coll().updateOne(
        { _id: 1 },
        {
          $unset: { gone: '', 'keep.drop': 1 },
          $set: { a: 2 },
          $inc: { n: 1 },
        },
      );
      expect(res.modifiedCount).toBe(1);
      expect(await coll().findOne({ _id: 1 })).toEqual({
        _id: 1,
        a: 2,
        keep: { inner: 1 },
        n: 2,
      });
      await expect(
        coll().updateOne({ _id: 1 }, { $unset: { _id: '' } }),
      ).rejects.toMatchObject({ code: 66 });
    });

    it('matches $in with regular expressions and values together', async () => {
      await coll().insertMany([
        { _id: 1, name: 'alice' },
        { _id: 2, name: 'bob' },
        { _id: 3, name: 'Alfred' },
        { _id: 4, name: 'carol' },
      ]);
      const docs = await coll()
        .find({ name: { $in: [/^al/i, 'carol'] } })
        .sort({ _id: 1 })
        .toArray();
      expect(docs.map((d) => d._id)).toEqual([1, 3, 4]);
    });
  });

  describe('cursor limits and server commands', () => {
    beforeAll(async () => {
      await db
        .collection('lim')
        .insertMany(Array.from({ length: 60 }, (_, i) => ({ _id: i as any })));
    });

    it('stops at the limit across getMores', async () => {
      const before = commandsNamed('getMore').length;
      const docs = await db
        .collection('lim')
        .find({})
        .sort({ _id: 1 })
        .skip(5)
        .limit(25)
        .batchSize(10)
        .toArray();
      expect(docs.map((d: any) => d._id)).toEqual(
        Array.from({ length: 25 }, (_, i) => i + 5),
      );
      expect(commandsNamed('getMore').length - before).toBe(2);
    });

    it('returns a single batch when asked (negative limit / singleBatch)', async () => {
      const res: any = await db.command({
        find: 'lim',
        filter: {},
        sort: { _id: 1 },
        limit: 7,
        singleBatch: true,
      });
      expect(res.cursor.firstBatch).toHaveLength(7);
      expect(Number(res.cursor.id)).toBe(0);
    });

    it('answers ping, buildInfo and hello like a standalone mongod', async () => {
      expect(await db.admin().ping()).toMatchObject({ ok: 1 });
      const info = await db.admin().buildInfo();
      expect(info['version']).toMatch(/^\d+\.\d+\.\d+/);
      expect(info['versionArray']).toHaveLength(4);
      const hello = await db.admin().command({ hello: 1 });
      expect(hello).toMatchObject({ isWritablePrimary: true, ok: 1 });
      expect(hello['maxBsonObjectSize']).toBe(16 * 1024 * 1024);
      expect(hello['maxWriteBatchSize']).toBe(100_000);
      expect(hello).not.toHaveProperty('setName');
    });

    it('refuses a change stream on a standalone instead of hanging', async () => {
      const stream = db.collection('lim').watch();
      const err = await Promise.race([
        rejection(() => stream.next()),
        new Promise((r) =>
          setTimeout(
            () =>
              r({
                code: 'timeout: change stream neither errored nor produced',
              }),
            5_000,
          ),
        ),
      ]);
      await stream.close().catch(() => undefined);
      expect(typeof (err as any).code).toBe('number'); // mongod: 40573 "The $changeStream stage is only supported on replica sets"
    });

    it('renames a collection, or refuses loudly', async () => {
      await db.collection('ren_a').insertOne({ _id: 1 as any });
      let renamed = true;
      try {
        await db.renameCollection('ren_a', 'ren_b');
      } catch (err: any) {
        renamed = false;
        expect(err.message).toContain('renameCollection');
      }
      if (renamed) {
        expect(await db.collection('ren_b').countDocuments()).toBe(1);
        expect(await db.collection('ren_a').countDocuments()).toBe(0);
      }
    });
  });

  describe('options and less common features: right answer or a loud refusal, never a wrong answer', () => {
    /** Either the operation succeeds and `check` passes, or it fails with an error naming `feature`. */
    async function correctOrRefused<T>(
      feature: string,
      run: () => Promise<T>,
      check: (result: T) => void | Promise<void>,
    ) {
      let result: T;
      try {
        result = await run();
      } catch (err: any) {
        expect(err.message).toContain(feature);
        expect(typeof (err.code ?? err.errorResponse?.code)).toBe('number');
        return;
      }
      await check(result);
    }
    const coll = () => db.collection<any>('misc');
    beforeAll(async () => {
      await coll().insertMany([
        { _id: 1, name: 'ann', a: 5, b: 1, loc: [1, 1], boss: null },
        { _id: 2, name: 'Ann', a: 1, b: 2, loc: [9, 9], boss: 1 },
        { _id: 3, name: 'bob', a: 3, b: 3, loc: [2, 4], boss: 2 },
      ]);
    });

    it('accepts the write concerns an app sends to a standalone (majority, journaled)', async () => {
      const res = await coll().insertOne(
        { _id: 10 },
        { writeConcern: { w: 'majority', j: true } },
      );
      expect(res.acknowledged).toBe(true);
      await coll().deleteOne({ _id: 10 }, { writeConcern: { w: 1 } });
    });

    it('applies unacknowledged (w: 0) writes', async () => {
      const res = await coll().insertOne(
        { _id: 11 },
        { writeConcern: { w: 0 } },
      );
      expect(res.acknowledged).toBe(false);
      expect(
        await waitFor(
          async () => (await coll().countDocuments({ _id: 11 })) === 1,
          5_000,
          20,
        ),
      ).toBe(true);
      await coll().deleteOne({ _id: 11 });
    });

    it('accepts readConcern, maxTimeMS, comment and allowDiskUse', async () => {
      const docs = await coll()
        .find({ a: { $gt: 1 } }, {
          readConcern: { level: 'local' },
          maxTimeMS: 5_000,
          comment: 'c',
        } as any)
        .toArray();
      expect(docs.map((d) => d._id).sort()).toEqual([1, 3]);
      const agg = await coll()
        .aggregate([{ $count: 'n' }], {
          allowDiskUse: true,
          maxTimeMS: 5_000,
          comment: 'c',
        })
        .toArray();
      expect(agg).toEqual([{ n: 3 }]);
    });

    it('honours a hint naming an existing index and refuses one naming no index', async () => {
      await coll().createIndex({ a: 1 });
      expect(
        (
          await coll()
            .find({ a: { $gte: 3 } })
            .hint('a_1')
            .toArray()
        )
          .map((d) => d._id)
          .sort(),
      ).toEqual([1, 3]);
      expect(
        (
          await coll()
            .find({ a: { $gte: 3 } })
            .hint({ a: 1 })
            .toArray()
        ).length,
      ).toBe(2);
      const err = await rejection(() =>
        coll().find({}).hint('nope_1').toArray(),
      );
      expect(err.code).toBe(2); // "error processing query: ... hint provided does not correspond to an existing index"
    });

    it('collation: case-insensitive match, or a refusal naming collation', async () => {
      await correctOrRefused(
        'collation',
        () =>
          coll()
            .find({ name: 'ann' })
            .collation({ locale: 'en', strength: 2 })
            .toArray(),
        (docs) => expect(docs.map((d) => d._id).sort()).toEqual([1, 2]),
      );
    });

    it('$where: evaluated, or a refusal naming $where', async () => {
      await correctOrRefused(
        '$where',
        () => coll().find({ $where: 'this.a > this.b' }).toArray(),
        (docs) => expect(docs.map((d) => d._id)).toEqual([1]),
      );
    });

    it('$geoWithin: evaluated, or a refusal naming it', async () => {
      await correctOrRefused(
        '$geoWithin',
        () =>
          coll()
            .find({
              loc: {
                $geoWithin: {
                  $box: [
                    [0, 0],
                    [5, 5],
                  ],
                },
              },
            })
            .toArray(),
        (docs) => expect(docs.map((d) => d._id).sort()).toEqual([1, 3]),
      );
    });

    it('$graphLookup: evaluated, or a refusal naming it', async () => {
      await correctOrRefused(
        '$graphLookup',
        () =>
          coll()
            .aggregate([
              { $match: { _id: 3 } },
              {
                $graphLookup: {
                  from: 'misc',
                  startWith: '$boss',
                  connectFromField: 'boss',
                  connectToField: '_id',
                  as: 'chain',
                },
              },
              { $project: { chain: '$chain._id' } },
            ])
            .toArray(),
        (docs) =>
          expect(
            docs.map((d: any) => ({ ...d, chain: [...d.chain].sort() })),
          ).toEqual([{ _id: 3, chain: [1, 2] }]),
      );
    });

    it('$out: writes the result collection, or a refusal naming it', async () => {
      await correctOrRefused(
        '$out',
        () =>
          coll()
            .aggregate([
              { $match: { a: { $gte: 3 } } },
              { $project: { name: 1 } },
              { $out: 'misc_out' },
            ])
            .toArray(),
        async () => {
          const out = await db
            .collection('misc_out')
            .find({})
            .sort({ _id: 1 })
            .toArray();
          expect(out).toEqual([
            { _id: 1, name: 'ann' },
            { _id: 3, name: 'bob' },
          ]);
        },
      );
    });

    it('sorts across BSON types in MongoDB order (empty array < null = missing < numbers < strings < ...)', async () => {
      const { MinKey, MaxKey } = stack.driver;
      const c = db.collection<any>('type_order');
      await c.insertMany([
        { _id: 'maxKey', v: new MaxKey() },
        { _id: 'regex', v: /a/ },
        { _id: 'date', v: new Date(0) },
        { _id: 'true', v: true },
        { _id: 'false', v: false },
        { _id: 'oid', v: new ObjectId() },
        { _id: 'bin', v: new Binary(Buffer.from([1])) },
        { _id: 'obj', v: { x: 1 } },
        { _id: 'strB', v: 'b' },
        { _id: 'strA', v: 'a' },
        { _id: 'arr7z', v: [7, 'z'] },
        { _id: 'dec4', v: Decimal128.fromString('4') },
        { _id: 'long3', v: Long.fromNumber(3) },
        { _id: 'dbl2.5', v: 2.5 },
        { _id: 'int1', v: 1 },
        { _id: 'null', v: null },
        { _id: 'missing' },
        { _id: 'emptyArr', v: [] },
        { _id: 'minKey', v: new MinKey() },
      ]);
      const ascending = (await c.find({}).sort({ v: 1, _id: 1 }).toArray()).map(
        (d) => d._id,
      );
      expect(ascending).toEqual([
        'minKey',
        'emptyArr',
        'missing',
        'null',
        'int1',
        'dbl2.5',
        'long3',
        'dec4',
        'arr7z',
        'strA',
        'strB',
        'obj',
        'bin',
        'oid',
        'false',
        'true',
        'date',
        'regex',
        'maxKey',
      ]);
      // Descending compares arrays by their largest element: [7, 'z'] sorts as 'z'.
      const descending = (
        await c.find({}).sort({ v: -1, _id: 1 }).toArray()
      ).map((d) => d._id);
      expect(descending).toEqual([
        'maxKey',
        'regex',
        'date',
        'true',
        'false',
        'oid',
        'bin',
        'obj',
        'arr7z',
        'strB',
        'strA',
        'dec4',
        'long3',
        'dbl2.5',
        'int1',
        'missing',
        'null',
        'emptyArr',
        'minKey',
      ]);
      // The same order when the sort is answered from an index.
      await c.createIndex({ v: 1 });
      expect(
        (await c.find({}).sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id),
      ).toEqual(ascending);
      expect(
        (await c.find({}).sort({ v: -1, _id: 1 }).toArray()).map((d) => d._id),
      ).toEqual(descending);
      expect(
        (
          await c
            .find({ v: { $gte: 2 } })
            .sort({ v: 1 })
            .toArray()
        ).map((d) => d._id),
      ).toEqual(['dbl2.5', 'long3', 'dec4', 'arr7z']);
    });

    it('sorts by $natural (insertion order) both ways', async () => {
      const c = db.collection<any>('natural');
      await c.insertMany([{ _id: 'm' }, { _id: 'a' }, { _id: 'z' }]);
      expect(
        (await c.find({}).sort({ $natural: 1 }).toArray()).map((d) => d._id),
      ).toEqual(['m', 'a', 'z']);
      expect(
        (await c.find({}).sort({ $natural: -1 }).limit(1).toArray()).map(
          (d) => d._id,
        ),
      ).toEqual(['z']);
    });
  });

  describe('unsupported or invalid requests fail loudly, MongoDB-style', () => {
    beforeAll(async () => {
      await db
        .collection('unsup')
        .insertMany([{ body: 'hello world' }, { body: 'bye' }]);
    });

    it('refuses an unknown command with CommandNotFound naming it', async () => {
      const err = await rejection(() =>
        db.command({ definitelyNotACommand: 1 }),
      );
      expect(err.code).toBe(59);
      expect(err.message).toContain('definitelyNotACommand');
    });

    it('refuses a $text query instead of returning a wrong result', async () => {
      const err = await rejection(() =>
        db
          .collection('unsup')
          .find({ $text: { $search: 'hello' } })
          .toArray(),
      );
      expect(typeof err.code).toBe('number');
      expect(err.message).toContain('$text');
    });

    it('refuses an unknown query operator naming it', async () => {
      const err = await rejection(() =>
        db
          .collection('unsup')
          .find({ body: { $fancy: 1 } })
          .toArray(),
      );
      expect(err.code).toBe(2); // BadValue: "unknown operator: $fancy"
      expect(err.message).toContain('$fancy');
    });

    it('refuses an unknown top-level query operator naming it', async () => {
      const err = await rejection(() =>
        db
          .collection('unsup')
          .find({ $fancyTop: [] } as any)
          .toArray(),
      );
      expect(err.code).toBe(2);
      expect(err.message).toContain('$fancyTop');
    });

    it('refuses an unknown update modifier naming it', async () => {
      const err = await rejection(() =>
        db.collection('unsup').updateOne({}, { $fancySet: { a: 1 } } as any),
      );
      expect([9, 2]).toContain(err.code); // mongod: 9 FailedToParse "Unknown modifier: $fancySet"
      expect(err.message).toContain('$fancySet');
    });

    it('refuses an unknown aggregation stage naming it', async () => {
      const err = await rejection(() =>
        db
          .collection('unsup')
          .aggregate([{ $fancyStage: {} }])
          .toArray(),
      );
      expect([40324, 2, 59]).toContain(err.code); // mongod: 40324 "Unrecognized pipeline stage name"
      expect(err.message).toContain('$fancyStage');
    });

    it('refuses an unknown expression operator naming it', async () => {
      const err = await rejection(() =>
        db
          .collection('unsup')
          .aggregate([{ $project: { x: { $fancyExpr: 1 } } }])
          .toArray(),
      );
      expect(typeof err.code).toBe('number'); // mongod: 168 InvalidPipelineOperator
      expect(err.message).toContain('$fancyExpr');
    });

    it('refuses transactions on a standalone server', async () => {
      const session = client.startSession();
      try {
        session.startTransaction();
        const err = await rejection(() =>
          db.collection('unsup').insertOne({ t: 1 }, { session }),
        );
        // mongod: code 20 "Transaction numbers are only allowed on a replica set member or mongos";
        // driver 7 rewrites that reply into "This MongoDB deployment does not support retryable writes".
        expect(
          err.code === 20 ||
            err.errorResponse?.code === 20 ||
            /retryable writes/.test(err.message),
        ).toBe(true);
        await session.abortTransaction().catch(() => undefined);
        expect(await db.collection('unsup').countDocuments({ t: 1 })).toBe(0);
      } finally {
        await session.endSession();
      }
    });
  });
});
