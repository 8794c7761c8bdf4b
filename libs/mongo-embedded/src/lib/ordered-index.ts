import type { Document } from 'bson';
import type { Query } from 'mingo';
import { describeValue } from './bson-names';
import { EMPTY_ARRAY_KEY, MAX_BOUND, MIN_BOUND } from './bson-order';
import { toQueryView, viewOf } from './mingo-adapter/query-view';
import { DuplicateKeyError } from './errors';
import { documentKeys } from './index-keys';
import type { IndexSpec } from './index-spec';
import { newQuery } from './mingo-adapter/context';
import {
  Chunk,
  CHUNK_MAX,
  compareKeyValues,
  firstDuplicate,
  sortedChunks,
} from './index-chunks';

export type { IndexSpec } from './index-spec';
export {
  defaultIndexName,
  normalizeIndexSpec,
  sameIndexOptions,
} from './index-spec';

export interface IndexField {
  path: string;
  dir: 1 | -1;
}

/**
 * An ordered index: entries `(key tuple, record id)` kept sorted in a two-level structure (sorted
 * chunks of at most CHUNK_MAX entries, index-chunks.ts; binary search over chunks, then inside
 * one). Multikey like MongoDB's (one entry per array element), sparse and partial indexes hold
 * only the documents they cover. Uniqueness is checked against it before a write is applied.
 *
 * Built in bulk (one sort) when created over existing documents, and while a data dir is loaded
 * (defer / settle): a loaded journal adds millions of entries, one binary search and one insertion
 * each would cost many times the sort.
 */
export class OrderedIndex {
  readonly fields: IndexField[];
  /** Sorted entries in chunks of at most CHUNK_MAX: inserts move a few hundred entries, not the whole index. */
  private chunks: Chunk[] = [];
  private count = 0;
  private readonly width: number;
  /** `fields[f].dir`, read on every comparison. */
  private readonly dirs: number[];
  private readonly partialFilter?: Query;
  /** Set once any document produced more than one key: the index order no longer matches document order. */
  multikey = false;
  /**
   * While deferred: the keys added per record, flat (key `k` field `f` at `k * width + f`), not
   * yet in the chunks; settle() sorts them in. One array per record, not one per key: they live
   * until the end of a load, and millions of small arrays would be the garbage collector's work.
   */
  private pending: Map<number, unknown[]> | undefined;
  /** Where the last lowerBound landed (a chunk index and an offset in it), instead of a new tuple per search. */
  private atChunk = 0;
  private atOff = 0;
  /** compareKeys, bound once: documentKeys sorts a multikey document's keys with it. */
  private readonly compare = (a: unknown[], b: unknown[]) =>
    this.compareKeys(a, b);

  constructor(
    readonly ns: string,
    readonly spec: IndexSpec,
  ) {
    this.fields = Object.keys(spec.key).map((path) => ({
      path,
      dir: spec.key[path] === -1 ? -1 : 1,
    }));
    this.width = this.fields.length;
    this.dirs = this.fields.map((f) => f.dir);
    if (spec.partialFilterExpression)
      this.partialFilter = newQuery(toQueryView(spec.partialFilterExpression));
  }

  get name(): string {
    return this.spec.name;
  }
  /** `_id_` is unique as in mongod, though its spec (as `listIndexes` reports it) does not say so. */
  get unique(): boolean {
    return this.spec.unique === true || this.spec.name === '_id_';
  }
  get sparse(): boolean {
    return this.spec.sparse === true;
  }
  get partial(): boolean {
    return this.partialFilter !== undefined;
  }
  get size(): number {
    return this.count;
  }

  /** Key tuples a document contributes, or `[]` if the index does not cover it (sparse / partial). */
  keysFor(doc: Document): unknown[][] {
    if (this.partialFilter && !this.partialFilter.test(viewOf(doc))) return [];
    return documentKeys(doc, this.fields, this.sparse, this.compare);
  }

  compareKeys(a: unknown[], b: unknown[]): number {
    for (let i = 0; i < this.width; i++) {
      const c = compareKeyValues(a[i], b[i]);
      if (c !== 0) return this.dirs[i] < 0 ? -c : c;
    }
    return 0;
  }

  /** Compares the key of entry `i` of `chunk` with `key`. */
  private compareKeyAt(chunk: Chunk, i: number, key: unknown[]): number {
    const w = this.width;
    const keys = chunk.keys;
    const at = i * w;
    for (let f = 0; f < w; f++) {
      const c = compareKeyValues(keys[at + f], key[f]);
      if (c !== 0) return this.dirs[f] < 0 ? -c : c;
    }
    return 0;
  }

  private compareEntryAt(
    chunk: Chunk,
    i: number,
    key: unknown[],
    rid: number,
  ): number {
    const c = this.compareKeyAt(chunk, i, key);
    if (c !== 0) return c;
    const r = chunk.rids[i];
    return r < rid ? -1 : r > rid ? 1 : 0;
  }

  /**
   * Position of the first entry >= (key, rid), left in `atChunk` / `atOff`: the chunk (first one
   * whose last entry is >= the target), then the offset inside it. Past the end is `[chunks.length, 0]`.
   */
  private lowerBound(key: unknown[], rid: number): void {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid];
      if (this.compareEntryAt(c, c.rids.length - 1, key, rid) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.atChunk = lo;
    this.atOff = 0;
    if (lo === chunks.length) return;
    const chunk = chunks[lo];
    let a = 0;
    let b = chunk.rids.length - 1; // the last entry is >= the target
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.compareEntryAt(chunk, mid, key, rid) < 0) a = mid + 1;
      else b = mid;
    }
    this.atOff = a;
  }

  /** Throws MongoDB's E11000 error if `doc` (stored as `rid`) would duplicate another document's key. */
  checkUnique(doc: Document, rid: number, keys = this.keysFor(doc)): void {
    if (!this.unique) return;
    this.settle();
    for (const key of keys) {
      this.lowerBound(key, -Infinity);
      let ci = this.atChunk;
      let off = this.atOff;
      while (ci < this.chunks.length) {
        const chunk = this.chunks[ci];
        if (this.compareKeyAt(chunk, off, key) !== 0) break;
        if (chunk.rids[off] !== rid) throw this.duplicateError(key);
        if (++off >= chunk.rids.length) {
          ci++;
          off = 0;
        }
      }
    }
  }

  duplicateError(key: unknown[]): DuplicateKeyError {
    const keyPattern: Document = { ...this.spec.key };
    const keyValue: Document = {};
    this.fields.forEach(
      (f, i) =>
        (keyValue[f.path] = key[i] === EMPTY_ARRAY_KEY ? undefined : key[i]),
    );
    const shown = this.fields
      .map((f, i) => `${f.path}: ${describeValue(key[i])}`)
      .join(', ');
    return new DuplicateKeyError(
      `E11000 duplicate key error collection: ${this.ns} index: ${this.name} dup key: { ${shown} }`,
      keyPattern,
      keyValue,
    );
  }

  /** Moves a record's entries from its old keys to its new ones (most updates leave most indexes alone). */
  replaceKeys(rid: number, before: unknown[][], after: unknown[][]): void {
    if (
      before.length === after.length &&
      before.every((key, i) => this.compareKeys(key, after[i]) === 0)
    )
      return;
    this.remove(rid, before);
    this.add(rid, after);
  }

  /**
   * Fills an empty index with the keys of `records` (rid order) in bulk: the same result, and the
   * same error, as checkUnique and add per record in that order (a record keysFor rejects, or the
   * first record whose key a smaller rid already holds in a unique index).
   */
  build(records: Iterable<[number, Document]>): void {
    const perRecord: Array<[number, unknown[]]> = [];
    let failure: { err: unknown } | undefined;
    let count = 0;
    let multikey = false;
    for (const [rid, doc] of records) {
      let keys: unknown[][];
      try {
        keys = this.keysFor(doc);
      } catch (err) {
        failure = { err };
        break;
      }
      count += keys.length;
      if (keys.length > 1) multikey = true;
      perRecord.push([rid, keys.flat()]);
    }
    const chunks = sortedChunks(perRecord, this.dirs);
    if (this.unique) {
      const dup = firstDuplicate(chunks, this.dirs);
      if (dup) throw this.duplicateError(dup.key);
    }
    if (failure) throw failure.err;
    this.chunks = chunks;
    this.count = count;
    if (multikey) this.multikey = true;
  }

  /**
   * From now on, add and remove only note each record's keys; settle() (or any lookup) sorts them
   * into the index at once. For loading, where nothing is looked up in this index until the end:
   * a unique index must not be deferred (its checks look up every insert).
   */
  defer(): void {
    this.pending ??= new Map();
  }

  /** Brings deferred entries into the index, with those it held already: one sort of them all. */
  settle(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    if (pending.size > 0)
      this.chunks = sortedChunks(pending, this.dirs, this.chunks);
  }

  add(rid: number, keys: unknown[][]): void {
    if (keys.length > 1) this.multikey = true;
    if (this.pending) {
      const flat = this.pending.get(rid) ?? [];
      for (const key of keys)
        for (let f = 0; f < this.width; f++) flat.push(key[f]);
      this.pending.set(rid, flat);
      this.count += keys.length;
      return;
    }
    const w = this.width;
    const chunks = this.chunks;
    for (const key of keys) {
      this.count++;
      if (chunks.length === 0) {
        chunks.push({ keys: key.slice(0, w), rids: [rid] });
        continue;
      }
      let ci = chunks.length - 1;
      let chunk = chunks[ci];
      let off = chunk.rids.length;
      // Appending (ascending _id, dates) needs one comparison, not a search.
      if (this.compareEntryAt(chunk, off - 1, key, rid) > 0) {
        this.lowerBound(key, rid);
        ci = this.atChunk;
        chunk = chunks[ci];
        off = this.atOff;
      }
      if (off === chunk.rids.length) {
        chunk.rids.push(rid);
        for (let f = 0; f < w; f++) chunk.keys.push(key[f]);
      } else {
        chunk.rids.splice(off, 0, rid);
        const p = off * w;
        switch (w) {
          case 1:
            chunk.keys.splice(p, 0, key[0]);
            break;
          case 2:
            chunk.keys.splice(p, 0, key[0], key[1]);
            break;
          case 3:
            chunk.keys.splice(p, 0, key[0], key[1], key[2]);
            break;
          default:
            chunk.keys.splice(p, 0, ...key.slice(0, w));
        }
      }
      if (chunk.rids.length >= CHUNK_MAX) {
        const half = CHUNK_MAX >>> 1;
        chunks.splice(ci + 1, 0, {
          keys: chunk.keys.splice(half * w),
          rids: chunk.rids.splice(half),
        });
      }
    }
  }

  remove(rid: number, keys: unknown[][]): void {
    const had = this.pending?.get(rid);
    if (had) {
      // Deferred: a record's keys go as a whole (callers pass all of them).
      this.pending?.delete(rid);
      this.count -= had.length / this.width;
      return;
    }
    for (const key of keys) {
      this.lowerBound(key, rid);
      const ci = this.atChunk;
      const off = this.atOff;
      const chunk = this.chunks[ci];
      if (
        !chunk ||
        off >= chunk.rids.length ||
        chunk.rids[off] !== rid ||
        this.compareKeyAt(chunk, off, key) !== 0
      )
        continue;
      chunk.rids.splice(off, 1);
      chunk.keys.splice(off * this.width, this.width);
      this.count--;
      if (chunk.rids.length === 0) this.chunks.splice(ci, 1);
    }
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
    this.multikey = false;
    if (this.pending) this.pending = new Map();
  }

  /**
   * Record ids whose keys lie in [start, end] (index order), forward or backward. Both ends are
   * found by binary search, so the walk in between compares nothing. The index must not change
   * while the generator is consumed (callers consume it synchronously).
   */
  *scan(start: unknown[], end: unknown[], reverse = false): Generator<number> {
    this.settle();
    const chunks = this.chunks;
    this.lowerBound(start, -Infinity);
    const fromChunk = this.atChunk;
    const fromOff = this.atOff;
    this.lowerBound(end, Infinity); // exclusive
    const toChunk = this.atChunk;
    const toOff = this.atOff;
    if (fromChunk > toChunk || (fromChunk === toChunk && fromOff >= toOff))
      return;
    if (!reverse) {
      for (let ci = fromChunk; ci <= toChunk && ci < chunks.length; ci++) {
        const rids = chunks[ci].rids;
        const last = ci === toChunk ? toOff : rids.length;
        for (let off = ci === fromChunk ? fromOff : 0; off < last; off++)
          yield rids[off];
      }
    } else {
      for (
        let ci = Math.min(toChunk, chunks.length - 1);
        ci >= fromChunk;
        ci--
      ) {
        const rids = chunks[ci].rids;
        const first = ci === fromChunk ? fromOff : 0;
        for (
          let off = (ci === toChunk ? toOff : rids.length) - 1;
          off >= first;
          off--
        )
          yield rids[off];
      }
    }
  }

  /** The whole index as one interval. */
  fullInterval(): [unknown[], unknown[]] {
    return [
      this.fields.map((f) => (f.dir === 1 ? MIN_BOUND : MAX_BOUND)),
      this.fields.map((f) => (f.dir === 1 ? MAX_BOUND : MIN_BOUND)),
    ];
  }
}
