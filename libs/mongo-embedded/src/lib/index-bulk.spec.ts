import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Decimal128,
  Document,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
} from 'bson';
import { compareValues } from './bson-order';
import { Catalog } from './catalog';
import { compareKeyValues } from './index-chunks';
import { Journal } from './journal';
import { IndexSpec, OrderedIndex } from './ordered-index';

// A deterministic pseudo-random sequence, so a failure replays.
let seed = 11;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return (seed >>> 8) % n;
};

const oids = Array.from({ length: 6 }, () => new ObjectId());
const T0 = Date.UTC(2026, 0, 1);

/** Values of every type bracket an index key can hold, with equal values of different types. */
const mixed = (): unknown[] => [
  null,
  undefined,
  1,
  1.5,
  -0,
  0,
  NaN,
  new Int32(1),
  Long.fromNumber(1),
  Long.fromNumber(2 ** 40),
  Decimal128.fromString('1.5'),
  '',
  'a',
  'ab',
  'B',
  'é',
  '\u{1F600}',
  { x: 1 },
  { x: 'a' },
  [],
  true,
  false,
  new Date(T0),
  new Date(T0 + 1),
  new ObjectId(oids[rnd(6)].id),
  new ObjectId(oids[rnd(6)].id),
  new MinKey(),
  new MaxKey(),
  Buffer.from([1, 2]),
  /re/i,
];

function randomValue(): unknown {
  const pool = mixed();
  return pool[rnd(pool.length)];
}

function randomDoc(): Document {
  const doc: Document = {};
  if (rnd(8) !== 0) doc['a'] = randomValue();
  // Multikey on b: arrays of a few values (or a scalar), never parallel with a.
  doc['b'] =
    rnd(2) === 0
      ? Array.from({ length: rnd(5) }, () => randomValue())
      : randomValue();
  doc['c'] = { d: rnd(3) === 0 ? `s${rnd(5)}` : new Date(T0 + rnd(4)) };
  if (Array.isArray(doc['a'])) doc['a'] = 'was an array';
  return doc;
}

const SPECS: IndexSpec[] = [
  { key: { a: 1 }, name: 'a' },
  { key: { a: -1, b: 1 }, name: 'a_b' },
  { key: { b: 1, 'c.d': -1, a: -1 }, name: 'b_cd_a' },
  { key: { 'c.d': 1 }, name: 'cd', sparse: true },
  {
    key: { a: 1, b: -1 },
    name: 'partial',
    partialFilterExpression: { a: { $type: 'string' } },
  },
];

/** Every entry's rid, in index order, forward and backward. */
function allRids(index: OrderedIndex): number[][] {
  const [start, end] = index.fullInterval();
  return [[...index.scan(start, end)], [...index.scan(start, end, true)]];
}

describe('compareKeyValues', () => {
  it('orders every pair of mixed BSON values exactly as compareValues does', () => {
    const pool = [...mixed(), ...mixed(), 'ab', new Date(T0), oids[0]];
    for (const a of pool)
      for (const b of pool)
        expect([a, b, Math.sign(compareKeyValues(a, b))]).toEqual([
          a,
          b,
          Math.sign(compareValues(a, b)),
        ]);
  });
});

describe('OrderedIndex built in bulk', () => {
  const docs = Array.from({ length: 3000 }, () => randomDoc());
  const records = docs.map((d, i): [number, Document] => [i + 1, d]);

  it.each(SPECS.map((s) => [s.name, s]))(
    'answers the same scans as one built entry by entry (%s)',
    (_name, spec) => {
      const one = new OrderedIndex('t.c', spec as IndexSpec);
      for (const [rid, doc] of records) one.add(rid, one.keysFor(doc));
      const bulk = new OrderedIndex('t.c', spec as IndexSpec);
      bulk.build(records);
      expect(bulk.size).toBe(one.size);
      expect(bulk.multikey).toBe(one.multikey);
      expect(allRids(bulk)).toEqual(allRids(one));
      // Point and range scans over values of every type.
      for (let i = 0; i < 60; i++) {
        const lo = one.fields.map(() => randomValue() ?? null);
        const hi = one.fields.map(() => randomValue() ?? null);
        expect([...bulk.scan(lo, lo)]).toEqual([...one.scan(lo, lo)]);
        expect([...bulk.scan(lo, hi)]).toEqual([...one.scan(lo, hi)]);
        expect([...bulk.scan(lo, hi, true)]).toEqual([
          ...one.scan(lo, hi, true),
        ]);
      }
      // Removing and adding after the bulk build keeps it identical to the other.
      for (let i = 0; i < 1500; i++) {
        const [rid, doc] = records[rnd(records.length)];
        const keys = one.keysFor(doc);
        one.remove(rid, keys);
        bulk.remove(rid, keys);
        if (rnd(2) === 0) {
          one.add(rid, keys);
          bulk.add(rid, keys);
        }
      }
      expect(bulk.size).toBe(one.size);
      expect(allRids(bulk)).toEqual(allRids(one));
    },
  );

  it('defers adds, removes and replacements, then settles into the same index (also over existing entries)', () => {
    for (const spec of SPECS) {
      const one = new OrderedIndex('t.c', spec);
      const deferred = new OrderedIndex('t.c', spec);
      // Some entries before deferring: settle merges them with the deferred ones.
      for (const [rid, doc] of records.slice(0, 500)) {
        one.add(rid, one.keysFor(doc));
        deferred.add(rid, deferred.keysFor(doc));
      }
      deferred.defer();
      const current = new Map(records.slice(0, 500));
      for (const [rid, doc] of records.slice(500)) {
        one.add(rid, one.keysFor(doc));
        deferred.add(rid, deferred.keysFor(doc));
        current.set(rid, doc);
      }
      for (let i = 0; i < 2000; i++) {
        const rid = 1 + rnd(records.length);
        const before = current.get(rid);
        if (!before) continue;
        if (rnd(3) === 0) {
          one.remove(rid, one.keysFor(before));
          deferred.remove(rid, deferred.keysFor(before));
          current.delete(rid);
        } else {
          const after = randomDoc();
          one.replaceKeys(rid, one.keysFor(before), one.keysFor(after));
          deferred.replaceKeys(
            rid,
            deferred.keysFor(before),
            deferred.keysFor(after),
          );
          current.set(rid, after);
        }
      }
      expect(deferred.size).toBe(one.size);
      deferred.settle();
      expect(allRids(deferred)).toEqual(allRids(one));
      // A scan settles by itself.
      const lazy = new OrderedIndex('t.c', spec);
      lazy.defer();
      for (const [rid, doc] of current) lazy.add(rid, lazy.keysFor(doc));
      expect(allRids(lazy)).toEqual(allRids(one));
    }
  });

  it('raises the duplicate an entry-by-entry build would have raised first, with its key', () => {
    const spec: IndexSpec = { key: { k: 1, m: -1 }, name: 'k_m', unique: true };
    const cases: Document[][] = [
      // rid 3 duplicates rid 1; rid 4 duplicates rid 2 on a smaller key: rid 3 is met first.
      [{ k: 5 }, { k: 1 }, { k: 5.0 }, { k: 1 }],
      // Multikey: rid 2 collides with rid 1 on two keys; the first in index order is reported,
      // with rid 2's own values (a Long equal to a number).
      [
        { k: [3, 9], m: 'x' },
        { k: [Long.fromNumber(9), Long.fromNumber(3)], m: 'x' },
      ],
      // No duplicate within one document.
      [{ k: [1, 1.0], m: null }],
      // Missing fields and empty arrays are keys too.
      [{ m: 1 }, { k: null, m: 1 }],
      [{ k: [] }, { k: [], m: null }],
    ];
    for (const docs of cases) {
      const recs = docs.map((d, i): [number, Document] => [i + 1, d]);
      const one = new OrderedIndex('t.c', spec);
      let expected: unknown;
      try {
        for (const [rid, doc] of recs) {
          const keys = one.keysFor(doc);
          one.checkUnique(doc, rid, keys);
          one.add(rid, keys);
        }
      } catch (err) {
        expected = err;
      }
      let actual: unknown;
      try {
        new OrderedIndex('t.c', spec).build(recs);
      } catch (err) {
        actual = err;
      }
      expect(String(actual)).toEqual(String(expected));
      expect((actual as { keyValue?: unknown })?.keyValue).toEqual(
        (expected as { keyValue?: unknown })?.keyValue,
      );
    }
  });

  it('reports a duplicate before a later document that cannot be indexed, and the reverse', () => {
    const spec: IndexSpec = { key: { a: 1, b: 1 }, name: 'a_b', unique: true };
    const parallel = { a: [1, 2], b: [3, 4] };
    const dupFirst: Array<[number, Document]> = [
      [1, { a: 1, b: 1 }],
      [2, { a: 1, b: 1 }],
      [3, parallel],
    ];
    expect(() => new OrderedIndex('t.c', spec).build(dupFirst)).toThrow(
      /E11000/,
    );
    const parallelFirst: Array<[number, Document]> = [
      [1, { a: 1, b: 1 }],
      [2, parallel],
      [3, { a: 1, b: 1 }],
    ];
    expect(() => new OrderedIndex('t.c', spec).build(parallelFirst)).toThrow(
      /parallel arrays/,
    );
  });
});

describe('loading a data dir builds indexes in bulk', () => {
  const dirs: string[] = [];
  afterAll(() =>
    dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })),
  );

  it('loads the same indexes as were written, and keeps unique checks, removes and updates working after', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'me-bulk-'));
    dirs.push(dir);
    const a = new Catalog();
    const ja = await Journal.open(dir, a, () => undefined);
    const coll = a.ensure('db', 'messages');
    coll.createIndex({ key: { conv: 1, at: -1, _id: -1 }, name: 'history' });
    coll.createIndex({ key: { terms: 1, conv: 1, at: -1 }, name: 'search' });
    coll.createIndex({
      key: { sender: 1, cid: 1 },
      name: 'cid',
      unique: true,
      partialFilterExpression: { cid: { $type: 'string' } },
    });
    for (let i = 0; i < 3000; i++) {
      coll.insert({
        _id: i,
        conv: oids[i % 6],
        at: new Date(T0 + rnd(100)),
        terms: ['ab', 'abc', `w${i % 17}`, `x${rnd(40)}`].slice(0, rnd(5)),
        sender: i % 3,
        ...(i % 4 === 0 ? {} : { cid: `c${i}` }),
      });
      if (i % 7 === 0) coll.remove(coll.ridOfId(i - 3) ?? -1);
      if (i % 5 === 0) {
        const rid = coll.ridOfId(i - 1);
        if (rid !== undefined)
          coll.replace(rid, { ...coll.get(rid), terms: ['zz', 'ab'] });
      }
    }
    // An index created over existing documents, in the middle of the journal.
    coll.createIndex({ key: { at: 1 }, name: 'at' });
    for (let i = 3000; i < 3200; i++)
      coll.insert({ _id: i, at: new Date(T0 + rnd(100)), terms: [] });
    await ja.close();

    const b = new Catalog();
    const jb = await Journal.open(dir, b, () => undefined);
    const loaded = b.get('db', 'messages');
    expect(loaded).toBeDefined();
    if (!loaded) return;
    const byName = (c: typeof coll) =>
      new Map(c.indexList().map((i) => [i.name, i]));
    const before = byName(coll);
    for (const [name, index] of byName(loaded)) {
      const old = before.get(name) as OrderedIndex;
      expect([name, index.size, index.multikey]).toEqual([
        name,
        old.size,
        old.multikey,
      ]);
      // Same documents in the same order (record ids may differ between the two catalogs).
      const ids = (i: OrderedIndex, c: typeof coll) =>
        allRids(i).map((rids) => rids.map((rid) => c.get(rid)?.['_id']));
      expect(ids(index, loaded)).toEqual(ids(old, coll));
    }
    // Steady state after the load: unique violations, removes, updates.
    const taken = loaded.allDocuments().find((d) => d['cid'] !== undefined);
    expect(() =>
      loaded.insert({
        _id: 'new',
        sender: taken?.['sender'],
        cid: taken?.['cid'],
      }),
    ).toThrow(/E11000 duplicate key error collection: db.messages index: cid/);
    const search = byName(loaded).get('search') as OrderedIndex;
    const abBefore = [
      ...search.scan(
        ['ab', oids[0], new Date(T0 + 1000)],
        ['ab', oids[0], new Date(0)],
      ),
    ];
    expect(abBefore.length).toBeGreaterThan(0);
    for (const rid of abBefore) loaded.remove(rid);
    expect([
      ...search.scan(
        ['ab', oids[0], new Date(T0 + 1000)],
        ['ab', oids[0], new Date(0)],
      ),
    ]).toEqual([]);
    loaded.insert({
      _id: 'late',
      conv: oids[0],
      at: new Date(T0),
      terms: ['ab'],
    });
    expect([
      ...search.scan(
        ['ab', oids[0], new Date(T0 + 1000)],
        ['ab', oids[0], new Date(0)],
      ),
    ]).toEqual([loaded.ridOfId('late')]);
    await jb.close();
  });
});
