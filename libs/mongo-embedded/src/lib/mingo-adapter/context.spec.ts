import {
  Aggregator,
  MINGO_BUILT_OPTIONS,
  MINGO_OPTIONS,
  Query,
} from './context';

describe("mingo's options built once (MINGO_BUILT_OPTIONS)", () => {
  const filter = { a: { $gt: 1 }, $or: [{ b: 'x' }, { c: { $type: 'long' } }] };
  const docs = [
    { a: 2, b: 'x' },
    { a: 2, b: 'y' },
    { a: 0, b: 'x' },
    { a: 3, c: 1 },
  ];

  it('match as the plain options do, with this server’s operators', () => {
    const plain = new Query(filter, MINGO_OPTIONS);
    const built = new Query(filter, MINGO_BUILT_OPTIONS);
    expect(docs.map((doc) => built.test(doc))).toEqual(
      docs.map((doc) => plain.test(doc)),
    );
    expect(docs.map((doc) => built.test(doc))).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('keep nothing of one use for the next', () => {
    const pipeline = [{ $set: { sum: { $add: ['$a', '$$ROOT.a'] } } }];
    expect(
      new Aggregator(pipeline, MINGO_BUILT_OPTIONS).run([{ a: 1 }]),
    ).toEqual([{ a: 1, sum: 2 }]);
    expect(
      new Aggregator(pipeline, MINGO_BUILT_OPTIONS).run([{ a: 5 }]),
    ).toEqual([{ a: 5, sum: 10 }]);
    expect(new Query({ a: 5 }, MINGO_BUILT_OPTIONS).test({ a: 5 })).toBe(true);
    const { local } = MINGO_BUILT_OPTIONS as unknown as {
      local: Record<string, unknown>;
    };
    expect(local).toEqual({});
  });
});
