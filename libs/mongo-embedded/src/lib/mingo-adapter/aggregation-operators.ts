import { Document } from 'bson';
import { bsonTypeName, describeValue } from '../bson-names';
import {
  asNumericKind,
  decimalArithmetic,
  decimalDivideByInt,
  numericKind,
  toNumber,
  typedArithmetic,
  widerKind,
} from '../bson-numbers';
import { valueAtPath } from '../bson-paths';
import { bsonType, isPlainObject } from '../bson-values';
import { originalOf } from './query-view';
import { badValue, failedToParse, MongoServerError } from '../errors';

/* eslint-disable @typescript-eslint/no-explicit-any */
// The aggregation pieces that replace mingo's: a `$group` with order-sensitive keys that keeps
// MongoDB's numeric result types, and arithmetic expressions that refuse Decimal128 operands.
const mingoCore = require('mingo/core') as {
  evalExpr(obj: unknown, expr: unknown, options: unknown): unknown;
};
const { Lazy } = require('mingo/lazy') as { Lazy: (source: unknown) => any };

/** A group key that is equal exactly when MongoDB groups two values together (field order counts). */
function groupKeyString(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number')
    return Number.isNaN(v) ? 'NaN' : 'n' + (Object.is(v, -0) ? 0 : v);
  if (typeof v === 'string') return 's' + v;
  if (Array.isArray(v)) return `[${v.map(groupKeyString).join(',')}]`;
  if (isPlainObject(v))
    return `{${Object.keys(v)
      .map((k) => `${JSON.stringify(k)}:${groupKeyString(v[k])}`)
      .join(',')}}`;
  const t = numericKind(v);
  if (t) return 'n' + (t === 'decimal' ? String(v) : String(toNumber(v)));
  return `${bsonTypeName(v)}:${describeValue(v)}`;
}

/** Typed results of `$group` accumulators, by output document (restored after the pipeline). */
const TYPED_FIELDS = new WeakMap<object, Document>();

/** `$sum` as mongod computes it: int32 widens to int64, then double; any Decimal128 makes it exact decimal. */
function typedSum(values: unknown[]): unknown {
  let acc: unknown = 0;
  for (const v of values) {
    if (numericKind(v) === undefined) continue;
    const kind = widerKind(numericKind(acc), numericKind(v));
    if (kind === 'decimal') {
      const x =
        numericKind(acc) === 'decimal' || numericKind(acc) === 'long'
          ? acc
          : toNumber(acc);
      const y =
        numericKind(v) === 'decimal' || numericKind(v) === 'long'
          ? v
          : toNumber(v);
      acc = decimalArithmetic(x, y, 'add') ?? toNumber(acc) + toNumber(v);
    } else {
      acc = typedArithmetic(acc, v, 'add') ?? toNumber(acc) + toNumber(v);
    }
  }
  return acc;
}

function typedAccumulator(op: string, values: unknown[]): unknown {
  const nums = values.filter((v) => numericKind(v) !== undefined);
  if (op === '$sum') return typedSum(nums);
  if (nums.length === 0) return null;
  const sum = typedSum(nums);
  if (numericKind(sum) === 'decimal')
    return decimalDivideByInt(sum, nums.length) ?? toNumber(sum) / nums.length;
  return asNumericKind(toNumber(sum) / nums.length, 'double');
}

const PICK_ACCUMULATORS = new Set(['$min', '$max', '$first', '$last']);

/** The typed value a field path names in the document an expression is evaluated on. */
function typedOperand(operand: unknown, options: any): unknown {
  if (typeof operand !== 'string' || !/^\$[^$]/.test(operand)) return undefined;
  const root = options?.local?.root;
  if (root === null || typeof root !== 'object') return undefined;
  const path = operand.slice(1);
  return TYPED_FIELDS.get(root)?.[path] ?? valueAtPath(originalOf(root), path);
}

/**
 * Arithmetic expressions compute on JS numbers (binary floating point): on Decimal128 operands
 * mongod computes in decimal, so these are refused rather than answered approximately.
 */
function refuseDecimalArithmetic(name: string, fn: any) {
  return (obj: unknown, expr: unknown, options: any) => {
    const args = Array.isArray(expr) ? expr : [expr];
    if (args.some((a) => bsonType(typedOperand(a, options)) === 'Decimal128'))
      throw badValue(
        `${name} on Decimal128 values is not supported by mongo-embedded (it would not compute in decimal)`,
      );
    return fn(obj, expr, options);
  };
}

export function guardedArithmetic(): Record<string, unknown> {
  const ops = { ...require('mingo/operators/expression') } as Record<
    string,
    unknown
  >;
  for (const name of [
    '$add',
    '$subtract',
    '$multiply',
    '$divide',
    '$mod',
    '$pow',
    '$abs',
    '$round',
    '$trunc',
    '$ceil',
    '$floor',
  ])
    ops[name] = refuseDecimalArithmetic(name, ops[name]);
  return ops;
}

/** `$group` with order-sensitive keys; `{$sum: '$path'}` / `{$avg: '$path'}` keep MongoDB's numeric types. */
export function groupStage(coll: any, expr: Document, options: any): any {
  if (!isPlainObject(expr) || !('_id' in expr))
    throw failedToParse('a group specification must include an _id');
  const idExpr = expr['_id'];
  const fields = Object.keys(expr).filter((k) => k !== '_id');
  for (const f of fields) {
    const spec = expr[f];
    if (
      !isPlainObject(spec) ||
      Object.keys(spec).length !== 1 ||
      !Object.keys(spec)[0].startsWith('$')
    )
      throw new MongoServerError(
        40234,
        'Location40234',
        `The field '${f}' must be an accumulator object`,
      );
  }
  const Options = options.constructor as {
    init(o: unknown): { update(l: Document): unknown };
  };
  return coll.transform((items: Document[]) => {
    const groups = new Map<string, { id: unknown; members: Document[] }>();
    for (const item of items) {
      const id = mingoCore.evalExpr(item, idExpr, options) ?? null;
      const key = groupKeyString(id);
      const g = groups.get(key);
      if (g) g.members.push(item);
      else groups.set(key, { id, members: [item] });
    }
    const out: Document[] = [];
    for (const { id, members } of groups.values()) {
      const doc: Document = { _id: id };
      const typed: Document = {};
      for (const f of fields) {
        const spec = expr[f];
        const op = isPlainObject(spec) ? Object.keys(spec)[0] : undefined;
        const arg = op ? spec[op] : undefined;
        if (
          (op === '$sum' || op === '$avg') &&
          typeof arg === 'string' &&
          /^\$[^$]/.test(arg)
        ) {
          const path = arg.slice(1);
          const value = typedAccumulator(
            op,
            members.map((m) => valueAtPath(originalOf(m), path)),
          );
          doc[f] =
            value === null || typeof value === 'number'
              ? value
              : toNumber(value);
          if (value !== null && typeof value !== 'number') typed[f] = value;
        } else {
          doc[f] = mingoCore.evalExpr(
            members,
            spec,
            Options.init(options).update({ root: null, groupId: id }),
          );
          // `$min` / `$max` / `$first` / `$last` of a field return one of its values: give it its type back.
          if (
            PICK_ACCUMULATORS.has(op as string) &&
            typeof arg === 'string' &&
            /^\$[^$]/.test(arg) &&
            typeof doc[f] === 'number'
          ) {
            const path = arg.slice(1);
            for (const m of members) {
              const v = valueAtPath(originalOf(m), path);
              if (
                typeof v !== 'number' &&
                numericKind(v) !== undefined &&
                toNumber(v) === doc[f]
              ) {
                typed[f] = v;
                break;
              }
            }
          }
        }
      }
      if (Object.keys(typed).length > 0) TYPED_FIELDS.set(doc, typed);
      out.push(doc);
    }
    return Lazy(out);
  });
}

/** Gives `$group` results their types back where a later stage left them untouched. */
export function restoreTypedFields(doc: Document): Document {
  const typed = TYPED_FIELDS.get(doc);
  if (!typed) return doc;
  for (const k of Object.keys(typed))
    if (typeof doc[k] === 'number' && doc[k] === toNumber(typed[k]))
      doc[k] = typed[k];
  return doc;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
