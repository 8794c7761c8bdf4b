import { Decimal128, Double, Int32, Long } from 'bson';
import { bsonType, INT32_MAX, INT32_MIN } from './bson-values';

// MongoDB's numeric types (int32, int64, double, Decimal128): conversions, the result-type rules of
// `$inc` / `$mul` / `$sum`, and exact decimal arithmetic where binary floating point would round.

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
