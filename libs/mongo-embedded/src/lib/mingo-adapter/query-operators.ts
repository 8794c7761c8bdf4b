import { Document, ObjectId } from 'bson';
import type { Query as MingoQuery } from 'mingo';
import { isOfType, typeAlias } from '../bson-names';
import { compareValues, typeBracket } from '../bson-order';
import { bsonType, isPlainObject } from '../bson-values';
import { originalOf, registerOriginal } from './query-view';
import { badValue } from '../errors';

/*
 * The query operators that replace mingo's where mingo differs from MongoDB: BSON equality (embedded
 * documents compare field order included), comparisons inside one type bracket in BSON order, and
 * `$type` on the typed document.
 */

const { Query } = require('mingo/query') as { Query: typeof MingoQuery };
const mingoUtil = require('mingo/util') as {
  resolve(
    obj: unknown,
    selector: string,
    opts?: { unwrapArray?: boolean },
  ): unknown;
  flatten(xs: unknown[], depth?: number): unknown[];
};

/** MongoDB equality: type bracket, then value; embedded documents field by field, in order. */
function bsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' || typeof b === 'string') return false;
  return compareValues(a, b) === 0;
}

/** `{field: value}` equality: the value itself, or (for an array) one of its elements. */
function eqPredicate(a: unknown, b: unknown, depth: number): boolean {
  if (bsonEquals(a, b)) return true;
  if (Array.isArray(a)) {
    if (a.some((v) => bsonEquals(v, b))) return true;
    return (
      depth > 0 && mingoUtil.flatten(a, depth).some((v) => bsonEquals(v, b))
    );
  }
  return false;
}

/** A hashable key for scalars whose BSON equality is plain value equality (numbers across types). */
function scalarKey(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'number':
      return Number.isNaN(v) ? 'nNaN' : 'n' + (v === 0 ? 0 : v);
    case 'boolean':
      return 'b' + v;
  }
  if (v === null) return 'null';
  if (v instanceof Date) return 'd' + v.getTime();
  if (bsonType(v) === 'ObjectId') return 'o' + (v as ObjectId).toHexString();
  return undefined;
}

interface InSet {
  keys: Set<string>;
  others: unknown[];
  regexes: RegExp[];
}

/** `$in` lists compiled once into a hash set (plus the values that need a full comparison). */
const IN_SETS = new WeakMap<unknown[], InSet>();

function inSetOf(list: unknown[]): InSet {
  let set = IN_SETS.get(list);
  if (!set) {
    set = { keys: new Set(), others: [], regexes: [] };
    for (const x of list) {
      if (x instanceof RegExp) set.regexes.push(x);
      else {
        const k = scalarKey(x);
        if (k !== undefined) set.keys.add(k);
        else set.others.push(x);
      }
    }
    IN_SETS.set(list, set);
  }
  return set;
}

function regexMatches(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

function inPredicate(a: unknown, b: unknown, depth: number): boolean {
  if (!Array.isArray(b)) throw badValue('$in needs an array');
  const set = inSetOf(b);
  if (a === undefined || a === null) return set.keys.has('null');
  const candidates = Array.isArray(a)
    ? [a, ...a, ...(depth > 0 ? mingoUtil.flatten(a, depth) : [])]
    : [a];
  for (const c of candidates) {
    const k = scalarKey(c);
    if (k !== undefined && set.keys.has(k)) return true;
    if (typeof c === 'string' && set.regexes.some((re) => regexMatches(re, c)))
      return true;
    if (set.others.length > 0 && set.others.some((o) => bsonEquals(c, o)))
      return true;
  }
  return false;
}

/** `$gt` / `$gte` / `$lt` / `$lte`: BSON order inside one type bracket (null and missing are one bracket). */
function rangePredicate(test: (c: number) => boolean): LeafPredicate {
  return (a, b, depth) => {
    const bracket = typeBracket(b);
    const candidates = Array.isArray(a)
      ? [a, ...(depth > 0 ? mingoUtil.flatten(a, depth) : a)]
      : [a];
    return candidates.some(
      (v) => typeBracket(v) === bracket && test(compareValues(v, b)),
    );
  };
}

type LeafPredicate = (lhs: unknown, rhs: unknown, depth: number) => boolean;

function leafOperator(pred: LeafPredicate) {
  return (selector: string, value: unknown) => {
    const depth = selector.split('.').length - 1;
    return (obj: unknown) =>
      pred(
        mingoUtil.resolve(obj, selector, { unwrapArray: true }),
        value,
        depth,
      );
  };
}

const MINGO_QUERY_OPERATORS = require('mingo/operators/query') as Record<
  string,
  (
    selector: string,
    value: unknown,
    options: unknown,
  ) => (obj: unknown) => boolean
>;

/**
 * `$all` as MongoDB defines it: the `$and` of one equality (or `$elemMatch`) per listed value, so a
 * scalar field equal to the only value matches too, and documents compare field order included.
 */
export function allOperator(
  selector: string,
  value: unknown,
  options: unknown,
) {
  if (!Array.isArray(value)) throw badValue('$all needs an array');
  const depth = selector.split('.').length - 1;
  const tests = value.map((v): ((obj: unknown) => boolean) => {
    if (isPlainObject(v) && Object.keys(v)[0] === '$elemMatch')
      return MINGO_QUERY_OPERATORS['$elemMatch'](
        selector,
        v['$elemMatch'],
        options,
      );
    if (v instanceof RegExp)
      return (obj) => {
        const a = mingoUtil.resolve(obj, selector, { unwrapArray: true });
        return (Array.isArray(a) ? a : [a]).some(
          (x) => typeof x === 'string' && regexMatches(v, x),
        );
      };
    return (obj) =>
      eqPredicate(
        mingoUtil.resolve(obj, selector, { unwrapArray: true }),
        v,
        depth,
      );
  });
  return (obj: unknown) => tests.length > 0 && tests.every((t) => t(obj));
}

/**
 * `$elemMatch` as mingo evaluates it, except that the wrapper mingo builds for operator-only
 * criteria (`{field: element}`) is linked to the typed element, so `$type` inside it still tells
 * int64 from int32.
 */
export function elemMatchOperator(
  selector: string,
  criteria: unknown,
  options: unknown,
) {
  if (!isPlainObject(criteria)) throw badValue('$elemMatch needs an Object');
  const keys = Object.keys(criteria);
  if (keys.length === 0)
    return MINGO_QUERY_OPERATORS['$elemMatch'](selector, criteria, options);
  const wrap = keys.every(
    (k) => k.startsWith('$') && k !== '$and' && k !== '$or' && k !== '$nor',
  );
  const query = new Query(
    wrap ? { field: criteria } : criteria,
    options as Document,
  );
  return (obj: unknown) => {
    const a = mingoUtil.resolve(obj, selector, { unwrapArray: true });
    if (!Array.isArray(a) || a.length === 0) return false;
    const original = originalOf(a);
    const typed =
      original !== a && Array.isArray(original) && original.length === a.length
        ? original
        : undefined;
    for (let i = 0; i < a.length; i++) {
      if (!wrap) {
        if (query.test(a[i])) return true;
        continue;
      }
      const wrapper = { field: a[i] };
      if (typed) registerOriginal(wrapper, { field: typed[i] });
      if (query.test(wrapper)) return true;
    }
    return false;
  };
}

/** Values `$type` looks at: the value at the path and, for an array, each of its elements. */
function typeCandidates(doc: unknown, path: string): unknown[] {
  const parts = path.split('.');
  const out: unknown[] = [];
  const walk = (v: unknown, i: number): void => {
    if (i === parts.length) {
      if (v === undefined) return;
      out.push(v);
      if (Array.isArray(v)) out.push(...v);
      return;
    }
    if (Array.isArray(v)) {
      if (/^\d+$/.test(parts[i])) walk(v[Number(parts[i])], i + 1);
      for (const e of v) if (isPlainObject(e)) walk(e, i);
      return;
    }
    if (isPlainObject(v)) walk(v[parts[i]], i + 1);
  };
  walk(doc, 0);
  return out;
}

/** `$type` evaluated on the typed original of the document (the query view has lost int64 vs int32 …). */
export function typeOperator(selector: string, value: unknown) {
  const wanted = (Array.isArray(value) ? value : [value]).map((t) => {
    const alias = typeAlias(t);
    if (alias.error) throw badValue(alias.error);
    return alias.name as string;
  });
  if (wanted.length === 0) throw badValue('$type must match at least one type');
  return (obj: unknown) =>
    typeCandidates(originalOf(obj), selector).some((v) =>
      wanted.some((w) => isOfType(v, w)),
    );
}

type OperatorFactory = (
  selector: string,
  value: unknown,
) => (obj: unknown) => boolean;

/** `$eq` … `$lte` with BSON equality and order: in the mingo context and in compiled simple filters. */
export const COMPARISON_OPERATORS: Record<string, OperatorFactory> = {
  $eq: leafOperator(eqPredicate),
  $ne: leafOperator((a, b, d) => !eqPredicate(a, b, d)),
  $in: leafOperator(inPredicate),
  $nin: leafOperator((a, b, d) => !inPredicate(a, b, d)),
  $gt: leafOperator(rangePredicate((c) => c > 0)),
  $gte: leafOperator(rangePredicate((c) => c >= 0)),
  $lt: leafOperator(rangePredicate((c) => c < 0)),
  $lte: leafOperator(rangePredicate((c) => c <= 0)),
};
