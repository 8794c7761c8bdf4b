import mongoose9, { Connection, Model } from 'mongoose';
import { EmbeddedMongo, startEmbeddedMongo } from '../index';

// Mongoose 8 (driver 6) is installed under an alias; its API is the same for what is used here.
const mongoose8: typeof mongoose9 = require('mongoose8');

interface User {
  email: string;
  name: string;
  age?: number;
  createdAt?: Date;
  updatedAt?: Date;
}

describe.each([
  ['Mongoose 9 / driver 7', mongoose9],
  ['Mongoose 8 / driver 6', mongoose8],
])('embedded server with %s', (_label, mongoose) => {
  const { Schema } = mongoose;
  let server: EmbeddedMongo;
  let conn: Connection;
  let UserModel: Model<User>;

  beforeAll(async () => {
    server = await startEmbeddedMongo({ port: 0 });
    conn = await mongoose
      .createConnection(`${server.uri}/server_spec`)
      .asPromise();
    const userSchema = new Schema<User>(
      {
        email: { type: String, required: true, unique: true },
        name: String,
        age: Number,
      },
      { timestamps: true },
    );
    UserModel = conn.model<User>('User', userSchema);
    await UserModel.init();
  });

  afterAll(async () => {
    await conn?.close();
    await server?.stop();
  });

  it('gives a mongodb:// uri without a database name', () => {
    expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('creates and finds documents with ObjectId and Date round-trips', async () => {
    const created = await UserModel.create({
      email: 'a@x.io',
      name: 'Ann',
      age: 30,
    });
    expect(created._id).toBeInstanceOf(mongoose.Types.ObjectId);
    const found = await UserModel.findById(created._id).lean();
    expect(found?.email).toBe('a@x.io');
    expect(found?._id.toString()).toBe(created._id.toString());
    expect(found?.createdAt).toBeInstanceOf(Date);
    expect(found?.createdAt?.getTime()).toBe(created.createdAt?.getTime());
  });

  it('updates with timestamps and counts documents', async () => {
    await UserModel.create([
      { email: 'b@x.io', name: 'Bob', age: 20 },
      { email: 'c@x.io', name: 'Cid', age: 40 },
    ]);
    const res = await UserModel.updateOne(
      { email: 'b@x.io' },
      { $inc: { age: 1 } },
    );
    expect(res.matchedCount).toBe(1);
    expect(res.modifiedCount).toBe(1);
    const bob = await UserModel.findOne({ email: 'b@x.io' }).lean();
    expect(bob?.age).toBe(21);
    expect(await UserModel.countDocuments({ age: { $gte: 21 } })).toBe(3);
    expect(await UserModel.estimatedDocumentCount()).toBe(3);
    const updated = await UserModel.findOneAndUpdate(
      { email: 'c@x.io' },
      { name: 'Cyd' },
      { new: true },
    ).lean();
    expect(updated?.name).toBe('Cyd');
    expect(updated?.updatedAt?.getTime()).toBeGreaterThanOrEqual(
      updated?.createdAt?.getTime() ?? 0,
    );
  });

  it('sorts, skips and limits, and pages through a cursor with getMore', async () => {
    await UserModel.insertMany(
      Array.from({ length: 250 }, (_, i) => ({
        email: `bulk${i}@x.io`,
        name: `n${i}`,
        age: i,
      })),
    );
    const page = await UserModel.find({ age: { $lt: 100 } })
      .sort({ age: -1 })
      .skip(5)
      .limit(3)
      .lean();
    expect(page.map((u: User) => u.age)).toEqual([94, 93, 92]);
    const all = await UserModel.find({ email: /^bulk/ }).lean();
    expect(all).toHaveLength(250);
  });

  it('raises the usual duplicate key error on a unique index', async () => {
    await expect(
      UserModel.create({ email: 'a@x.io', name: 'again' }),
    ).rejects.toMatchObject({
      code: 11000,
      keyValue: { email: 'a@x.io' },
      message: expect.stringContaining(
        'E11000 duplicate key error collection: server_spec.users index: email_1 dup key',
      ),
    });
    await expect(
      UserModel.updateOne({ email: 'b@x.io' }, { email: 'a@x.io' }),
    ).rejects.toMatchObject({ code: 11000 });
    await expect(
      UserModel.findOneAndUpdate({ email: 'b@x.io' }, { email: 'a@x.io' }),
    ).rejects.toMatchObject({ code: 11000 });
  });

  it('upserts and deletes', async () => {
    const up = await UserModel.updateOne(
      { email: 'new@x.io' },
      { $set: { name: 'New' } },
      { upsert: true },
    );
    expect(up.upsertedCount).toBe(1);
    const doc = await UserModel.findOne({ email: 'new@x.io' }).lean();
    expect(doc?.name).toBe('New');
    expect(doc?.createdAt).toBeInstanceOf(Date);
    const del = await UserModel.deleteOne({ email: 'new@x.io' });
    expect(del.deletedCount).toBe(1);
    expect(await UserModel.findOne({ email: 'new@x.io' })).toBeNull();
  });

  it('lists the indexes Mongoose created', async () => {
    const indexes = await UserModel.listIndexes();
    expect(indexes.map((i: { name?: string }) => i.name).sort()).toEqual([
      '_id_',
      'email_1',
    ]);
    expect(
      indexes.find((i: { name?: string }) => i.name === 'email_1'),
    ).toMatchObject({ unique: true, key: { email: 1 } });
  });
});

describe('embedded server with the driver directly', () => {
  let server: EmbeddedMongo;
  const { MongoClient } = require('mongodb') as typeof import('mongodb');

  beforeAll(async () => {
    server = await startEmbeddedMongo();
  });
  afterAll(() => server.stop());

  it('applies concurrent writes from many connections one at a time', async () => {
    const clients = await Promise.all(
      Array.from({ length: 12 }, () =>
        MongoClient.connect(server.uri, { maxPoolSize: 4 }),
      ),
    );
    await clients[0]
      .db('conc')
      .collection('counters')
      .insertOne({ _id: 'c' as never, n: 0 });
    await Promise.all(
      clients.flatMap((c) =>
        Array.from({ length: 25 }, () =>
          c
            .db('conc')
            .collection('counters')
            .updateOne({ _id: 'c' as never }, { $inc: { n: 1 } }),
        ),
      ),
    );
    expect(
      (
        await clients[0]
          .db('conc')
          .collection('counters')
          .findOne({ _id: 'c' as never })
      )?.['n'],
    ).toBe(300);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('keeps what it stored whatever the caller does to the objects it sent or received', async () => {
    const client = await MongoClient.connect(server.uri);
    const coll = client.db('iso').collection<{
      _id: string;
      tag: string;
      at: Date;
      list: number[];
    }>('isolation');
    await coll.createIndex({ tag: 1, at: -1 });
    const sent = { _id: 'x', tag: 'a', at: new Date(5), list: [1, 2] };
    await coll.insertOne(sent);
    sent.tag = 'changed';
    sent.at.setTime(9);
    sent.list.push(3);
    const first = await coll.findOne({ tag: 'a' });
    expect(first).toEqual({
      _id: 'x',
      tag: 'a',
      at: new Date(5),
      list: [1, 2],
    });
    first?.list.push(4);
    first?.at.setTime(1);
    expect(await coll.find({ tag: 'a', at: new Date(5) }).toArray()).toEqual([
      { _id: 'x', tag: 'a', at: new Date(5), list: [1, 2] },
    ]);
    expect(await coll.countDocuments({ tag: 'changed' })).toBe(0);
    await client.close();
  });

  it('names what it does not support instead of answering wrongly', async () => {
    const client = await MongoClient.connect(server.uri);
    const db = client.db('unsupported');
    await db.collection('c').insertOne({ a: 1 });
    await expect(db.command({ fooBar: 1 })).rejects.toMatchObject({
      code: 59,
      message: expect.stringContaining('fooBar'),
    });
    await expect(
      db
        .collection('c')
        .aggregate([{ $fooStage: {} }])
        .toArray(),
    ).rejects.toMatchObject({
      code: 2,
      message: expect.stringContaining('$fooStage'),
    });
    await expect(
      db
        .collection('c')
        .find({ a: { $fooOp: 1 } })
        .toArray(),
    ).rejects.toMatchObject({
      code: 2,
      message: expect.stringContaining('$fooOp'),
    });
    await expect(
      db
        .collection('c')
        .find({ $text: { $search: 'x' } })
        .toArray(),
    ).rejects.toMatchObject({
      code: 2,
      message: expect.stringContaining('$text'),
    });
    await expect(
      db.collection('c').updateOne({}, { $fooUpdate: { a: 1 } } as never),
    ).rejects.toMatchObject({
      message: expect.stringContaining('$fooUpdate'),
    });
    await client.close();
  });

  it('explains an indexed history page as an index scan that examines only the page', async () => {
    const client = await MongoClient.connect(server.uri);
    const messages = client.db('explain').collection('messages');
    await messages.createIndex({ conversationId: 1, createdAt: -1 });
    const base = Date.UTC(2026, 0, 1);
    await messages.insertMany(
      Array.from({ length: 2000 }, (_, i) => ({
        conversationId: i % 10,
        createdAt: new Date(base + i * 1000),
      })),
    );
    const plan = await messages
      .find({
        conversationId: 3,
        createdAt: { $lt: new Date(base + 1500 * 1000) },
      })
      .sort({ createdAt: -1 })
      .limit(50)
      .explain('executionStats');
    expect(plan['queryPlanner'].winningPlan.inputStage).toMatchObject({
      stage: 'IXSCAN',
      indexName: 'conversationId_1_createdAt_-1',
    });
    expect(plan['executionStats'].totalDocsExamined).toBe(50);
    await client.close();
  });
});
