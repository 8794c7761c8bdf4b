import type { Document } from 'bson';
import type { Query } from 'mingo';
import { describeValue } from './bson-names';
import {
  compareValues,
  EMPTY_ARRAY_KEY,
  MAX_BOUND,
  MIN_BOUND,
} from './bson-order';
import { valuesAtPath } from './bson-paths';
import { toQueryView, viewOf } from './mingo-adapter/query-view';
import { toNumber } from './bson-numbers';
import {
  badValue,
  cannotCreateIndex,
  cannotIndexParallelArrays,
  DuplicateKeyError,
} from './errors';
import { newQuery } from './mingo-adapter/context';

/** An index as `listIndexes` reports it and as `createIndexes` receives it. */
export interface IndexSpec {
  v?: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
  [option: string]: unknown;
}

export interface IndexField {
  path: string;
  dir: 1 | -1;
}

const CHUNK_MAX = 512;

/**
 * A run of consecutive entries, stored flat: entry `i` has record id `rids[i]` and key values
 * `keys[i * width]` … `keys[i * width + width - 1]`. The key values are the document's own values
 * (nothing is copied), so an entry costs two array slots per field instead of an entry object and
 * a key array: a 110k-document collection with five indexes holds about a million fewer objects
 * for the garbage collector to trace.
 */
interface Chunk {
  keys: unknown[];
  rids: number[];
}

/**
 * An ordered index: entries `(key tuple, record id)` kept sorted in a two-level structure (sorted
 * chunks of at most 512 entries; binary search over chunks, then inside one). Multikey like MongoDB's (one entry per array element), sparse and partial indexes hold
 * only the documents they cover. Uniqueness is checked against it before a write is applied.
 */
export class OrderedIndex {
  readonly fields: IndexField[];
  /** Sorted entries in chunks of at most CHUNK_MAX: inserts move a few hundred entries, not the whole index. */
  private chunks: Chunk[] = [];
  private count = 0;
  private readonly width: number;
  private readonly partialFilter?: Query;
  /** Set once any document produced more than one key: the index order no longer matches document order. */
  multikey = false;

  constructor(
    readonly ns: string,
    readonly spec: IndexSpec,
  ) {
    this.fields = Object.keys(spec.key).map((path) => ({
      path,
      dir: spec.key[path] === -1 ? -1 : 1,
    }));
    this.width = this.fields.length;
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
    const perField: unknown[][] = [];
    let present = false;
    let arrayField: string | undefined;
    for (const f of this.fields) {
      const { values, viaArray } = valuesAtPath(doc, f.path);
      if (values.length > 0) present = true;
      const vals = values.length === 0 ? [null] : values;
      if (viaArray && vals.length > 1) {
        if (arrayField !== undefined)
          throw cannotIndexParallelArrays(
            `cannot index parallel arrays [${f.path}] [${arrayField}]`,
          );
        arrayField = f.path;
      }
      perField.push(vals);
    }
    if (this.sparse && !present) return [];
    let keys: unknown[][] = [[]];
    for (const vals of perField) {
      const next: unknown[][] = [];
      for (const k of keys)
        for (const v of vals) next.push([...k, v === undefined ? null : v]);
      keys = next;
    }
    if (keys.length > 1) {
      keys.sort((a, b) => this.compareKeys(a, b));
      keys = keys.filter(
        (k, i) => i === 0 || this.compareKeys(k, keys[i - 1]) !== 0,
      );
    }
    return keys;
  }

  compareKeys(a: unknown[], b: unknown[]): number {
    for (let i = 0; i < this.width; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c * this.fields[i].dir;
    }
    return 0;
  }

  /** Compares the key of entry `i` of `chunk` with `key`. */
  private compareKeyAt(chunk: Chunk, i: number, key: unknown[]): number {
    const w = this.width;
    const at = i * w;
    for (let f = 0; f < w; f++) {
      const c = compareValues(chunk.keys[at + f], key[f]);
      if (c !== 0) return c * this.fields[f].dir;
    }
    return 0;
  }

  private compareEntryAt(
    chunk: Chunk,
    i: number,
    key: unknown[],
    rid: number,
  ): number {
    const r = chunk.rids[i];
    return this.compareKeyAt(chunk, i, key) || (r < rid ? -1 : r > rid ? 1 : 0);
  }

  /**
   * Position of the first entry >= (key, rid): the chunk (first one whose last entry is >= the
   * target), then the offset inside it. A position past the end is `[chunks.length, 0]`.
   */
  private lowerBound(key: unknown[], rid: number): [number, number] {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid];
      if (this.compareEntryAt(c, c.rids.length - 1, key, rid) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return [lo, 0];
    const chunk = chunks[lo];
    let a = 0;
    let b = chunk.rids.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.compareEntryAt(chunk, mid, key, rid) < 0) a = mid + 1;
      else b = mid;
    }
    return [lo, a];
  }

  /** Throws MongoDB's E11000 error if `doc` (stored as `rid`) would duplicate another document's key. */
  checkUnique(doc: Document, rid: number, keys = this.keysFor(doc)): void {
    if (!this.unique) return;
    for (const key of keys) {
      let [ci, off] = this.lowerBound(key, -Infinity);
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

  add(rid: number, keys: unknown[][]): void {
    if (keys.length > 1) this.multikey = true;
    const w = this.width;
    for (const key of keys) {
      this.count++;
      if (this.chunks.length === 0) {
        this.chunks.push({ keys: key.slice(0, w), rids: [rid] });
        continue;
      }
      let [ci, off] = this.lowerBound(key, rid);
      if (ci === this.chunks.length) {
        ci = this.chunks.length - 1;
        off = this.chunks[ci].rids.length;
      }
      const chunk = this.chunks[ci];
      if (off === chunk.rids.length) {
        chunk.rids.push(rid);
        for (let f = 0; f < w; f++) chunk.keys.push(key[f]);
      } else {
        chunk.rids.splice(off, 0, rid);
        if (w === 1) chunk.keys.splice(off, 0, key[0]);
        else chunk.keys.splice(off * w, 0, ...key.slice(0, w));
      }
      if (chunk.rids.length >= CHUNK_MAX) {
        const half = CHUNK_MAX >>> 1;
        this.chunks.splice(ci + 1, 0, {
          keys: chunk.keys.splice(half * w),
          rids: chunk.rids.splice(half),
        });
      }
    }
  }

  remove(rid: number, keys: unknown[][]): void {
    for (const key of keys) {
      const [ci, off] = this.lowerBound(key, rid);
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
  }

  /**
   * Record ids whose keys lie in [start, end] (index order), forward or backward. Both ends are
   * found by binary search, so the walk in between compares nothing. The index must not change
   * while the generator is consumed (callers consume it synchronously).
   */
  *scan(start: unknown[], end: unknown[], reverse = false): Generator<number> {
    const chunks = this.chunks;
    const [fromChunk, fromOff] = this.lowerBound(start, -Infinity);
    const [toChunk, toOff] = this.lowerBound(end, Infinity); // exclusive
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

/** The index name mongod derives from a key pattern: `{a: 1, b: -1}` → `a_1_b_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.keys(key)
    .map((k) => `${k}_${key[k]}`)
    .join('_');
}

const OPTION_KEYS = [
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
];

/** Whether two specs of the same key pattern have the same options (else createIndexes conflicts). */
export function sameIndexOptions(a: IndexSpec, b: IndexSpec): boolean {
  return OPTION_KEYS.every(
    (k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null),
  );
}

const SUPPORTED_INDEX_KEYS = new Set(['1', '-1']);

/** A createIndexes spec checked and reduced to what this server supports and `listIndexes` reports. */
export function normalizeIndexSpec(input: IndexSpec): IndexSpec {
  if (
    !input ||
    typeof input.key !== 'object' ||
    Object.keys(input.key).length === 0
  )
    throw cannotCreateIndex('Index keys cannot be empty.');
  const key: Document = {};
  for (const path of Object.keys(input.key)) {
    const raw = toNumber(input.key[path]) || input.key[path];
    const n = typeof raw === 'number' ? raw : Number(String(raw));
    if (!SUPPORTED_INDEX_KEYS.has(String(n)))
      throw cannotCreateIndex(
        `index type ${JSON.stringify(raw)} on field '${path}' is not supported by mongo-embedded (only ascending 1 and descending -1 keys)`,
      );
    key[path] = n;
  }
  if (input['collation'])
    throw badValue('index collation is not supported by mongo-embedded');
  const spec: IndexSpec = {
    v: 2,
    key,
    name: typeof input.name === 'string' ? input.name : defaultIndexName(key),
  };
  if (input.unique) spec.unique = true;
  if (input.sparse) spec.sparse = true;
  if (input.partialFilterExpression)
    spec.partialFilterExpression = input.partialFilterExpression;
  if (input.expireAfterSeconds !== undefined)
    spec.expireAfterSeconds = Number(input.expireAfterSeconds);
  return spec;
}
