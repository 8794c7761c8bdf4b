import { Decimal128, Document, Double, Int32, Long, ObjectId } from 'bson';

/**
 * BSON values as the server keeps them: int32 and double as JS numbers, int64 as `Long`,
 * Decimal128, ObjectId, Binary, Timestamp … as their `bson` classes. This file knows MongoDB's
 * ordering of those values and how to hand them to mingo without losing their types.
 */

type BsonTagged = { _bsontype?: string };

export const bsonType = (v: unknown): string | undefined =>
  v !== null && typeof v === 'object' ? (v as BsonTagged)._bsontype : undefined;

export const isPlainObject = (v: unknown): v is Document =>
  v !== null &&
  typeof v === 'object' &&
  (Object.getPrototypeOf(v) === Object.prototype ||
    Object.getPrototypeOf(v) === null);

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

/** Numeric value of any BSON number, as a JS number (exact up to 2^53). */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  switch (bsonType(v)) {
    case 'Long':
      return (v as Long).toNumber();
    case 'Int32':
    case 'Double':
      return (v as Int32).value;
    case 'Decimal128':
      return parseFloat((v as Decimal128).toString());
  }
  return NaN;
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

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const b = v as { buffer: Uint8Array };
  return b.buffer;
}

/** Compares two BSON values in MongoDB's order (type bracket first, then value). */
export function compareValues(a: unknown, b: unknown): number {
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

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

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

/**
 * Values at a dotted path, expanding arrays as MongoDB does for indexes (multikey): `{a: [{b: 1},
 * {b: 2}]}` at `a.b` gives `[1, 2]`; an empty array gives EMPTY_ARRAY_KEY. An absent path gives
 * `[]`; the caller decides what missing means.
 */
export function valuesAtPath(
  doc: unknown,
  path: string,
): { values: unknown[]; viaArray: boolean } {
  const parts = path.split('.');
  const values: unknown[] = [];
  let viaArray = false;
  const walk = (v: unknown, i: number): void => {
    if (i === parts.length) {
      if (Array.isArray(v)) {
        viaArray = true;
        if (v.length === 0) values.push(EMPTY_ARRAY_KEY);
        else for (const e of v) values.push(e);
      } else values.push(v);
      return;
    }
    if (Array.isArray(v)) {
      viaArray = true;
      const idx = /^\d+$/.test(parts[i]) ? Number(parts[i]) : -1;
      if (idx >= 0 && idx < v.length) walk(v[idx], i + 1);
      for (const e of v) if (isPlainObject(e)) walk(e, i);
      return;
    }
    if (!isPlainObject(v)) return;
    if (!(parts[i] in v)) return;
    walk(v[parts[i]], i + 1);
  };
  walk(doc, 0);
  return { values, viaArray };
}

/** The single value at a dotted path without array expansion (undefined when absent). */
export function valueAtPath(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(v) && /^\d+$/.test(part)) v = v[Number(part)];
    else if (isPlainObject(v)) v = v[part];
    else return undefined;
  }
  return v;
}

/** Sets a dotted path, creating intermediate objects. */
export function setAtPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: Document = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isPlainObject(target[parts[i]])) target[parts[i]] = {};
    target = target[parts[i]];
  }
  target[parts[parts.length - 1]] = value;
}

/** A string that is equal for two `_id` values exactly when MongoDB treats them as the same key. */
export function idKey(v: unknown): string {
  if (typeof v === 'string') return 's' + v;
  if (typeof v === 'number') return 'n' + (Object.is(v, -0) ? 0 : v);
  const t = bsonType(v);
  if (t === 'ObjectId') return 'o' + (v as ObjectId).toHexString();
  if (t === 'Long' || t === 'Int32' || t === 'Double' || t === 'Decimal128') {
    const n = toNumber(v);
    if (t === 'Long' && !Number.isSafeInteger(n))
      return 'n' + (v as Long).toString();
    return 'n' + n;
  }
  return 'x' + describeValue(v);
}

/** Renders a value the way mongod prints it in messages such as `dup key: { email: "a@x.io" }`. */
export function describeValue(v: unknown): string {
  if (v === undefined || v === EMPTY_ARRAY_KEY) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
  if (Array.isArray(v)) return `[ ${v.map(describeValue).join(', ')} ]`;
  switch (bsonType(v)) {
    case 'ObjectId':
      return `ObjectId('${(v as ObjectId).toHexString()}')`;
    case 'Long':
      return (v as Long).toString();
    case 'Decimal128':
      return `Decimal128('${(v as Decimal128).toString()}')`;
    case 'Int32':
    case 'Double':
      return String((v as Int32).value);
    case 'Binary':
      return `BinData(${(v as { sub_type: number }).sub_type}, ${Buffer.from(bytesOf(v)).toString('hex')})`;
    case 'Timestamp':
      return `Timestamp(${(v as Long).toString()})`;
    case 'MinKey':
      return 'MinKey';
    case 'MaxKey':
      return 'MaxKey';
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    return `{ ${keys.map((k) => `${k}: ${describeValue(v[k])}`).join(', ')} }`;
  }
  return String(v);
}

/** Coerces a numeric command argument (int32, double or int64) to a JS number. */
export function numberArg(v: unknown, fallback = 0): number {
  if (v === undefined || v === null) return fallback;
  const n = toNumber(v);
  return Number.isNaN(n) ? fallback : n;
}

/** MongoDB's numeric type ranks: the result of `$inc` / `$mul` takes the wider operand type. */
export type NumericKind = 'int' | 'long' | 'double' | 'decimal';
const KIND_RANK: Record<NumericKind, number> = {
  int: 0,
  long: 1,
  double: 2,
  decimal: 3,
};

export function numericKind(v: unknown): NumericKind | undefined {
  if (typeof v === 'number')
    return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX
      ? 'int'
      : 'double';
  switch (bsonType(v)) {
    case 'Int32':
      return 'int';
    case 'Long':
      return 'long';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
  }
  return undefined;
}

export function widerKind(
  a: NumericKind | undefined,
  b: NumericKind | undefined,
): NumericKind | undefined {
  if (!a) return b;
  if (!b) return a;
  return KIND_RANK[a] >= KIND_RANK[b] ? a : b;
}

/** A value of the given numeric kind (the arithmetic itself was done by mingo on JS numbers). */
export function asNumericKind(n: number, kind: NumericKind): unknown {
  switch (kind) {
    case 'long':
      return Number.isInteger(n) ? Long.fromNumber(n) : n;
    case 'double':
      return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX
        ? new Double(n)
        : n;
    case 'decimal':
      return Decimal128.fromString(String(n));
    default:
      return n;
  }
}

interface ScaledDecimal {
  coefficient: bigint;
  exponent: number;
}

function parseDecimal(v: unknown): ScaledDecimal | undefined {
  const text =
    bsonType(v) === 'Decimal128'
      ? (v as Decimal128).toString()
      : typeof v === 'number'
        ? String(v)
        : bsonType(v) === 'Long'
          ? (v as Long).toString()
          : undefined;
  const m = text && /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && m[3] === '')) return undefined;
  const coefficient = BigInt(`${m[1]}${m[2]}${m[3]}` || '0');
  return { coefficient, exponent: Number(m[4] ?? 0) - m[3].length };
}

function formatDecimal({ coefficient, exponent }: ScaledDecimal): string {
  const negative = coefficient < BigInt(0);
  let digits = (negative ? -coefficient : coefficient).toString();
  if (exponent >= 0)
    return `${negative ? '-' : ''}${digits}${exponent > 0 ? `E+${exponent}` : ''}`;
  const places = -exponent;
  if (digits.length <= places) digits = digits.padStart(places + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
}

/** Exact Decimal128 arithmetic for `$inc` / `$mul` (binary floating point would round). */
export function decimalArithmetic(
  a: unknown,
  b: unknown,
  op: 'add' | 'mul',
): Decimal128 | undefined {
  const x = parseDecimal(a ?? 0);
  const y = parseDecimal(b);
  if (!x || !y) return undefined;
  let result: ScaledDecimal;
  if (op === 'mul')
    result = {
      coefficient: x.coefficient * y.coefficient,
      exponent: x.exponent + y.exponent,
    };
  else {
    const e = Math.min(x.exponent, y.exponent);
    const scale = (d: ScaledDecimal) =>
      d.coefficient * BigInt('1'.padEnd(d.exponent - e + 1, '0'));
    result = { coefficient: scale(x) + scale(y), exponent: e };
  }
  try {
    return Decimal128.fromString(formatDecimal(result));
  } catch {
    return undefined;
  }
}

/** The `$type` name of a value as mongod reports it (`string`, `int`, `long`, `objectId` …). */
export function bsonTypeName(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  // The numeric kinds are spelled as their `$type` names, for JS numbers and BSON wrappers alike.
  const numeric = numericKind(v);
  if (numeric !== undefined) return numeric;
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
  }
  switch (bsonType(v)) {
    case 'ObjectId':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'Code':
      return 'javascript';
    case 'BSONSymbol':
      return 'symbol';
    case 'DBRef':
      return 'object';
  }
  if (v instanceof Uint8Array) return 'binData';
  return 'object';
}

const TYPE_CODES: Record<string, string> = {
  '1': 'double',
  '2': 'string',
  '3': 'object',
  '4': 'array',
  '5': 'binData',
  '6': 'undefined',
  '7': 'objectId',
  '8': 'bool',
  '9': 'date',
  '10': 'null',
  '11': 'regex',
  '12': 'dbPointer',
  '13': 'javascript',
  '14': 'symbol',
  '15': 'javascriptWithScope',
  '16': 'int',
  '17': 'timestamp',
  '18': 'long',
  '19': 'decimal',
  '-1': 'minKey',
  '127': 'maxKey',
};
const TYPE_ALIASES = new Set([...Object.values(TYPE_CODES), 'number']);

/** Resolves a `$type` argument (alias or numeric code) to a type name; undefined when unknown. */
export function typeAlias(t: unknown): { name?: string; error?: string } {
  if (typeof t === 'string')
    return TYPE_ALIASES.has(t)
      ? { name: t }
      : { error: `Unknown type name alias: ${t}` };
  const n = toNumber(t);
  if (Number.isInteger(n) && TYPE_CODES[String(n)])
    return { name: TYPE_CODES[String(n)] };
  return { error: `Invalid numerical type code: ${String(n)}` };
}

/** Whether a value is of a `$type` name (`number` covers every numeric type). */
export function isOfType(v: unknown, name: string): boolean {
  if (v === undefined) return false;
  const actual = bsonTypeName(v);
  if (name === 'number')
    return (
      actual === 'int' ||
      actual === 'long' ||
      actual === 'double' ||
      actual === 'decimal'
    );
  return actual === name;
}

const INT64_MIN = BigInt('-9223372036854775808');
const INT64_MAX = BigInt('9223372036854775807');

function toBigInt(v: unknown): bigint {
  if (bsonType(v) === 'Long') return BigInt((v as Long).toString());
  if (typeof v === 'bigint') return v;
  return BigInt(toNumber(v));
}

/**
 * `$inc` / `$mul` as mongod computes them (SafeNum): int32 op int32 is int32, widened to int64 on
 * overflow; with an int64 it is int64, exact, and an int64 overflow is an error (undefined here);
 * with a double it is a double; with a Decimal128 it is a Decimal128, computed exactly.
 */
export function typedArithmetic(
  a: unknown,
  b: unknown,
  op: 'add' | 'mul',
): unknown {
  const kind = widerKind(numericKind(a), numericKind(b));
  switch (kind) {
    case 'decimal':
      return decimalArithmetic(a, b, op);
    case 'double': {
      const x = toNumber(a);
      const y = toNumber(b);
      return asNumericKind(op === 'add' ? x + y : x * y, 'double');
    }
    case 'long': {
      const x = toBigInt(a);
      const y = toBigInt(b);
      const r = op === 'add' ? x + y : x * y;
      if (r < INT64_MIN || r > INT64_MAX) return undefined;
      return Long.fromBigInt(r);
    }
    case 'int': {
      const x = toNumber(a);
      const y = toNumber(b);
      const r = op === 'add' ? x + y : x * y;
      if (r >= INT32_MIN && r <= INT32_MAX) return r;
      const big = op === 'add' ? BigInt(x) + BigInt(y) : BigInt(x) * BigInt(y);
      return Long.fromBigInt(big);
    }
  }
  return undefined;
}

/** A typed zero of a number's kind (what `$mul` leaves in a missing field). */
export function zeroOfKind(v: unknown): unknown {
  switch (numericKind(v)) {
    case 'long':
      return Long.fromNumber(0);
    case 'double':
      return new Double(0);
    case 'decimal':
      return Decimal128.fromString('0');
    default:
      return 0;
  }
}

/** A Decimal128 divided by a positive integer, to 34 significant digits (for `$avg`). */
export function decimalDivideByInt(
  a: unknown,
  n: number,
): Decimal128 | undefined {
  const x = parseDecimal(a);
  if (!x || !Number.isInteger(n) || n <= 0) return undefined;
  const ten = BigInt(10);
  const zero = BigInt(0);
  let q = (x.coefficient * BigInt('1' + '0'.repeat(40))) / BigInt(n);
  let exponent = x.exponent - 40;
  let dropped = zero;
  const digits = (v: bigint) => (v < zero ? -v : v).toString().length;
  while (digits(q) > 34) {
    dropped = q % ten;
    q = q / ten;
    exponent++;
  }
  if (dropped >= BigInt(5)) q += q < zero ? -BigInt(1) : BigInt(1);
  else if (dropped <= -BigInt(5)) q -= BigInt(1);
  while (exponent < x.exponent && q % ten === zero && q !== zero) {
    q = q / ten;
    exponent++;
  }
  if (q === zero) exponent = Math.min(x.exponent, 0);
  try {
    return Decimal128.fromString(formatDecimal({ coefficient: q, exponent }));
  } catch {
    return undefined;
  }
}
