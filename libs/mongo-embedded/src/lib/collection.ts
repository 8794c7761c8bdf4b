import type { Document } from 'bson';
import { BracketBound } from './bson-order';
import { valuesAtPath } from './bson-paths';
import { idFirst } from './bson-values';
import {
  badValue,
  indexKeySpecsConflict,
  indexNotFound,
  indexOptionsConflict,
  MongoServerError,
} from './errors';
import type { DocumentMatcher } from './mingo-adapter/filters';
import {
  IndexSpec,
  normalizeIndexSpec,
  OrderedIndex,
  sameIndexOptions,
} from './ordered-index';
import { planQuery } from './query-planner';
import { sortBy } from './sort';

export interface MatchedRecord {
  rid: number;
  doc: Document;
}

export interface SelectOptions {
  sort?: Document;
  skip?: number;
  limit?: number;
  /** Filled with what the query cost, for `explain`. */
  stats?: SelectStats;
}

export interface SelectStats {
  docsExamined: number;
  keysExamined: number;
  indexName?: string;
  sortInMemory: boolean;
}

/** What a collection reports to be made durable: whole-document images and index changes. */
export type ChangeRecord =
  | { op: 'put'; ns: string; doc: Document }
  | { op: 'del'; ns: string; id: unknown }
  | { op: 'createIndex'; ns: string; spec: IndexSpec }
  | { op: 'dropIndex'; ns: string; name: string };

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/**
 * One collection: documents by record id, in insertion order, plus its ordered indexes (the `_id`
 * index among them). Every mutation checks all unique indexes before it changes anything, so a
 * failed write leaves no trace.
 */
export class Collection {
  readonly ns: string;
  private readonly records = new Map<number, Document>();
  private readonly indexes = new Map<string, OrderedIndex>();
  private nextRid = 1;
  /** Approximate BSON bytes of live documents, to decide when the journal is worth compacting. */
  liveBytes = 0;
  private readonly sizes = new Map<number, number>();
  /** Between beginLoad and endLoad: non-unique indexes are built once at the end. */
  private loading = false;

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Document,
    private readonly record: (change: ChangeRecord) => number,
  ) {
    this.ns = `${db}.${name}`;
    this.indexes.set(ID_INDEX.name, new OrderedIndex(this.ns, { ...ID_INDEX }));
  }

  get count(): number {
    return this.records.size;
  }

  indexSpecs(): IndexSpec[] {
    return [...this.indexes.values()].map((i) => i.spec);
  }

  indexList(): OrderedIndex[] {
    return [...this.indexes.values()];
  }

  allDocuments(): Document[] {
    return [...this.records.values()];
  }

  get(rid: number): Document | undefined {
    return this.records.get(rid);
  }

  ridOfId(id: unknown): number | undefined {
    const idIndex = this.indexes.get('_id_') as OrderedIndex;
    for (const rid of idIndex.scan([id], [id])) return rid;
    return undefined;
  }

  /**
   * While a data dir is loaded: the indexes no write checks (all but the unique ones) only note
   * their keys, and endLoad sorts each of them once. The unique ones are kept up to date, so every
   * write is checked against them (and `_id` lookups answered) exactly as outside a load.
   */
  beginLoad(): void {
    this.loading = true;
    for (const index of this.indexes.values()) if (!index.unique) index.defer();
  }

  endLoad(): void {
    this.loading = false;
    for (const index of this.indexes.values()) index.settle();
  }

  /** Creates an index; false if an identical one exists. Fails on duplicates in existing data. */
  createIndex(input: IndexSpec): boolean {
    const spec = normalizeIndexSpec(input);
    for (const existing of this.indexes.values()) {
      const sameKey =
        JSON.stringify(existing.spec.key) === JSON.stringify(spec.key);
      if (existing.name === spec.name) {
        if (sameKey && sameIndexOptions(existing.spec, spec)) return false;
        if (!sameKey)
          throw indexKeySpecsConflict(
            `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`,
          );
        throw indexOptionsConflict(
          `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`,
        );
      }
      // Only a different partialFilterExpression lets two indexes share a key pattern.
      const samePartial =
        JSON.stringify(existing.spec.partialFilterExpression ?? null) ===
        JSON.stringify(spec.partialFilterExpression ?? null);
      if (sameKey && samePartial) {
        throw indexOptionsConflict(
          sameIndexOptions(existing.spec, spec)
            ? `Index already exists with a different name: ${existing.name}`
            : `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`,
        );
      }
    }
    const index = new OrderedIndex(this.ns, spec);
    index.build(this.records);
    if (this.loading && !index.unique) index.defer();
    this.indexes.set(spec.name, index);
    this.record({ op: 'createIndex', ns: this.ns, spec });
    return true;
  }

  dropIndex(name: string): void {
    if (name === '_id_')
      throw new MongoServerError(72, 'InvalidOptions', 'cannot drop _id index');
    if (!this.indexes.delete(name))
      throw indexNotFound(`index not found with name [${name}]`);
    this.record({ op: 'dropIndex', ns: this.ns, name });
  }

  dropIndexByKey(key: Document): void {
    const wanted = JSON.stringify(key);
    for (const idx of this.indexes.values()) {
      if (JSON.stringify(idx.spec.key) === wanted)
        return this.dropIndex(idx.name);
    }
    throw indexNotFound(`can't find index with key: ${JSON.stringify(key)}`);
  }

  /** Inserts a document that already has its `_id`; throws E11000 without changing anything. */
  insert(input: Document): number {
    const doc = idFirst(input);
    const rid = this.nextRid++;
    const keysPerIndex = this.checkedKeys(doc, rid);
    this.records.set(rid, doc);
    for (const [index, keys] of keysPerIndex) index.add(rid, keys);
    this.trackSize(rid, this.record({ op: 'put', ns: this.ns, doc }));
    return rid;
  }

  replace(rid: number, input: Document): void {
    const before = this.records.get(rid);
    if (!before) return;
    const doc = idFirst(input);
    const keysPerIndex = this.checkedKeys(doc, rid);
    for (const [index, keys] of keysPerIndex)
      index.replaceKeys(rid, index.keysFor(before), keys);
    this.records.set(rid, doc);
    this.trackSize(rid, this.record({ op: 'put', ns: this.ns, doc }));
  }

  remove(rid: number): void {
    const doc = this.records.get(rid);
    if (!doc) return;
    for (const index of this.indexes.values())
      index.remove(rid, index.keysFor(doc));
    this.records.delete(rid);
    this.liveBytes -= this.sizes.get(rid) ?? 0;
    this.sizes.delete(rid);
    this.record({ op: 'del', ns: this.ns, id: doc['_id'] });
  }

  private trackSize(rid: number, size: number): void {
    this.liveBytes += size - (this.sizes.get(rid) ?? 0);
    this.sizes.set(rid, size);
  }

  private checkedKeys(
    doc: Document,
    rid: number,
  ): Array<[OrderedIndex, unknown[][]]> {
    const out: Array<[OrderedIndex, unknown[][]]> = [];
    for (const index of this.indexes.values()) {
      const keys = index.keysFor(doc);
      index.checkUnique(doc, rid, keys);
      out.push([index, keys]);
    }
    return out;
  }

  /** Documents matching a filter, using an index when one fits. */
  select(matcher: DocumentMatcher, opts: SelectOptions = {}): MatchedRecord[] {
    const skip = Math.max(0, opts.skip ?? 0);
    const limit = Math.abs(opts.limit ?? 0);
    let sort =
      opts.sort && Object.keys(opts.sort).length > 0 ? opts.sort : undefined;
    let natural = 0;
    if (sort && '$natural' in sort) {
      if (Object.keys(sort).length > 1)
        throw badValue(
          '$natural sort cannot be combined with other sort fields',
        );
      natural = Number(sort['$natural']) < 0 ? -1 : 1;
      sort = undefined;
    }
    const idPoint = natural ? undefined : this.idPointLookup(matcher.filter);
    const plan =
      idPoint || natural
        ? undefined
        : planQuery(this.indexes.values(), matcher.filter, sort);
    const inOrder = !sort || (plan?.providesSort ?? false);
    const wanted = limit > 0 && inOrder ? skip + limit : Infinity;
    const out: MatchedRecord[] = [];
    const stats = opts.stats;
    if (stats) {
      stats.indexName = idPoint ? '_id_' : plan?.index.name;
      stats.sortInMemory = Boolean(sort && !inOrder);
    }
    const consider = (rid: number): boolean => {
      if (stats) {
        stats.docsExamined++;
        if (idPoint || plan) stats.keysExamined++;
      }
      const doc = this.records.get(rid);
      if (doc && matcher.test(doc)) out.push({ rid, doc });
      return out.length >= wanted;
    };
    if (idPoint) {
      const seen = new Set<number>();
      for (const id of idPoint) {
        const rid = this.ridOfId(id);
        if (rid !== undefined && !seen.has(rid)) {
          seen.add(rid);
          if (consider(rid)) break;
        }
      }
    } else if (plan) {
      const dedupe =
        plan.intervals.length > 1 || plan.index.multikey
          ? new Set<number>()
          : undefined;
      outer: for (const [start, end] of plan.intervals) {
        for (const rid of plan.index.scan(start, end, plan.reverse)) {
          if (dedupe) {
            if (dedupe.has(rid)) continue;
            dedupe.add(rid);
          }
          if (consider(rid)) break outer;
        }
      }
    } else {
      const rids =
        natural < 0 ? [...this.records.keys()].reverse() : this.records.keys();
      for (const rid of rids) if (consider(rid)) break;
    }
    const sorted = sort && !inOrder ? sortBy(out, sort, (r) => r.doc) : out;
    return limit > 0
      ? sorted.slice(skip, skip + limit)
      : skip > 0
        ? sorted.slice(skip)
        : sorted;
  }

  /** `{_id: v}` / `{_id: {$in: [...]}}` as direct lookups (the most common query of all). */
  private idPointLookup(filter: Document): unknown[] | undefined {
    const v = filter['_id'];
    if (v === undefined) return undefined;
    if (
      v !== null &&
      typeof v === 'object' &&
      !(v instanceof Date) &&
      !('_bsontype' in v)
    ) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$eq' && !isComplex(v['$eq']))
        return [v['$eq']];
      if (
        keys.length === 1 &&
        keys[0] === '$in' &&
        Array.isArray(v['$in']) &&
        !v['$in'].some(isComplex)
      )
        return v['$in'];
      return undefined;
    }
    return isComplex(v) ? undefined : [v];
  }

  /** Removes documents whose TTL-indexed date is older than the index's `expireAfterSeconds`. */
  expireDocuments(now: number): number {
    let removed = 0;
    for (const index of this.indexes.values()) {
      const secs = index.spec.expireAfterSeconds;
      if (typeof secs !== 'number' || index.fields.length !== 1) continue;
      const cutoff = new Date(now - secs * 1000);
      const path = index.fields[0].path;
      const expired: number[] = [];
      const start = [new BracketBound(10, false)];
      const end = [cutoff];
      for (const rid of index.fields[0].dir === 1
        ? index.scan(start, end)
        : index.scan(end, start)) {
        const doc = this.records.get(rid);
        if (!doc) continue;
        const dates = valuesAtPath(doc, path).values.filter(
          (x): x is Date => x instanceof Date,
        );
        if (
          dates.length > 0 &&
          Math.min(...dates.map((d) => d.getTime())) <= cutoff.getTime()
        )
          expired.push(rid);
      }
      for (const rid of new Set(expired)) {
        if (this.records.has(rid)) {
          this.remove(rid);
          removed++;
        }
      }
    }
    return removed;
  }

  /** Drops all documents and index entries (for drop / replay), keeping the collection object. */
  clearAll(): void {
    this.records.clear();
    this.sizes.clear();
    this.liveBytes = 0;
    for (const i of this.indexes.values()) i.clear();
  }
}

function isComplex(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (v instanceof RegExp || Array.isArray(v)) return true;
  return (
    typeof v === 'object' &&
    !(v instanceof Date) &&
    !('_bsontype' in (v as object))
  );
}
