import { compareValues } from './bson-order';
import { OrderedIndex } from './ordered-index';

describe('OrderedIndex', () => {
  // A deterministic pseudo-random sequence, so a failure replays.
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 8) % n;
  };

  it('stays sorted and finds every entry through thousands of adds and removes across chunk splits', () => {
    const index = new OrderedIndex('t.c', {
      key: { a: 1, b: -1 },
      name: 'a_1_b_-1',
    });
    const live = new Map<number, unknown[][]>();
    for (let step = 0; step < 6000; step++) {
      const rid = rnd(2500);
      const before = live.get(rid);
      if (before && rnd(3) === 0) {
        index.remove(rid, before);
        live.delete(rid);
        continue;
      }
      const doc = {
        a: rnd(20),
        b: rnd(3) === 0 ? [rnd(9), `s${rnd(4)}`] : rnd(50),
      };
      const keys = index.keysFor(doc);
      if (before) index.replaceKeys(rid, before, keys);
      else index.add(rid, keys);
      live.set(rid, keys);
    }
    const expected = [...live]
      .flatMap(([rid, keys]) => keys.map((key) => ({ key, rid })))
      .sort((x, y) => index.compareKeys(x.key, y.key) || x.rid - y.rid);
    expect(index.size).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(1024); // several chunks
    const [start, end] = index.fullInterval();
    expect([...index.scan(start, end)]).toEqual(expected.map((e) => e.rid));
    expect([...index.scan(start, end, true)]).toEqual(
      expected.map((e) => e.rid).reverse(),
    );
    // A point interval yields exactly the entries with that key.
    for (let a = 0; a < 20; a++) {
      const want = expected
        .filter((e) => compareValues(e.key[0], a) === 0 && e.key[1] === 7)
        .map((e) => e.rid);
      expect([...index.scan([a, 7], [a, 7])]).toEqual(want);
    }
    // Removing everything leaves it empty.
    for (const [rid, keys] of live) index.remove(rid, keys);
    expect(index.size).toBe(0);
    expect([...index.scan(start, end)]).toEqual([]);
  });

  it('keeps the stored values themselves as keys, and checks uniqueness against them', () => {
    const index = new OrderedIndex('t.c', {
      key: { email: 1 },
      name: 'email_1',
      unique: true,
    });
    index.add(1, index.keysFor({ email: 'a' }));
    index.add(2, index.keysFor({ email: 'b' }));
    expect(() => index.checkUnique({ email: 'a' }, 3)).toThrow(
      'E11000 duplicate key error collection: t.c index: email_1 dup key: { email: "a" }',
    );
    expect(() => index.checkUnique({ email: 'a' }, 1)).not.toThrow();
    index.remove(1, [['a']]);
    expect(() => index.checkUnique({ email: 'a' }, 3)).not.toThrow();
  });
});
