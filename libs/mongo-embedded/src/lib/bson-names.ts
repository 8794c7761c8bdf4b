import { Decimal128, Int32, Long, ObjectId } from 'bson';
import { bsonType, bytesOf, isPlainObject } from './bson-values';
import { numericKind, toNumber } from './bson-numbers';
import { EMPTY_ARRAY_KEY } from './bson-order';

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
