import { Document, Double, Int32 } from 'bson';

/**
 * BSON values as the server keeps them: int32 and double as JS numbers, int64 as `Long`,
 * Decimal128, ObjectId, Binary, Timestamp … as their `bson` classes. This file is how values are
 * recognised, decoded and copied; their order is in bson-order.ts, paths in bson-paths.ts, numeric
 * rules in bson-numbers.ts, type names and printing in bson-names.ts, and the views handed to
 * mingo in mingo-adapter/query-view.ts.
 */

type BsonTagged = { _bsontype?: string };

export const bsonType = (v: unknown): string | undefined =>
  v !== null && typeof v === 'object' ? (v as BsonTagged)._bsontype : undefined;

export const isPlainObject = (v: unknown): v is Document =>
  v !== null &&
  typeof v === 'object' &&
  (Object.getPrototypeOf(v) === Object.prototype ||
    Object.getPrototypeOf(v) === null);

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** The bytes of a Binary (or of a Buffer / Uint8Array). */
export function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const b = v as { buffer: Uint8Array };
  return b.buffer;
}

/** Moves `_id` to the front, as mongod stores it. */
export function idFirst(doc: Document): Document {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !('_id' in doc)) return doc;
  const out: Document = { _id: doc['_id'] };
  for (const k of keys) if (k !== '_id') out[k] = doc[k];
  return out;
}

/** Deep copy of plain objects and arrays; BSON values (immutable) are shared, Dates copied. */
export function cloneValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneValue) as unknown as T;
  if (v instanceof Date) return new Date(v.getTime()) as unknown as T;
  if (isPlainObject(v)) {
    const out: Document = {};
    for (const k of Object.keys(v)) out[k] = cloneValue(v[k]);
    return out as T;
  }
  return v;
}

/**
 * Deserialized with `promoteValues: false`, numbers arrive wrapped. int32 becomes a JS number (it
 * serializes back as int32); a double becomes a number unless it is whole and within int32 range
 * (or -0), where a number would come back as int32: those stay `Double`, so a double stays a double.
 */
export function normalizeNumbers(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = normalizeNumbers(v[i]);
    return v;
  }
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) v[k] = normalizeNumbers(v[k]);
    return v;
  }
  const t = bsonType(v);
  if (t === 'Int32') return (v as Int32).value;
  if (t === 'Double') {
    const n = (v as Double).value;
    const keep =
      Object.is(n, -0) ||
      (Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX);
    return keep ? v : n;
  }
  return v;
}
