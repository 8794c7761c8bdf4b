import { Document, ObjectId } from 'bson';
import fc from 'fast-check';
import { MongoServerError } from '../errors';
import { newQuery } from './context';
import { compileFilter } from './filters';

const t0 = Date.UTC(2026, 0, 1);
const ids = Array.from(
  { length: 4 },
  (_, i) => new ObjectId(i.toString(16).padStart(24, '0')),
);

const message = (i: number): Document => ({
  _id: ids[i % 4],
  conversationId: i % 2,
  createdAt: new Date(t0 + (i % 3) * 1000),
  tags: i % 2 ? ['a', 'b'] : [],
});

describe('compiled $and / $or / $nor filters', () => {
  it('matches the history cursor condition: older, or as old with a smaller _id', () => {
    const docs = Array.from({ length: 12 }, (_, i) => message(i));
    const before = { createdAt: new Date(t0 + 1000), _id: ids[2] };
    const matcher = compileFilter({
      $and: [
        { conversationId: 0 },
        {
          $or: [
            { createdAt: { $lt: before.createdAt } },
            { createdAt: before.createdAt, _id: { $lt: before._id } },
          ],
        },
      ],
    });
    const matched = docs.filter((d) => matcher.test(d));
    expect(matched.length).toBeGreaterThan(0);
    for (const d of matched) {
      expect(d['conversationId']).toBe(0);
      const t = (d['createdAt'] as Date).getTime();
      expect(
        t < before.createdAt.getTime() ||
          (t === before.createdAt.getTime() &&
            (d['_id'] as ObjectId).toHexString() < before._id.toHexString()),
      ).toBe(true);
    }
  });

  it('$nor matches only documents no clause matches', () => {
    const matcher = compileFilter({
      $nor: [{ conversationId: 1 }, { tags: 'a' }],
    });
    expect(matcher.test(message(0))).toBe(true);
    expect(matcher.test(message(1))).toBe(false);
  });

  it('an empty clause matches every document', () => {
    expect(compileFilter({ $or: [{}] }).test(message(3))).toBe(true);
  });

  it.each<[string, Document]>([
    ['an empty $or', { $or: [] }],
    ['a $and that is not an array', { $and: { conversationId: 1 } }],
    ['a clause that is not a document', { $nor: [1] }],
  ])('refuses %s with 2 BadValue', (_label, filter) => {
    let error: unknown;
    try {
      compileFilter(filter).test(message(0));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(2);
  });

  it('agrees with mingo (with the same operators) on random filters', () => {
    const docs = Array.from({ length: 12 }, (_, i) => message(i));
    const value = fc.oneof(
      fc.constantFrom(...ids),
      fc.integer({ min: -1, max: 2 }),
      fc.integer({ min: 0, max: 3 }).map((s) => new Date(t0 + s * 1000)),
      fc.constantFrom('a', 'b', null),
    );
    const comparison = fc.tuple(
      fc.constantFrom('_id', 'conversationId', 'createdAt', 'tags', 'missing'),
      fc.oneof(
        value,
        fc
          .tuple(
            fc.constantFrom('$ne', '$gt', '$gte', '$lt', '$lte', '$eq'),
            value,
          )
          .map(([op, v]) => ({ [op]: v })),
        fc
          .tuple(
            fc.constantFrom('$in', '$nin'),
            fc.array(value, { maxLength: 3 }),
          )
          .map(([op, v]) => ({ [op]: v })),
      ),
    );
    const leaf = fc
      .array(comparison, { maxLength: 3 })
      .map((pairs) => Object.fromEntries(pairs) as Document);
    const { filter } = fc.letrec<{ filter: Document }>((tie) => ({
      filter: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc
          .tuple(
            fc.constantFrom('$and', '$or', '$nor'),
            fc.array(tie('filter'), { minLength: 1, maxLength: 3 }),
            leaf,
          )
          .map(([op, clauses, rest]) => ({ ...rest, [op]: clauses })),
      ),
    }));
    fc.assert(
      fc.property(filter, (f) => {
        const compiled = compileFilter(f);
        const reference = newQuery(f);
        for (const d of docs) expect(compiled.test(d)).toBe(reference.test(d));
      }),
      { numRuns: 300 },
    );
  });
});
