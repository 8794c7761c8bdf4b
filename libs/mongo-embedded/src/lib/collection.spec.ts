import { Document, Long, ObjectId } from 'bson';
import { Catalog } from './catalog';
import type { Collection, SelectStats } from './collection';
import { compileFilter } from './mingo-adapter/filters';

const stats = (): SelectStats => ({
  docsExamined: 0,
  keysExamined: 0,
  sortInMemory: false,
});

function collectionWith(indexes: Document[], docs: Document[]): Collection {
  const coll = new Catalog().ensure('t', 'c');
  indexes.forEach((spec, i) =>
    coll.createIndex({ name: `i${i}`, ...spec } as never),
  );
  docs.forEach((d, i) => coll.insert({ _id: i, ...d }));
  return coll;
}

describe('index-backed queries', () => {
  const conversations = Array.from({ length: 20 }, () => new ObjectId());
  const t0 = Date.UTC(2026, 0, 1);
  const messages = Array.from({ length: 4000 }, (_, i) => ({
    conversationId: conversations[i % 20],
    createdAt: new Date(t0 + i * 1000),
  }));

  it('serves a history page from a compound index, examining only the page', () => {
    const coll = collectionWith(
      [{ key: { conversationId: 1, createdAt: -1 } }],
      messages,
    );
    const s = stats();
    const cursor = new Date(t0 + 3000 * 1000);
    const page = coll.select(
      compileFilter({
        conversationId: conversations[3],
        createdAt: { $lt: cursor },
      }),
      {
        sort: { createdAt: -1 },
        limit: 50,
        stats: s,
      },
    );
    expect(page).toHaveLength(50);
    expect(s.indexName).toBe('i0');
    expect(s.sortInMemory).toBe(false);
    expect(s.docsExamined).toBe(50);
    const times = page.map((r) => (r.doc['createdAt'] as Date).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[0]).toBeLessThan(cursor.getTime());
    expect(
      page.every((r) =>
        (r.doc['conversationId'] as ObjectId).equals(conversations[3]),
      ),
    ).toBe(true);
  });

  it("serves the next history page from the API's cursor condition, examining only the page", () => {
    // Two messages per millisecond, so the cursor's tie-breaker on _id matters.
    const docs = Array.from({ length: 4000 }, (_, i) => ({
      conversationId: conversations[i % 2],
      createdAt: new Date(t0 + Math.floor(i / 4)),
    }));
    const indexed = collectionWith(
      [{ key: { conversationId: 1, createdAt: -1, _id: -1 } }],
      docs,
    );
    const plain = collectionWith([], docs);
    const before = { createdAt: docs[2001].createdAt, _id: 2001 };
    const filter = {
      $and: [
        { conversationId: conversations[1] },
        {
          $or: [
            { createdAt: { $lt: before.createdAt } },
            { createdAt: before.createdAt, _id: { $lt: before._id } },
          ],
        },
      ],
    };
    const opts = { sort: { createdAt: -1, _id: -1 }, limit: 51 };
    const s = stats();
    const page = indexed.select(compileFilter(filter), { ...opts, stats: s });
    expect(s.indexName).toBe('i0');
    expect(s.sortInMemory).toBe(false);
    expect(s.docsExamined).toBeLessThanOrEqual(53);
    expect(page.map((r) => r.doc['_id'])).toEqual(
      plain.select(compileFilter(filter), opts).map((r) => r.doc['_id']),
    );
    expect(page[0].doc['_id']).toBe(1999);
  });

  it('walks an ascending index backwards for a descending sort', () => {
    const coll = collectionWith(
      [{ key: { conversationId: 1, createdAt: 1 } }],
      messages,
    );
    const s = stats();
    const page = coll.select(
      compileFilter({ conversationId: conversations[5] }),
      { sort: { createdAt: -1 }, limit: 10, stats: s },
    );
    expect(s.docsExamined).toBe(10);
    expect(page[0].doc['createdAt']).toEqual(messages[3985].createdAt);
  });

  it('uses an index for equality, $in and ranges', () => {
    const coll = collectionWith(
      [{ key: { n: 1 } }],
      Array.from({ length: 1000 }, (_, i) => ({ n: i })),
    );
    for (const [filter, expected] of [
      [{ n: 500 }, 1],
      [{ n: { $in: [3, 4, 999, 5000] } }, 3],
      [{ n: { $gte: 10, $lt: 20 } }, 10],
      [{ n: { $gt: 990 } }, 9],
    ] as const) {
      const s = stats();
      expect(coll.select(compileFilter(filter), { stats: s })).toHaveLength(
        expected,
      );
      expect(s.indexName).toBe('i0');
      expect(s.docsExamined).toBeLessThanOrEqual(expected + 1);
    }
  });

  it('finds missing and null fields through the index (a backfill of a new field)', () => {
    // 1000 documents, of which the last 10 lack `terms` and 2 hold null: the lookup examines only
    // those, wherever they are, instead of scanning past every document already given the field.
    const coll = collectionWith(
      [{ key: { terms: 1, n: -1 } }, { key: { s: 1 }, sparse: true }],
      Array.from({ length: 1000 }, (_, i) =>
        i >= 990 ? { n: i } : { n: i, terms: i < 2 ? null : [`t${i}`], s: 1 },
      ),
    );
    for (const [filter, expected] of [
      [{ terms: { $exists: false } }, 10],
      [{ terms: null }, 12],
      [{ terms: { $eq: null } }, 12],
      [{ $and: [{ terms: { $exists: false } }, { n: { $gte: 995 } }] }, 5],
    ] as const) {
      const s = stats();
      expect(coll.select(compileFilter(filter), { stats: s })).toHaveLength(
        expected,
      );
      expect(s.indexName).toBe('i0');
      expect(s.docsExamined).toBeLessThanOrEqual(12);
    }
    // A sparse index does not hold the documents lacking the field: not used for them.
    const s = stats();
    expect(
      coll.select(compileFilter({ s: { $exists: false } }), { stats: s }),
    ).toHaveLength(10);
    expect(s.indexName).toBeUndefined();
  });

  it('finds int64 and double keys equal to int32 ones through the index', () => {
    const coll = collectionWith(
      [{ key: { n: 1 } }],
      [{ n: Long.fromNumber(7) }, { n: 7 }, { n: 7.5 }],
    );
    expect(coll.select(compileFilter({ n: 7 }))).toHaveLength(2);
    expect(
      coll.select(compileFilter({ n: { $gt: 7 } })).map((r) => r.doc['n']),
    ).toEqual([7.5]);
  });

  it('keeps ranges inside their type bracket', () => {
    const coll = collectionWith(
      [{ key: { v: 1 } }],
      [{ v: 5 }, { v: 'x' }, { v: new Date(1) }, { v: null }, {}],
    );
    expect(
      coll.select(compileFilter({ v: { $gt: 1 } })).map((r) => r.doc['v']),
    ).toEqual([5]);
    expect(
      coll.select(compileFilter({ v: { $lt: 'z' } })).map((r) => r.doc['v']),
    ).toEqual(['x']);
  });

  it('answers multikey lookups once per document', () => {
    const coll = collectionWith(
      [{ key: { tags: 1 } }],
      [{ tags: ['a', 'b', 'a'] }, { tags: ['b'] }, { tags: [] }],
    );
    expect(
      coll.select(compileFilter({ tags: { $in: ['a', 'b'] } })),
    ).toHaveLength(2);
    // MongoDB semantics: one element may satisfy $gt and another $lt, so the bounds are not intersected.
    expect(
      coll.select(compileFilter({ tags: { $gt: 'a', $lt: 'b' } })),
    ).toHaveLength(1);
    expect(
      coll.select(
        compileFilter({ tags: { $elemMatch: { $gt: 'a', $lt: 'b' } } }),
      ),
    ).toHaveLength(0);
  });

  it('keeps every index true across replacements that change some indexed fields and not others', () => {
    const coll = collectionWith(
      [
        { key: { participants: 1, lastAt: -1 } },
        { key: { pairKey: 1 }, unique: true },
      ],
      Array.from({ length: 20 }, (_, i) => ({
        participants: [i % 4, (i + 1) % 4],
        lastAt: new Date(t0 + i),
        pairKey: `p${i}`,
      })),
    );
    for (let i = 0; i < 20; i += 2) {
      const rid = coll.ridOfId(i) as number;
      const doc = coll.get(rid) as Document;
      // Even ids: a new activity time (first index moves), same pairKey (second index stays).
      coll.replace(rid, { ...doc, lastAt: new Date(t0 + 100 + i) });
    }
    const rid = coll.ridOfId(1) as number;
    coll.replace(rid, { ...(coll.get(rid) as Document), participants: [9] });
    const s = stats();
    const newest = coll.select(compileFilter({ participants: 0 }), {
      sort: { lastAt: -1 },
      stats: s,
    });
    expect(s.indexName).toBe('i0');
    expect(newest.map((r) => r.doc['_id'])).toEqual([
      16, 12, 8, 4, 0, 19, 15, 11, 7, 3,
    ]);
    expect(
      coll.select(compileFilter({ participants: 9 })).map((r) => r.doc['_id']),
    ).toEqual([1]);
    expect(
      coll.select(compileFilter({ participants: 1 })).map((r) => r.doc['_id']),
    ).not.toContain(1);
    expect(
      coll.select(compileFilter({ pairKey: 'p4' })).map((r) => r.doc['_id']),
    ).toEqual([4]);
    expect(() => coll.insert({ _id: 99, pairKey: 'p4' })).toThrow(/E11000/);
  });

  it('returns the same results with and without indexes (randomised)', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const docs = Array.from({ length: 600 }, () => {
      const d: Document = {};
      if (rnd(10) > 0) d['a'] = rnd(12);
      if (rnd(10) > 1) d['b'] = rnd(3) === 0 ? `s${rnd(5)}` : rnd(40);
      if (rnd(4) === 0) d['c'] = [rnd(5), rnd(5)];
      else d['c'] = rnd(5);
      return d;
    });
    const indexed = collectionWith(
      [
        { key: { a: 1, b: -1 } },
        { key: { b: 1 } },
        { key: { c: 1 } },
        { key: { a: 1 }, sparse: true },
      ],
      docs,
    );
    const plain = collectionWith([], docs);
    const filters: Document[] = [];
    for (let i = 0; i < 300; i++) {
      const f: Document = {};
      if (rnd(2)) f['a'] = rnd(3) ? rnd(12) : { $in: [rnd(12), rnd(12)] };
      if (rnd(2))
        f['b'] = rnd(2) ? { $gte: rnd(40) } : { $lt: rnd(40), $gt: rnd(20) };
      if (rnd(3) === 0) f['c'] = rnd(2) ? rnd(5) : { $gt: rnd(5) };
      if (rnd(3) === 0) {
        // A cursor-like $or: one branch a range, another an equality plus a tie-breaker.
        const t = rnd(40);
        f['$or'] = [
          { b: rnd(2) ? { $lt: t } : { $gte: t } },
          { b: rnd(4) ? t : `s${rnd(5)}`, a: { $lt: rnd(12) } },
          ...(rnd(2) ? [{ c: rnd(5) }] : [{ b: { $in: [rnd(40), rnd(40)] } }]),
        ];
      }
      filters.push(f);
    }
    const sorts: Array<Document | undefined> = [
      undefined,
      { b: -1 },
      { a: 1, b: -1 },
      { b: 1, _id: 1 },
      { c: 1 },
    ];
    for (const filter of filters) {
      const sort = sorts[rnd(sorts.length)];
      const limit = rnd(3) === 0 ? 5 : 0;
      const opts = {
        sort: sort
          ? { ...sort, ...(sort['_id'] ? {} : { _id: 1 }) }
          : { _id: 1 },
        limit,
      };
      const got = indexed
        .select(compileFilter(filter), opts)
        .map((r) => r.doc['_id']);
      const want = plain
        .select(compileFilter(filter), opts)
        .map((r) => r.doc['_id']);
      expect({ filter, sort: opts.sort, got }).toEqual({
        filter,
        sort: opts.sort,
        got: want,
      });
    }
  });
});

describe('unique indexes', () => {
  it('refuses a second document with the same _id (E11000 on _id_), also numerically equal', () => {
    const coll = new Catalog().ensure('t', 'c');
    coll.insert({ _id: 1, v: 'a' });
    expect(() => coll.insert({ _id: 1, v: 'b' })).toThrow(
      'E11000 duplicate key error collection: t.c index: _id_ dup key: { _id: 1 }',
    );
    expect(() => coll.insert({ _id: Long.fromNumber(1) })).toThrow('E11000');
    const other = coll.insert({ _id: 2 });
    expect(() => coll.replace(other, { _id: 1 })).toThrow('E11000');
    expect(coll.count).toBe(2);
    expect(coll.indexSpecs()[0]).toEqual({
      v: 2,
      key: { _id: 1 },
      name: '_id_',
    });
  });

  it('treats a missing field as null in a plain unique index', () => {
    const coll = collectionWith(
      [{ key: { email: 1 }, unique: true }],
      [{ email: 'a' }, {}],
    );
    expect(() => coll.insert({ _id: 'x' })).toThrow(
      /E11000 duplicate key error collection: t.c index: i0 dup key: \{ email: null \}/,
    );
  });

  it('ignores documents without the field in a sparse unique index', () => {
    const coll = collectionWith(
      [{ key: { email: 1 }, unique: true, sparse: true }],
      [{}, {}],
    );
    coll.insert({ _id: 'y' });
    expect(() => coll.insert({ _id: 'z', email: 'q' })).not.toThrow();
    expect(() => coll.insert({ _id: 'w', email: 'q' })).toThrow(
      /dup key: \{ email: "q" \}/,
    );
  });

  it('enforces a partial unique index only where the filter matches', () => {
    const coll = collectionWith(
      [
        {
          key: { instagramMessageId: 1 },
          unique: true,
          partialFilterExpression: { instagramMessageId: { $exists: true } },
        },
      ],
      [{ text: 'local 1' }, { text: 'local 2' }, { instagramMessageId: 'm1' }],
    );
    expect(() => coll.insert({ _id: 'n', text: 'local 3' })).not.toThrow();
    expect(() => coll.insert({ _id: 'm', instagramMessageId: 'm1' })).toThrow(
      /index: i0 dup key: \{ instagramMessageId: "m1" \}/,
    );
  });

  it('reports compound keys the way mongod prints them', () => {
    const coll = collectionWith(
      [{ key: { a: 1, b: 1 }, unique: true }],
      [{ a: 1, b: new ObjectId('65f000000000000000000001') }],
    );
    expect(() =>
      coll.insert({
        _id: 'dup',
        a: 1,
        b: new ObjectId('65f000000000000000000001'),
      }),
    ).toThrow("dup key: { a: 1, b: ObjectId('65f000000000000000000001') }");
  });

  it('leaves the collection unchanged when a write fails on any index', () => {
    const coll = collectionWith(
      [
        { key: { a: 1 }, unique: true },
        { key: { b: 1 }, unique: true },
      ],
      [
        { a: 1, b: 1 },
        { a: 2, b: 2 },
      ],
    );
    const rid = coll.ridOfId(1) as number;
    expect(() => coll.replace(rid, { _id: 1, a: 3, b: 1 })).toThrow(
      /index: i1/,
    );
    expect(coll.get(rid)).toEqual({ _id: 1, a: 2, b: 2 });
    expect(coll.select(compileFilter({ a: 3 }))).toHaveLength(0);
  });

  it('refuses to build a unique index over duplicates', () => {
    const coll = collectionWith([], [{ a: 1 }, { a: 1 }]);
    expect(() =>
      coll.createIndex({ key: { a: 1 }, name: 'a_1', unique: true }),
    ).toThrow(/E11000/);
    expect(coll.indexSpecs().map((s) => s.name)).toEqual(['_id_']);
  });
});

describe('TTL', () => {
  it('removes documents whose date is older than expireAfterSeconds', () => {
    const now = Date.now();
    const coll = collectionWith(
      [{ key: { createdAt: 1 }, expireAfterSeconds: 600 }],
      [
        { createdAt: new Date(now - 601_000) },
        { createdAt: new Date(now - 10_000) },
        { createdAt: 'not a date' },
        {},
      ],
    );
    expect(coll.expireDocuments(now)).toBe(1);
    expect(coll.count).toBe(3);
  });
});
