import { Document, Long, ObjectId } from 'bson';
import { bsonType, bytesOf } from './bson-values';
import { toNumber } from './bson-numbers';

// MongoDB's order of values (type bracket first, then the value): indexes, sorts, distinct and
// equality all compare through compareValues.

/** A bound that sorts before or after every value of one type bracket (0 = before everything, 100 = after). */
export class BracketBound {
  constructor(
    readonly bracket: number,
    readonly end: boolean,
  ) {}
}
export const MIN_BOUND = new BracketBound(0, false);
/** The key of an empty array: MongoDB indexes and sorts it as `undefined`, after MinKey and before null. */
export const EMPTY_ARRAY_KEY = new BracketBound(1.5, false);
export const MAX_BOUND = new BracketBound(100, true);

/** MongoDB's comparison order of type brackets. */
export function typeBracket(v: unknown): number {
  if (v === undefined || v === null) return 2;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
  }
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  if (Array.isArray(v)) return 6;
  if (v instanceof BracketBound) return v.bracket;
  switch (bsonType(v)) {
    case 'MinKey':
      return 1;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'MaxKey':
      return 13;
    case 'Code':
      return 14;
  }
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return 7;
  return 5;
}

function compareNumbers(a: unknown, b: unknown): number {
  if (bsonType(a) === 'Long' && bsonType(b) === 'Long')
    return (a as Long).compare(b as Long);
  const x = toNumber(a);
  const y = toNumber(b);
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
  if (Number.isNaN(y)) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

const cmp = <T extends string | number | boolean>(a: T, b: T) =>
  a < b ? -1 : a > b ? 1 : 0;

/** Compares two BSON values in MongoDB's order (type bracket first, then value). */
export function compareValues(a: unknown, b: unknown): number {
  // The pairs index keys are made of, without working out both type brackets first.
  const ja = typeof a;
  if (ja === typeof b) {
    if (ja === 'string') return cmp(a as string, b as string);
    if (ja === 'number' && a === a && b === b)
      return cmp(a as number, b as number); // NaN: compareNumbers
    if (ja === 'object' && a !== null && b !== null) {
      if (a instanceof Date && b instanceof Date)
        return cmp(a.getTime(), b.getTime());
      if (
        (a as { _bsontype?: string })._bsontype === 'ObjectId' &&
        (b as { _bsontype?: string })._bsontype === 'ObjectId'
      )
        return compareObjectIds(a as ObjectId, b as ObjectId);
    }
  }
  const ta = typeBracket(a);
  const tb = typeBracket(b);
  if (a instanceof BracketBound || b instanceof BracketBound) {
    if (ta !== tb) return ta < tb ? -1 : 1;
    if (a instanceof BracketBound && b instanceof BracketBound)
      return cmp(Number(a.end), Number(b.end));
    if (a instanceof BracketBound) return a.end ? 1 : -1;
    return (b as BracketBound).end ? -1 : 1;
  }
  if (ta !== tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3:
      return compareNumbers(a, b);
    case 4:
      return cmp(String(a), String(b));
    case 5:
      return compareObjects(a as Document, b as Document);
    case 6:
      return compareArrays(a as unknown[], b as unknown[]);
    case 7: {
      const x = bytesOf(a);
      const y = bytesOf(b);
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      const sa = (a as { sub_type?: number }).sub_type ?? 0;
      const sb = (b as { sub_type?: number }).sub_type ?? 0;
      if (sa !== sb) return sa < sb ? -1 : 1;
      return Buffer.compare(x, y);
    }
    case 8:
      return compareObjectIds(a as ObjectId, b as ObjectId);
    case 9:
      return cmp(Number(a), Number(b));
    case 10:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 11:
      return (a as Long).compare(b as Long);
    case 12: {
      const ra = regexParts(a);
      const rb = regexParts(b);
      return cmp(ra[0], rb[0]) || cmp(ra[1], rb[1]);
    }
    default:
      return cmp(String(a), String(b));
  }
}

type ObjectIdWords = { i0?: number; i1?: number; i2?: number; i3?: number };

/** bson 7 keeps an ObjectId as four 24-bit words; comparing them avoids allocating `.id` buffers. */
function compareObjectIds(a: ObjectId, b: ObjectId): number {
  const x = a as unknown as ObjectIdWords;
  const y = b as unknown as ObjectIdWords;
  if (typeof x.i0 === 'number' && typeof y.i0 === 'number')
    return (
      cmp(x.i0, y.i0) ||
      cmp(x.i1 as number, y.i1 as number) ||
      cmp(x.i2 as number, y.i2 as number) ||
      cmp(x.i3 as number, y.i3 as number)
    );
  return Buffer.compare(a.id, b.id);
}

function regexParts(v: unknown): [string, string] {
  if (v instanceof RegExp) return [v.source, v.flags];
  const r = v as { pattern: string; options: string };
  return [r.pattern, r.options];
}

function compareObjects(a: Document, b: Document): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const t = typeBracket(a[ka[i]]) - typeBracket(b[kb[i]]);
    if (t !== 0) return t < 0 ? -1 : 1;
    const k = cmp(ka[i], kb[i]);
    if (k !== 0) return k;
    const v = compareValues(a[ka[i]], b[kb[i]]);
    if (v !== 0) return v;
  }
  return cmp(ka.length, kb.length);
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const v = compareValues(a[i], b[i]);
    if (v !== 0) return v;
  }
  return cmp(a.length, b.length);
}

export const valuesEqual = (a: unknown, b: unknown) =>
  compareValues(a, b) === 0;
