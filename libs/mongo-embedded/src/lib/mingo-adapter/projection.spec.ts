import { BSON, type Document, ObjectId } from 'bson';
import { projectDocuments } from './projection';

const stored = (): Document => ({
  _id: new ObjectId(),
  text: 'hello',
  searchTerms: ['hello'],
  delivery: { dueAt: new Date(0), attempts: 1 },
  createdAt: new Date(1),
});

describe('projectDocuments', () => {
  it('projects a document once per projection and answers the next read with the same copy', () => {
    const doc = stored();
    const [first] = projectDocuments([doc], { searchTerms: 0 }, {});
    const [again] = projectDocuments([doc], { searchTerms: false }, {});

    expect(again).toBe(first);
    expect(first).toEqual({
      _id: doc['_id'],
      text: 'hello',
      delivery: doc['delivery'],
      createdAt: doc['createdAt'],
    });
    // The stored document is left as it was.
    expect(Object.keys(doc)).toEqual([
      '_id',
      'text',
      'searchTerms',
      'delivery',
      'createdAt',
    ]);
  });

  it('answers another projection of the same document with its own result, each time', () => {
    const doc = stored();
    const excluded = (): Document =>
      projectDocuments([doc], { searchTerms: 0, 'delivery.dueAt': 0 }, {})[0];
    const included = (): Document =>
      projectDocuments([doc], { text: 1, _id: 0 }, {})[0];

    const a = excluded();
    expect(included()).toEqual({ text: 'hello' });
    expect(excluded()).toEqual(a);
    expect(a).toEqual({
      _id: doc['_id'],
      text: 'hello',
      delivery: { attempts: 1 },
      createdAt: doc['createdAt'],
    });
    expect(included()).toEqual({ text: 'hello' });
  });

  it('answers a repeated inclusion with the same copy, and tells apart projections that differ only by _id', () => {
    const doc = stored();
    const [withId] = projectDocuments([doc], { text: 1 }, {});
    const [withoutId] = projectDocuments([doc], { text: 1, _id: 0 }, {});

    expect(withId).toEqual({ _id: doc['_id'], text: 'hello' });
    expect(withoutId).toEqual({ text: 'hello' });
    expect(projectDocuments([doc], { text: 1, _id: 0 }, {})[0]).toBe(withoutId);
  });

  it('projects only _id for {_id: 1}, and keeps it apart from excluding a field named ""', () => {
    const doc: Document = { ...stored(), '': 'empty name' };

    expect(projectDocuments([doc], { _id: 1 }, {})[0]).toEqual({
      _id: doc['_id'],
    });
    expect(projectDocuments([doc], { '': 0 }, {})[0]).not.toHaveProperty('');
    expect(projectDocuments([doc], { '': 0 }, {})[0]).toHaveProperty('text');
    expect(projectDocuments([doc], { _id: 1 }, {})[0]).toEqual({
      _id: doc['_id'],
    });
  });

  it('projects with operators afresh each time (their result may depend on the filter)', () => {
    const doc: Document = { ...stored(), tags: ['a', 'b', 'c'] };
    const slice = (): Document =>
      projectDocuments([doc], { tags: { $slice: 1 } }, {})[0];

    expect(slice()['tags']).toEqual(['a']);
    expect(slice()).not.toBe(slice());
  });

  it('projects a new version of a document from that version', () => {
    const before = stored();
    projectDocuments([before], { searchTerms: 0 }, {});
    // Stored documents are replaced on update, never changed in place.
    const after = { ...before, text: 'edited' };

    expect(projectDocuments([after], { searchTerms: 0 }, {})[0]).toEqual({
      _id: before['_id'],
      text: 'edited',
      delivery: before['delivery'],
      createdAt: before['createdAt'],
    });
  });

  it('encodes a projected copy without the excluded field or anything the stored document caches', () => {
    const doc = stored();
    const cache = Symbol('a cache of the stored document');
    Object.defineProperty(doc, cache, { value: 'kept', enumerable: true });
    const [projected] = projectDocuments([doc], { searchTerms: 0 }, {});

    expect(Object.getOwnPropertySymbols(projected)).toEqual([]);
    expect(BSON.deserialize(BSON.serialize(projected))).toEqual({
      _id: doc['_id'],
      text: 'hello',
      delivery: doc['delivery'],
      createdAt: doc['createdAt'],
    });
  });

  it('keeps a field named __proto__ as a field of the copy', () => {
    const doc = BSON.deserialize(
      BSON.serialize({ a: 1, drop: 2, ['__proto__']: { polluted: true } }),
    );
    const [projected] = projectDocuments([doc], { drop: 0 }, {});

    expect(Object.prototype.hasOwnProperty.call(projected, '__proto__')).toBe(
      true,
    );
    expect(Object.getPrototypeOf(projected)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(projected)).toEqual(['a', '__proto__']);
  });
});

describe('projectDocuments with $slice', () => {
  const post = (): Document => ({
    _id: 1,
    title: 'Post',
    comments: ['a', 'b', 'c', 'd'],
    details: { colors: ['blue', 'red'], sizes: ['S', 'M', 'L'] },
    threads: [{ replies: [1, 2, 3], by: 'x' }, { replies: [4] }, 'loose'],
  });

  it('keeps every other field when nothing is included, as MongoDB does', () => {
    const doc = post();
    const [sliced] = projectDocuments([doc], { comments: { $slice: 2 } }, {});
    expect(sliced).toEqual({ ...post(), comments: ['a', 'b'] });
    // The stored document is left as it was.
    expect(doc).toEqual(post());
  });

  it('slices from the end, after a skip, and beside exclusions', () => {
    const [last] = projectDocuments([post()], { comments: { $slice: -1 } }, {});
    expect(last['comments']).toEqual(['d']);
    const [window] = projectDocuments(
      [post()],
      { comments: { $slice: [1, 2] }, title: 0, _id: 0 },
      {},
    );
    expect(window).toEqual({
      comments: ['b', 'c'],
      details: post()['details'],
      threads: post()['threads'],
    });
    const [fromEnd] = projectDocuments(
      [post()],
      { comments: { $slice: [-3, 2] } },
      {},
    );
    expect(fromEnd['comments']).toEqual(['b', 'c']);
  });

  it('slices inside embedded documents and arrays of them, keeping their other fields', () => {
    const [sliced] = projectDocuments(
      [post()],
      { 'details.colors': { $slice: 1 }, 'threads.replies': { $slice: -1 } },
      {},
    );
    expect(sliced['details']).toEqual({
      colors: ['blue'],
      sizes: ['S', 'M', 'L'],
    });
    expect(sliced['threads']).toEqual([
      { replies: [3], by: 'x' },
      { replies: [4] },
      'loose',
    ]);
  });

  it('leaves collisions and limits that are not positive to mingo, and checks a large projection path by path', () => {
    const collide = (projection: Document) => () =>
      projectDocuments([post()], projection, {});
    // mingo refuses what mongod refuses; nothing is sliced twice or half-applied.
    expect(collide({ comments: { $slice: [1, 0.5] } })).toThrow();
    expect(
      collide({ details: { $slice: 1 }, 'details.colors': { $slice: 1 } }),
    ).toThrow();
    // 20,000 exclusions and 20,000 slices (a hostile client's projection): checked in one pass
    // over their prefixes, not pair by pair (4 × 10⁸ comparisons would hold the thread).
    const many: Document = {};
    for (let i = 0; i < 20_000; i++) {
      many[`x${i}`] = 0;
      many[`y${i}.z`] = { $slice: 1 };
    }
    const [projected] = projectDocuments([post()], many, {});
    expect(projected['comments']).toEqual(post()['comments']);
  });

  it('keeps only what an inclusion names, the slice included', () => {
    const [included] = projectDocuments(
      [post()],
      { title: 1, 'details.colors': { $slice: 1 } },
      {},
    );
    expect(included).toEqual({
      _id: 1,
      title: 'Post',
      details: { colors: ['blue'] },
    });
  });
});
