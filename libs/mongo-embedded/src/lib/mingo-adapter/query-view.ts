import { Decimal128, Document, Double, Int32, Long } from 'bson';
import { bsonType, isPlainObject } from '../bson-values';
import { numericKind, toNumber } from '../bson-numbers';

/*
 * mingo compares JS values: documents holding int64, Decimal128 or wrapped numbers are evaluated on
 * a query view (numbers as JS numbers) that remembers its typed original, and results are given
 * their types back.
 */

/** Whether a value holds numbers that mingo cannot compare natively (int64, Decimal128, wrapped numbers). */
export function hasExoticNumbers(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasExoticNumbers);
  if (isPlainObject(v)) {
    for (const k in v) if (hasExoticNumbers(v[k])) return true;
    return false;
  }
  const t = bsonType(v);
  return t === 'Long' || t === 'Decimal128' || t === 'Double' || t === 'Int32';
}

/** Query-view containers (objects and arrays) → the typed originals they were made from. */
const ORIGINALS = new WeakMap<object, object>();

/** Records that a query-view container stands for a typed original. */
export function registerOriginal(view: object, original: object): void {
  ORIGINALS.set(view, original);
}

/** The typed original of a query-view container (the value itself when it is not a view). */
export function originalOf<T>(v: T): T {
  if (v !== null && typeof v === 'object')
    return (ORIGINALS.get(v as object) as T | undefined) ?? v;
  return v;
}

/**
 * A copy in which int64, Decimal128 and wrapped numbers become JS numbers, so mingo compares them
 * by value (`$gt: 9` matches Decimal128 10.5). Used only for evaluation, never stored.
 */
export function toQueryView<T>(v: T): T {
  if (Array.isArray(v)) {
    const arr = v.map(toQueryView);
    ORIGINALS.set(arr, v);
    return arr as unknown as T;
  }
  if (isPlainObject(v)) {
    const out: Document = {};
    for (const k of Object.keys(v)) out[k] = toQueryView(v[k]);
    ORIGINALS.set(out, v);
    return out as T;
  }
  switch (bsonType(v)) {
    case 'Long':
    case 'Decimal128':
    case 'Double':
    case 'Int32':
      return toNumber(v) as unknown as T;
  }
  return v;
}

const QUERY_VIEW = Symbol('mongo-embedded.queryView');

/**
 * The query view of a stored document, cached on the document under a symbol (never serialized,
 * never copied; stored documents are not mutated in place, so the cache cannot go stale).
 */
export function viewOf<T extends object>(doc: T): T {
  const holder = doc as T & { [QUERY_VIEW]?: T };
  let v = holder[QUERY_VIEW];
  if (v === undefined) {
    v = hasExoticNumbers(doc) ? toQueryView(doc) : doc;
    Object.defineProperty(doc, QUERY_VIEW, {
      value: v,
      enumerable: false,
      writable: true,
    });
  }
  return v as T;
}

/**
 * After an update was evaluated on a query view, gives numbers back the BSON type the field had
 * before (an int64 stays int64 after `$inc`), and keeps untouched values as the original objects.
 */
export function restoreNumberTypes(next: unknown, before: unknown): unknown {
  if (Array.isArray(next)) {
    const prev = Array.isArray(before) ? before : [];
    return next.map((v, i) => restoreNumberTypes(v, prev[i]));
  }
  if (isPlainObject(next)) {
    const prev = isPlainObject(before) ? before : {};
    const out: Document = {};
    for (const k of Object.keys(next))
      out[k] = restoreNumberTypes(next[k], prev[k]);
    return out;
  }
  if (typeof next === 'number') {
    // Unchanged (as far as the view can tell): keep the original, exact beyond 2^53 too.
    if (
      numericKind(before) !== undefined &&
      typeof before !== 'number' &&
      toNumber(before) === next
    )
      return before;
    switch (bsonType(before)) {
      case 'Long':
        return Number.isInteger(next) ? Long.fromNumber(next) : next;
      case 'Decimal128':
        return toNumber(before) === next
          ? before
          : Decimal128.fromString(String(next));
      case 'Double':
        return new Double(next);
      case 'Int32':
        return Number.isInteger(next) ? new Int32(next) : next;
    }
  }
  return next;
}
