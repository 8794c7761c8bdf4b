import { Document } from 'bson';
import { Catalog } from './catalog';
import { CommandDispatcher } from './commands';
import { CursorManager } from './cursor-manager';

const ctx = { db: 'app', connectionId: 1, remoteAddress: '127.0.0.1:5000' };

function dispatcherWithMessages(): CommandDispatcher {
  const dispatcher = new CommandDispatcher(new Catalog(), new CursorManager());
  dispatcher.run(
    {
      createIndexes: 'messages',
      indexes: [{ key: { conversationId: 1, createdAt: -1 }, name: 'history' }],
    },
    ctx,
  );
  dispatcher.run(
    {
      insert: 'messages',
      documents: Array.from({ length: 30 }, (_, i) => ({
        _id: i,
        conversationId: i % 3,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      })),
    },
    ctx,
  );
  return dispatcher;
}

describe('command dispatcher', () => {
  it('answers an unknown command with 59 CommandNotFound', () => {
    const reply = dispatcherWithMessages().run({ frobnicate: 1 }, ctx);
    expect(reply).toMatchObject({
      ok: 0,
      code: 59,
      codeName: 'CommandNotFound',
    });
  });

  it('does not treat an inherited property name as a command', () => {
    const reply = dispatcherWithMessages().run({ toString: 1 }, ctx);
    expect(reply).toMatchObject({ ok: 0, code: 59 });
  });

  it('refuses a command inside a transaction with 20 IllegalOperation', () => {
    const reply = dispatcherWithMessages().run(
      { find: 'messages', txnNumber: 1, autocommit: false },
      ctx,
    );
    expect(reply).toMatchObject({ ok: 0, code: 20 });
    expect(
      dispatcherWithMessages().run({ commitTransaction: 1 }, ctx),
    ).toMatchObject({ ok: 0, code: 20 });
  });

  it('refuses a collation other than simple, on the command and on an update statement', () => {
    const dispatcher = dispatcherWithMessages();
    expect(
      dispatcher.run({ find: 'messages', collation: { locale: 'fr' } }, ctx),
    ).toMatchObject({ ok: 0, code: 2 });
    const reply = dispatcher.run(
      {
        update: 'messages',
        updates: [
          { q: { _id: 1 }, u: { $set: { x: 1 } }, collation: { locale: 'fr' } },
        ],
      },
      ctx,
    );
    expect(reply['nModified']).toBe(0);
    expect(reply['writeErrors']).toEqual([
      expect.objectContaining({ index: 0, code: 2 }),
    ]);
  });

  it('tells writes (awaited for durability) from reads', () => {
    const dispatcher = dispatcherWithMessages();
    for (const name of ['insert', 'update', 'delete', 'findandmodify'])
      expect(dispatcher.isWrite({ [name]: 'messages' })).toBe(true);
    for (const name of ['find', 'aggregate', 'count', 'hello'])
      expect(dispatcher.isWrite({ [name]: 'messages' })).toBe(false);
  });

  it('accepts the lower-case findandmodify and the deleteIndexes alias', () => {
    const dispatcher = dispatcherWithMessages();
    const modified = dispatcher.run(
      {
        findandmodify: 'messages',
        query: { _id: 4 },
        update: { $set: { read: true } },
        new: true,
      },
      ctx,
    );
    expect(modified['value']).toMatchObject({ _id: 4, read: true });
    expect(
      dispatcher.run({ deleteIndexes: 'messages', index: 'history' }, ctx),
    ).toEqual({ nIndexesWas: 2, ok: 1 });
  });

  it('explains an aggregate sent with explain: true through the history index', () => {
    const reply = dispatcherWithMessages().run(
      {
        aggregate: 'messages',
        pipeline: [
          { $match: { conversationId: 1 } },
          { $sort: { createdAt: -1 } },
        ],
        explain: true,
      },
      ctx,
    );
    expect(reply['ok']).toBe(1);
    expect(reply['queryPlanner']['winningPlan']).toMatchObject({
      stage: 'FETCH',
      inputStage: { stage: 'IXSCAN', indexName: 'history' },
    });
    expect(reply['executionStats']['nReturned']).toBe(10);
  });

  it.each<[string, Document]>([
    ['count', { count: 'messages', query: { conversationId: 2 } }],
    [
      'distinct',
      { distinct: 'messages', key: 'createdAt', query: { conversationId: 2 } },
    ],
    ['update', { update: 'messages', updates: [{ q: { conversationId: 2 } }] }],
    ['delete', { delete: 'messages', deletes: [{ q: { conversationId: 2 } }] }],
    [
      'findAndModify',
      { findAndModify: 'messages', query: { conversationId: 2 } },
    ],
  ])('explains %s by the documents its filter selects', (_name, inner) => {
    const reply = dispatcherWithMessages().run({ explain: inner }, ctx);
    expect(reply['ok']).toBe(1);
    expect(reply['executionStats']['nReturned']).toBe(10);
    expect(reply['queryPlanner']['winningPlan']['inputStage']).toMatchObject({
      indexName: 'history',
    });
  });

  it('refuses to explain a command it cannot plan, naming it', () => {
    const reply = dispatcherWithMessages().run(
      { explain: { listIndexes: 'messages' } },
      ctx,
    );
    expect(reply).toMatchObject({ ok: 0, code: 2 });
    expect(reply['errmsg']).toContain('explain of listIndexes');
  });
});

describe('multi-statement writes started with yieldAfterMs', () => {
  // yieldAfterMs 0: the command lets the event loop turn after every statement.
  const yielding = { ...ctx, yieldAfterMs: 0 };

  it('let other commands run between statements and still apply every one, in order', async () => {
    const dispatcher = new CommandDispatcher(
      new Catalog(),
      new CursorManager(),
    );
    const bulk = dispatcher.start(yielding, {
      insert: 'c',
      documents: Array.from({ length: 50 }, (_, i) => ({ _id: i })),
    });
    expect(bulk).toBeInstanceOf(Promise);
    // Another command runs while the bulk is under way, and sees part of it.
    await new Promise((r) => setImmediate(r));
    const midway = dispatcher.run({ count: 'c' }, ctx);
    expect(midway['n']).toBeGreaterThan(0);
    expect(midway['n']).toBeLessThan(50);
    expect(await bulk).toEqual({ n: 50, ok: 1 });
    const updates = dispatcher.start(yielding, {
      update: 'c',
      updates: Array.from({ length: 50 }, (_, i) => ({
        q: { _id: i },
        u: { $set: { v: i } },
      })),
    });
    expect(await updates).toEqual({ n: 50, nModified: 50, ok: 1 });
    const found = dispatcher.run(
      { find: 'c', filter: { v: { $gte: 0 } }, batchSize: 100 },
      ctx,
    );
    expect(found['cursor'].firstBatch).toHaveLength(50);
    const deletes = dispatcher.start(yielding, {
      delete: 'c',
      deletes: Array.from({ length: 50 }, (_, i) => ({
        q: { _id: i },
        limit: 1,
      })),
    });
    expect(await deletes).toEqual({ n: 50, ok: 1 });
    expect(dispatcher.run({ count: 'c' }, ctx)['n']).toBe(0);
  });

  it('stop an ordered bulk at its first error across yields, and go on when unordered', async () => {
    const dispatcher = new CommandDispatcher(
      new Catalog(),
      new CursorManager(),
    );
    const docs = [{ _id: 1 }, { _id: 2 }, { _id: 1 }, { _id: 3 }];
    const ordered = (await dispatcher.start(yielding, {
      insert: 'o',
      documents: docs,
    })) as Document;
    expect(ordered['n']).toBe(2);
    expect(ordered['writeErrors'].map((e: Document) => e['index'])).toEqual([
      2,
    ]);
    const unordered = (await dispatcher.start(yielding, {
      insert: 'u',
      documents: docs,
      ordered: false,
    })) as Document;
    expect(unordered['n']).toBe(3);
    expect(unordered['writeErrors'].map((e: Document) => e['code'])).toEqual([
      11000,
    ]);
  });

  it('keep inserting into the collection when another command drops it midway', async () => {
    const dispatcher = new CommandDispatcher(
      new Catalog(),
      new CursorManager(),
    );
    const bulk = dispatcher.start(yielding, {
      insert: 'd',
      documents: Array.from({ length: 20 }, (_, i) => ({ _id: i })),
    });
    await new Promise((r) => setImmediate(r));
    dispatcher.run({ drop: 'd' }, ctx);
    expect(await bulk).toEqual({ n: 20, ok: 1 });
    // What was inserted after the drop is in the (re-created) collection, not in a detached one.
    const left = dispatcher.run({ count: 'd' }, ctx)['n'];
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(20);
  });

  it('answer at once, without yielding, when run() is used or the bulk is short', () => {
    const dispatcher = new CommandDispatcher(
      new Catalog(),
      new CursorManager(),
    );
    expect(
      dispatcher.run(
        { insert: 'c', documents: [{ _id: 1 }, { _id: 2 }, { _id: 3 }] },
        { ...ctx, yieldAfterMs: 0 },
      ),
    ).toEqual({ n: 3, ok: 1 });
    expect(
      dispatcher.start(
        { ...ctx, yieldAfterMs: 1000 },
        { insert: 'c', documents: [{ _id: 4 }] },
      ),
    ).toEqual({ n: 1, ok: 1 });
  });
});
