import { Document, Long, ObjectId } from 'bson';
import fc from 'fast-check';
import { cloneValue } from '../bson-values';
import { MongoServerError } from '../errors';
import { MINGO_OPTIONS, mingoUpdate } from './context';
import { applyUpdate } from './update';

const conversation = (): Document => ({
  _id: new ObjectId('65a000000000000000000001'),
  channel: 'local',
  participantIds: [
    new ObjectId('65a000000000000000000002'),
    new ObjectId('65a000000000000000000003'),
  ],
  lastMessage: null,
  unreadCounts: { '65a000000000000000000002': 0 },
  total: Long.fromNumber(5),
  createdAt: new Date(Date.UTC(2026, 0, 1)),
});

/** mingo leaves a hole where mongod pads an array with null (BSON then sends the hole as null too). */
function holesAsNull(v: unknown): Document {
  if (Array.isArray(v))
    return Array.from(v, (e) => (e === undefined ? null : holesAsNull(e)));
  if (v !== null && typeof v === 'object' && v.constructor === Object)
    return Object.fromEntries(
      Object.entries(v).map(([k, e]) => [k, holesAsNull(e)]),
    );
  return v as Document;
}

describe('applyUpdate with $set on plain paths', () => {
  it("applies a conversation's preview, activity time and unread increment together", () => {
    const doc = conversation();
    const at = new Date(Date.UTC(2026, 0, 2));
    const { doc: next, changed } = applyUpdate(doc, {
      $set: {
        lastMessageAt: at,
        lastMessage: { body: 'hi', senderId: doc['participantIds'][0] },
      },
      $inc: {
        'unreadCounts.65a000000000000000000002': 1,
        'unreadCounts.65a000000000000000000003': 1,
        total: 1,
      },
    });
    expect(changed).toBe(true);
    expect(next).toEqual({
      ...doc,
      lastMessage: { body: 'hi', senderId: doc['participantIds'][0] },
      unreadCounts: {
        '65a000000000000000000002': 1,
        '65a000000000000000000003': 1,
      },
      total: Long.fromNumber(6),
      lastMessageAt: at,
    });
    expect(Object.keys(next)[0]).toBe('_id');
  });

  it('leaves the stored document untouched and copies the values it sets', () => {
    const doc = conversation();
    const before = cloneValue(doc);
    const value = { nested: { list: [1, 2] } };
    const { doc: next } = applyUpdate(doc, { $set: { 'a.b': value } });
    expect(doc).toEqual(before);
    value.nested.list.push(3);
    expect(next['a']).toEqual({ b: { nested: { list: [1, 2] } } });
  });

  it('keeps the BSON type the client sent (an int64 stays an int64)', () => {
    const { doc: next } = applyUpdate(conversation(), {
      $set: { total: Long.fromNumber(7), count: 3 },
    });
    expect(next['total']).toEqual(Long.fromNumber(7));
    expect(next['count']).toBe(3);
  });

  it('sets an array element by index, padding with null as mongod does', () => {
    const { doc: next } = applyUpdate(
      { _id: 1, a: [1] },
      { $set: { 'a.3': 9 } },
    );
    expect(next['a']).toEqual([1, null, null, 9]);
  });

  it('reports no change when the values are already there', () => {
    const doc = conversation();
    expect(applyUpdate(doc, { $set: { channel: 'local' } }).changed).toBe(
      false,
    );
  });

  it.each<[string, Document, number]>([
    ['a field inside a scalar', { $set: { 'channel.kind': 1 } }, 28],
    ['a field inside null', { $set: { 'lastMessage.body': 'x' } }, 28],
    ['a named field inside an array', { $set: { 'participantIds.x': 1 } }, 28],
    ['the _id', { $set: { _id: 2 } }, 66],
    ['two operators on one path', { $set: { a: 1 }, $inc: { a: 1 } }, 40],
  ])('refuses to set %s', (_label, update, code) => {
    let error: unknown;
    try {
      applyUpdate(conversation(), update);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(code);
  });

  it('refuses a path segment that names a prototype, writing nothing', () => {
    let error: unknown;
    try {
      applyUpdate({ _id: 1 }, { $set: { '__proto__.polluted': 1 } });
    } catch (err) {
      error = err;
    }
    expect((error as MongoServerError).code).toBe(2);
    expect(({} as Document)['polluted']).toBeUndefined();
  });

  it('agrees with mingo on random $set updates of plain paths', () => {
    const segment = fc.constantFrom('a', 'b', 'c', '0', '1');
    const path = fc
      .array(segment, { minLength: 1, maxLength: 3 })
      .map((s) => s.join('.'))
      .filter((p) => !/^\d/.test(p));
    const leaf = fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom('x', null, true),
    );
    const value = fc.oneof(
      leaf,
      fc.array(leaf, { maxLength: 2 }),
      fc.dictionary(segment, leaf, { maxKeys: 2 }),
    );
    const doc = fc
      .dictionary(fc.constantFrom('a', 'b', 'c'), value, { maxKeys: 3 })
      .map((d) => ({ _id: 1, ...d }));
    fc.assert(
      fc.property(
        doc,
        fc.dictionary(path, value, { minKeys: 1, maxKeys: 2 }),
        (d, set) => {
          let expected: Document | MongoServerError;
          try {
            const target = cloneValue(d);
            mingoUpdate(target, { $set: set }, undefined, undefined, {
              queryOptions: MINGO_OPTIONS,
            });
            expected = holesAsNull(target);
          } catch {
            return; // mingo refuses; what this server answers is covered above
          }
          let actual: Document;
          try {
            actual = applyUpdate(d, { $set: set }).doc;
          } catch (err) {
            // Refused before anything is applied: a path mongod does not accept (28, 40).
            expect([28, 40]).toContain((err as MongoServerError).code);
            return;
          }
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });
});
