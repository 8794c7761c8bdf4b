import { ObjectId } from 'bson';
import { compareValues } from './bson-order';

/**
 * The storage of an OrderedIndex (ordered-index.ts): its key comparison and the bulk build of its
 * sorted chunks.
 */

/** A chunk splits in two when it reaches this many entries. */
export const CHUNK_MAX = 512;
/** Entries per chunk of a bulk build: room for inserts before the first split. */
export const CHUNK_FILL = 384;

/**
 * A run of consecutive entries, stored flat: entry `i` has record id `rids[i]` and key values
 * `keys[i * width]` … `keys[i * width + width - 1]`. The key values are the document's own values
 * (nothing is copied), so an entry costs two array slots per field instead of an entry object and
 * a key array: a 110k-document collection with five indexes holds about a million fewer objects
 * for the garbage collector to trace.
 */
export interface Chunk {
  keys: unknown[];
  rids: number[];
}

/**
 * compareValues for the values index keys are mostly made of (strings, ObjectIds, Dates, numbers),
 * without its general dispatch; any other pair (mixed types, NaN, Long, null, bounds …) goes to
 * compareValues itself, so the order is exactly its order. Strings compare by UTF-16 code units,
 * as compareValues does (no collation).
 */
export function compareKeyValues(a: unknown, b: unknown): number {
  if (a === b) return 0; // compareValues is reflexive; NaN (a !== a) goes through it below
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'string') return (a as string) < (b as string) ? -1 : 1;
    if (ta === 'object') {
      if (a instanceof Date) {
        if (b instanceof Date) return cmp(a.getTime(), b.getTime()); // invalid dates: 0, as compareValues
      } else if (a instanceof ObjectId && b instanceof ObjectId) {
        const x = a as unknown as ObjectIdWords;
        const y = b as unknown as ObjectIdWords;
        if (typeof x.i0 === 'number' && typeof y.i0 === 'number')
          return (
            cmp(x.i0, y.i0) ||
            cmp(x.i1, y.i1) ||
            cmp(x.i2, y.i2) ||
            cmp(x.i3, y.i3)
          );
      }
    } else if (ta === 'number' && a === a && b === b)
      return (a as number) < (b as number) ? -1 : 1; // -0 === 0 was caught above
  }
  return compareValues(a, b);
}

/** bson 7 keeps an ObjectId as four 24-bit words (bson-order.ts compares them the same way). */
type ObjectIdWords = { i0: number; i1: number; i2: number; i3: number };

const cmp = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Entries `(key, rid)` of many records (and those of `existing` chunks), in index order, as chunks
 * of CHUNK_FILL: one sort of all of them instead of one binary search and one insertion per entry.
 * `perRecord` gives each record's keys flat (key `k` field `f` at `k * width + f`, as in a chunk).
 * `dirs[f]` is 1 or -1.
 */
export function sortedChunks(
  perRecord: Iterable<[number, unknown[]]>,
  dirs: readonly number[],
  existing: readonly Chunk[] = [],
): Chunk[] {
  const w = dirs.length;
  let n = 0;
  for (const chunk of existing) n += chunk.rids.length;
  for (const [, flatKeys] of perRecord) n += flatKeys.length / w;
  // Sized once: growing arrays of millions by push cost more here than the sort.
  const flat: unknown[] = new Array(n * w);
  const rids = new Float64Array(n);
  let e = 0;
  let v = 0;
  for (const chunk of existing) {
    for (let i = 0; i < chunk.rids.length; i++) rids[e++] = chunk.rids[i];
    for (let i = 0; i < chunk.keys.length; i++) flat[v++] = chunk.keys[i];
  }
  for (const [rid, flatKeys] of perRecord) {
    for (let i = 0; i < flatKeys.length; i++) flat[v++] = flatKeys[i];
    for (let k = flatKeys.length / w; k > 0; k--) rids[e++] = rid;
  }
  const order = sortedOrder(new Entries(flat, rids, dirs));
  const chunks: Chunk[] = [];
  for (let start = 0; start < n; start += CHUNK_FILL) {
    const end = Math.min(n, start + CHUNK_FILL);
    const chunk: Chunk = {
      keys: new Array((end - start) * w),
      rids: new Array(end - start),
    };
    for (let k = start, o = 0; k < end; k++, o++) {
      const x = order[k];
      chunk.rids[o] = rids[x];
      for (let f = 0; f < w; f++) chunk.keys[o * w + f] = flat[x * w + f];
    }
    chunks.push(chunk);
  }
  return chunks;
}

/** Entries to sort: entry `e` is `(flat[e * width …], rids[e])`. */
class Entries {
  readonly width: number;
  constructor(
    readonly flat: unknown[],
    readonly rids: Float64Array,
    readonly dirs: readonly number[],
  ) {
    this.width = dirs.length;
  }

  /** Index order of entries `i` and `j`, comparing key fields from `from` on, then rids. */
  compare(i: number, j: number, from: number): number {
    const w = this.width;
    const flat = this.flat;
    for (let f = from; f < w; f++) {
      const c = compareKeyValues(flat[i * w + f], flat[j * w + f]);
      if (c !== 0) return this.dirs[f] < 0 ? -c : c;
    }
    return this.rids[i] - this.rids[j];
  }
}

/**
 * The entry numbers in index order. Entries whose first key value is a string (the terms of a
 * multikey text index: millions of entries, many sharing a term) are grouped by it, the distinct
 * strings sorted once, and each group sorted by the other fields only; the rest are sorted
 * whole; the two sequences are then merged. The same order as sorting everything with
 * `compare`, with far fewer string comparisons.
 */
function sortedOrder(entries: Entries): Uint32Array {
  const n = entries.rids.length;
  const w = entries.width;
  // Group number of each entry (-1: first value not a string), and the size of each group.
  const groupOf = new Int32Array(n);
  const groupIds = new Map<string, number>();
  const sizes: number[] = [];
  let strings = 0;
  for (let e = 0; e < n; e++) {
    const v = entries.flat[e * w];
    if (typeof v !== 'string') {
      groupOf[e] = -1;
      continue;
    }
    let g = groupIds.get(v);
    if (g === undefined) {
      g = sizes.length;
      groupIds.set(v, g);
      sizes.push(0);
    }
    sizes[g]++;
    groupOf[e] = g;
    strings++;
  }
  // Default sort compares strings by UTF-16 code units, as compareValues does.
  const names = [...groupIds.keys()].sort();
  if (entries.dirs[0] < 0) names.reverse();
  const starts = new Int32Array(sizes.length);
  let at = 0;
  for (const name of names) {
    const g = groupIds.get(name) as number;
    starts[g] = at;
    at += sizes[g];
  }
  const ids = new Uint32Array(n);
  const scratch = new Uint32Array(n);
  let other = strings;
  const fill = Int32Array.from(starts);
  for (let e = 0; e < n; e++) {
    const g = groupOf[e];
    if (g < 0) ids[other++] = e;
    else ids[fill[g]++] = e;
  }
  for (const name of names) {
    const g = groupIds.get(name) as number;
    if (sizes[g] > 1)
      mergeSort(entries, ids, scratch, starts[g], starts[g] + sizes[g], 1);
  }
  if (strings === n) return ids;
  mergeSort(entries, ids, scratch, strings, n, 0);
  if (strings === 0) return ids;
  // Merge the strings [0, strings) with the rest [strings, n).
  let i = 0;
  let j = strings;
  let k = 0;
  while (i < strings && j < n)
    scratch[k++] =
      entries.compare(ids[i], ids[j], 0) <= 0 ? ids[i++] : ids[j++];
  while (i < strings) scratch[k++] = ids[i++];
  while (j < n) scratch[k++] = ids[j++];
  return scratch;
}

const RUN = 16;

/**
 * Sorts `ids[lo, hi)` by `entries.compare(·, ·, from)`, using `scratch[lo, hi)`: insertion-sorted
 * runs of RUN, then merges between the two. The comparison is a direct call the JIT can inline,
 * which Array#sort's callback is not: at millions of entries, calling the callback cost more
 * than comparing.
 */
function mergeSort(
  entries: Entries,
  ids: Uint32Array,
  scratch: Uint32Array,
  lo: number,
  hi: number,
  from: number,
): void {
  for (let r = lo; r < hi; r += RUN) {
    const end = Math.min(hi, r + RUN);
    for (let i = r + 1; i < end; i++) {
      const x = ids[i];
      let j = i - 1;
      while (j >= r && entries.compare(ids[j], x, from) > 0) {
        ids[j + 1] = ids[j];
        j--;
      }
      ids[j + 1] = x;
    }
  }
  let src = ids;
  let dst = scratch;
  for (let size = RUN; size < hi - lo; size *= 2) {
    for (let a = lo; a < hi; a += 2 * size) {
      const mid = Math.min(hi, a + size);
      const b = Math.min(hi, a + 2 * size);
      let i = a;
      let j = mid;
      let k = a;
      // Already in order (one record's keys, ascending ids): a copy, no comparisons.
      if (mid < b && entries.compare(src[mid - 1], src[mid], from) > 0)
        while (i < mid && j < b)
          dst[k++] =
            entries.compare(src[i], src[j], from) <= 0 ? src[i++] : src[j++];
      while (i < mid) dst[k++] = src[i++];
      while (j < b) dst[k++] = src[j++];
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== ids) for (let k = lo; k < hi; k++) ids[k] = src[k];
}

/**
 * For a unique index built in bulk (sortedChunks: equal keys in ascending rid order): the duplicate
 * that building it entry by entry, records in rid order, would have stopped at. That is the record
 * with the smallest rid among those whose key a smaller rid already holds (the second entry of a
 * group of equal keys), with its own key values; of its colliding keys, the first in index order
 * (keysFor gives a record's keys in that order). Undefined when every key belongs to one record.
 */
export function firstDuplicate(
  chunks: Chunk[],
  dirs: readonly number[],
): { key: unknown[]; rid: number } | undefined {
  const w = dirs.length;
  let found: { key: unknown[]; rid: number } | undefined;
  let prev: Chunk | undefined;
  let prevAt = 0;
  let inGroup = 0; // entries of the current group of equal keys seen so far
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.rids.length; i++) {
      const at = i * w;
      let same = prev !== undefined;
      for (let f = 0; same && f < w; f++)
        same =
          compareKeyValues(
            (prev as Chunk).keys[prevAt + f],
            chunk.keys[at + f],
          ) === 0;
      inGroup = same ? inGroup + 1 : 1;
      const rid = chunk.rids[i];
      if (inGroup === 2 && (!found || rid < found.rid))
        found = { key: chunk.keys.slice(at, at + w), rid };
      prev = chunk;
      prevAt = at;
    }
  }
  return found;
}
