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
