import { Document, ObjectId } from 'bson';
import { Context } from 'mingo';
import type {
  Aggregator as MingoAggregator,
  Query as MingoQuery,
  update as mingoUpdateFn,
} from 'mingo';
import {
  asNumericKind,
  bsonType,
  bsonTypeName,
  cloneValue,
  compareValues,
  decimalArithmetic,
  decimalDivideByInt,
  describeValue,
  hasExoticNumbers,
  isOfType,
  isPlainObject,
  numericKind,
  originalOf,
  registerOriginal,
  restoreNumberTypes,
  toNumber,
  toQueryView,
  typeAlias,
  typeBracket,
  typedArithmetic,
  valueAtPath,
  valuesAtPath,
  valuesEqual,
  viewOf,
  widerKind,
  zeroOfKind,
} from '../bson-values';
import {
  badValue,
  conflictingUpdateOperators,
  failedToParse,
  immutableField,
  MongoServerError,
  toServerError,
  typeMismatch,
} from '../errors';

/* eslint-disable @typescript-eslint/no-explicit-any */
// mingo's own entry point merges its default operators over any custom context (defaults win), so
// the base classes are used with a context built here, where MongoDB-faithful operators replace
// mingo's: order-sensitive document equality, `$type` on typed values and array elements, and a
// `$group` keeping exact numeric types of `$sum` / `$avg`.
const { Query } = require('mingo/query') as { Query: typeof MingoQuery };
const { Aggregator } = require('mingo/aggregator') as {
  Aggregator: typeof MingoAggregator;
};
const { update: mingoUpdate } = require('mingo/updater') as {
  update: typeof mingoUpdateFn;
};
const mingoCore = require('mingo/core') as {
  evalExpr(obj: unknown, expr: unknown, options: unknown): unknown;
};
const mingoUtil = require('mingo/util') as {
  resolve(
    obj: unknown,
    selector: string,
    opts?: { unwrapArray?: boolean },
  ): unknown;
  flatten(xs: unknown[], depth?: number): unknown[];
};
const { Lazy } = require('mingo/lazy') as { Lazy: (source: unknown) => any };

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
function allOperator(selector: string, value: unknown, options: unknown) {
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
function elemMatchOperator(
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
function typeOperator(selector: string, value: unknown) {
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

function guardedArithmetic(): Record<string, unknown> {
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
function groupStage(coll: any, expr: Document, options: any): any {
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
function restoreTypedFields(doc: Document): Document {
  const typed = TYPED_FIELDS.get(doc);
  if (!typed) return doc;
  for (const k of Object.keys(typed))
    if (typeof doc[k] === 'number' && doc[k] === toNumber(typed[k]))
      doc[k] = typed[k];
  return doc;
}

const MINGO_CONTEXT = (
  Context.init as (ops: Record<string, Record<string, unknown>>) => Context
)({
  accumulator: { ...require('mingo/operators/accumulator') },
  expression: guardedArithmetic(),
  pipeline: { ...require('mingo/operators/pipeline'), $group: groupStage },
  projection: { ...require('mingo/operators/projection') },
  query: {
    ...require('mingo/operators/query'),
    $eq: leafOperator(eqPredicate),
    $ne: leafOperator((a, b, d) => !eqPredicate(a, b, d)),
    $in: leafOperator(inPredicate),
    $nin: leafOperator((a, b, d) => !inPredicate(a, b, d)),
    $type: typeOperator,
    $all: allOperator,
    $elemMatch: elemMatchOperator,
    $gt: leafOperator(rangePredicate((c) => c > 0)),
    $gte: leafOperator(rangePredicate((c) => c >= 0)),
    $lt: leafOperator(rangePredicate((c) => c < 0)),
    $lte: leafOperator(rangePredicate((c) => c <= 0)),
  },
  window: { ...require('mingo/operators/window') },
});
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A compiled mingo query with this server's operators (also used for partial index filters). */
export function newQuery(filter: Document): MingoQuery {
  return new Query(filter, MINGO_OPTIONS);
}

const MINGO_OPTIONS = {
  scriptEnabled: false,
  useStrictMode: true,
  context: MINGO_CONTEXT,
} as const;

/**
 * Every query, update and aggregation semantic comes from mingo. This file only keeps BSON types
 * intact around it (numbers mingo cannot compare are evaluated on a query view) and refuses what
 * mingo or this server do not support, naming it.
 */

const UNSUPPORTED_QUERY_OPERATORS = new Set([
  '$text',
  '$near',
  '$nearSphere',
  '$geoWithin',
  '$geoIntersects',
  '$where',
  '$jsonSchema',
  '$comment',
]);

function assertSupportedFilter(v: unknown): void {
  if (Array.isArray(v)) return v.forEach(assertSupportedFilter);
  if (!isPlainObject(v)) return;
  for (const k of Object.keys(v)) {
    if (k === '$comment') continue;
    if (UNSUPPORTED_QUERY_OPERATORS.has(k))
      throw badValue(`query operator ${k} is not supported by mongo-embedded`);
    if (k === '$expr') continue;
    assertSupportedFilter(v[k]);
  }
}

function stripComment(filter: Document): Document {
  if (!('$comment' in filter)) return filter;
  const { $comment, ...rest } = filter;
  void $comment;
  return rest;
}

export interface DocumentMatcher {
  readonly empty: boolean;
  readonly filter: Document;
  test(doc: Document): boolean;
}

const SIMPLE_OPERATORS: Record<
  string,
  (selector: string, value: unknown) => (obj: unknown) => boolean
> = {
  $eq: leafOperator(eqPredicate),
  $ne: leafOperator((a, b, d) => !eqPredicate(a, b, d)),
  $in: leafOperator(inPredicate),
  $nin: leafOperator((a, b, d) => !inPredicate(a, b, d)),
  $gt: leafOperator(rangePredicate((c) => c > 0)),
  $gte: leafOperator(rangePredicate((c) => c >= 0)),
  $lt: leafOperator(rangePredicate((c) => c < 0)),
  $lte: leafOperator(rangePredicate((c) => c <= 0)),
};

/**
 * Filters made only of field comparisons (`{a: v, b: {$lt: x}, c: {$in: [...]}}`, the bulk of what
 * an app sends) are compiled straight to the same predicates the mingo context uses, without
 * building a mingo Query (which copies its whole operator context each time). Anything else:
 * undefined, and mingo compiles it.
 */
function compileSimpleFilter(
  filter: Document,
): ((doc: Document) => boolean) | undefined {
  const tests: Array<(obj: unknown) => boolean> = [];
  for (const field of Object.keys(filter)) {
    if (field.startsWith('$') || field.includes('__proto__') || field === '')
      return undefined;
    const cond = filter[field];
    if (cond instanceof RegExp || bsonType(cond) === 'BSONRegExp')
      return undefined;
    const ops = isPlainObject(cond) ? Object.keys(cond) : [];
    if (ops.length > 0 && ops.some((k) => k.startsWith('$'))) {
      for (const op of ops) {
        const make = SIMPLE_OPERATORS[op];
        const v = cond[op];
        if (!make || v instanceof RegExp || bsonType(v) === 'BSONRegExp')
          return undefined;
        if ((op === '$in' || op === '$nin') && !Array.isArray(v))
          return undefined;
        tests.push(make(field, v));
      }
    } else tests.push(SIMPLE_OPERATORS['$eq'](field, cond));
  }
  return (doc) => {
    for (const t of tests) if (!t(doc)) return false;
    return true;
  };
}

/** Compiles a filter once; fails at once (code 2) on an unknown or unsupported operator. */
export function compileFilter(
  rawFilter: Document | undefined | null,
): DocumentMatcher {
  const filter = stripComment(rawFilter ?? {});
  if (!isPlainObject(filter)) throw badValue('filter must be an object');
  if (Object.keys(filter).length === 0)
    return { empty: true, filter, test: () => true };
  assertSupportedFilter(filter);
  const view = hasExoticNumbers(filter) ? toQueryView(filter) : filter;
  const simple = compileSimpleFilter(view);
  if (simple)
    return { empty: false, filter, test: (doc) => simple(viewOf(doc)) };
  let query: MingoQuery;
  try {
    query = new Query(view, MINGO_OPTIONS);
  } catch (err) {
    throw toServerError(err);
  }
  return {
    empty: false,
    filter,
    test: (doc) => {
      try {
        return query.test(viewOf(doc));
      } catch (err) {
        throw toServerError(err);
      }
    },
  };
}

/** Sorts items by a sort spec with MongoDB's value order (arrays by their min / max element). */
export function sortBy<T>(
  items: T[],
  sort: Document,
  docOf: (item: T) => Document,
): T[] {
  const fields = Object.keys(sort).map((path) => {
    const spec = sort[path];
    if (isPlainObject(spec))
      throw badValue(
        `sort by ${JSON.stringify(spec)} ($meta) is not supported`,
      );
    const dir = Number(spec);
    if (dir !== 1 && dir !== -1)
      throw badValue(
        `$sort key ordering must be 1 (for ascending) or -1 (for descending)`,
      );
    return { path, dir };
  });
  if (fields.length === 0) return items;
  const keyOf = (doc: Document, path: string, dir: number): unknown => {
    const { values } = valuesAtPath(doc, path);
    if (values.length === 0) return null;
    if (values.length === 1) return values[0] === undefined ? null : values[0];
    let pick = values[0];
    for (const v of values) if (compareValues(v, pick) * dir < 0) pick = v;
    return pick;
  };
  const keyed = items.map((item, pos) => ({
    item,
    pos,
    keys: fields.map((f) => keyOf(docOf(item), f.path, f.dir)),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const c = compareValues(a.keys[i], b.keys[i]);
      if (c !== 0) return c * fields[i].dir;
    }
    return a.pos - b.pos;
  });
  return keyed.map((k) => k.item);
}

/** Applies a find projection. Plain inclusion / exclusion is done here; operators go to mingo. */
export function projectDocuments(
  docs: Document[],
  rawProjection: Document | undefined,
  filter: Document,
): Document[] {
  if (!rawProjection || Object.keys(rawProjection).length === 0) return docs;
  const projection = toQueryView(rawProjection);
  const keys = Object.keys(projection);
  const simple = keys.every(
    (k) =>
      !k.includes('$') &&
      (typeof projection[k] === 'number' || typeof projection[k] === 'boolean'),
  );
  if (!simple) {
    try {
      // Only a positional projection (`a.$`) needs the filter; the documents already matched it.
      const positional = keys.some((k) => k.endsWith('.$'));
      const q = new Query(positional ? toQueryView(filter) : {}, MINGO_OPTIONS);
      const input = docs.map((d) =>
        hasExoticNumbers(d) ? toQueryView(d) : cloneValue(d),
      );
      return q.find(input, projection).all() as Document[];
    } catch (err) {
      throw toServerError(err);
    }
  }
  const included = keys.filter((k) => k !== '_id' && Boolean(projection[k]));
  const excluded = keys.filter((k) => !projection[k]);
  const idExcluded = '_id' in projection && !projection['_id'];
  if (included.length > 0 && excluded.some((k) => k !== '_id'))
    throw badValue('Cannot do exclusion on field in inclusion projection');
  if (included.length > 0) {
    return docs.map((doc) => {
      const out: Document = {};
      if (!idExcluded && '_id' in doc) out['_id'] = doc['_id'];
      for (const path of included) copyPath(doc, out, path.split('.'));
      return out;
    });
  }
  return docs.map((doc) => {
    const out = cloneValue(doc);
    for (const path of excluded) removePath(out, path.split('.'));
    return out;
  });
}

function copyPath(src: unknown, dst: Document, parts: string[]): void {
  if (!isPlainObject(src) || !(parts[0] in src)) return;
  const v = src[parts[0]];
  if (parts.length === 1) {
    dst[parts[0]] = v;
    return;
  }
  if (Array.isArray(v)) {
    const arr = (
      Array.isArray(dst[parts[0]]) ? dst[parts[0]] : []
    ) as unknown[];
    v.forEach((e, i) => {
      if (isPlainObject(e)) {
        const target = (isPlainObject(arr[i]) ? arr[i] : {}) as Document;
        copyPath(e, target, parts.slice(1));
        arr[i] = target;
      }
    });
    dst[parts[0]] = arr.filter((e) => e !== undefined);
  } else if (isPlainObject(v)) {
    const target = (
      isPlainObject(dst[parts[0]]) ? dst[parts[0]] : {}
    ) as Document;
    copyPath(v, target, parts.slice(1));
    dst[parts[0]] = target;
  }
}

function removePath(doc: unknown, parts: string[]): void {
  if (Array.isArray(doc)) return doc.forEach((e) => removePath(e, parts));
  if (!isPlainObject(doc)) return;
  if (parts.length === 1) delete doc[parts[0]];
  else removePath(doc[parts[0]], parts.slice(1));
}

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$currentDate',
  '$bit',
  '$setOnInsert',
]);

const UPDATE_PIPELINE_STAGES = new Set([
  '$addFields',
  '$set',
  '$project',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
]);

export type UpdateSpec = Document | Document[];

export const isOperatorUpdate = (u: UpdateSpec) =>
  !Array.isArray(u) && Object.keys(u).some((k) => k.startsWith('$'));

/** Moves `_id` to the front, as mongod stores it. */
export function idFirst(doc: Document): Document {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !('_id' in doc)) return doc;
  const out: Document = { _id: doc['_id'] };
  for (const k of keys) if (k !== '_id') out[k] = doc[k];
  return out;
}

export interface UpdateOutcome {
  doc: Document;
  changed: boolean;
}

/**
 * Applies an update (operators, replacement or pipeline) to a copy of `doc`. `inserting` is set
 * for the document an upsert creates, where `$setOnInsert` applies.
 */
export function applyUpdate(
  doc: Document,
  updateSpec: UpdateSpec,
  opts: {
    filter?: Document;
    arrayFilters?: Document[];
    inserting?: boolean;
  } = {},
): UpdateOutcome {
  let next: Document;
  if (Array.isArray(updateSpec)) {
    next = applyPipelineUpdate(doc, updateSpec);
  } else if (!isOperatorUpdate(updateSpec)) {
    if (
      '_id' in updateSpec &&
      '_id' in doc &&
      !valuesEqual(updateSpec['_id'], doc['_id'])
    )
      throw immutableField(
        `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(updateSpec['_id'])}`,
      );
    next =
      '_id' in doc
        ? { _id: doc['_id'], ...cloneValue(updateSpec) }
        : cloneValue(updateSpec);
    next['_id'] = '_id' in doc ? doc['_id'] : next['_id'];
    if (next['_id'] === undefined) delete next['_id'];
  } else {
    next = applyOperatorUpdate(doc, updateSpec, opts);
  }
  if ('_id' in doc && !valuesEqual(next['_id'], doc['_id']))
    throw immutableField(
      "Performing an update on the path '_id' would modify the immutable field '_id'",
    );
  next = idFirst(next);
  return { doc: next, changed: !valuesEqual(next, doc) };
}

function applyOperatorUpdate(
  doc: Document,
  modifier: Document,
  opts: { filter?: Document; arrayFilters?: Document[]; inserting?: boolean },
): Document {
  const ops: Document = {};
  for (const op of Object.keys(modifier)) {
    if (!op.startsWith('$'))
      throw failedToParse(
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    if (!UPDATE_OPERATORS.has(op))
      throw badValue(
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    if (!isPlainObject(modifier[op]))
      throw failedToParse(
        `Modifiers operate on fields but we found type ${typeof modifier[op]} instead. For example: {$mod: {<field>: ...}} not {${op}: ${String(modifier[op])}}`,
      );
    if (op === '$setOnInsert') continue;
    ops[op] = modifier[op];
  }
  if (opts.inserting && isPlainObject(modifier['$setOnInsert'])) {
    const set: Document = { ...(ops['$set'] ?? {}) };
    for (const path of Object.keys(modifier['$setOnInsert'])) {
      if (path in set)
        throw conflictingUpdateOperators(
          `Updating the path '${path}' would create a conflict at '${path}'`,
        );
      set[path] = modifier['$setOnInsert'][path];
    }
    ops['$set'] = set;
  }
  dedupeAddToSetEach(ops);
  checkConflictingPaths(ops);
  checkUpdateTypes(doc, ops);
  // `$inc` / `$mul` on plain paths are computed here, exactly and with MongoDB's numeric types.
  const arithmetic: Array<{
    op: '$inc' | '$mul';
    path: string;
    operand: unknown;
  }> = [];
  for (const op of ['$inc', '$mul'] as const) {
    const spec = ops[op];
    if (!isPlainObject(spec)) continue;
    const rest: Document = {};
    for (const path of Object.keys(spec)) {
      if (path.includes('$')) rest[path] = spec[path];
      else arithmetic.push({ op, path, operand: spec[path] });
    }
    if (Object.keys(rest).length > 0) ops[op] = rest;
    else delete ops[op];
  }
  const updated = applyMingoOperators(doc, ops, opts);
  for (const { op, path, operand } of arithmetic) {
    const old = valueAtPath(doc, path);
    let value: unknown;
    if (old === undefined)
      value = op === '$inc' ? cloneValue(operand) : zeroOfKind(operand);
    else value = typedArithmetic(old, operand, op === '$inc' ? 'add' : 'mul');
    if (value === undefined)
      throw badValue(
        `Failed to apply ${op} operations to current value (${describeValue(old)}) for document {_id: ${describeValue(doc['_id'])}}`,
      );
    setPathValue(updated, path, value);
  }
  return updated;
}

function applyMingoOperators(
  doc: Document,
  ops: Document,
  opts: { filter?: Document; arrayFilters?: Document[]; inserting?: boolean },
): Document {
  if (Object.keys(ops).length === 0) return cloneValue(doc);
  const exotic = hasExoticNumbers(doc) || hasExoticNumbers(ops);
  const target = exotic ? toQueryView(doc) : cloneValue(doc);
  try {
    mingoUpdate(
      target,
      exotic ? toQueryView(ops) : ops,
      opts.arrayFilters ? toQueryView(opts.arrayFilters) : undefined,
      // Only the positional `$` needs the filter (the document already matched it).
      opts.filter && Object.keys(opts.filter).length > 0 && usesPositional(ops)
        ? toQueryView(opts.filter)
        : undefined,
      { queryOptions: MINGO_OPTIONS },
    );
  } catch (err) {
    throw toServerError(err);
  }
  const result = exotic
    ? (restoreNumberTypes(target, doc) as Document)
    : target;
  if (!exotic) return result;
  const restored = result;
  // Values written by $set keep the client's BSON types (int64 stays int64).
  for (const op of ['$set']) {
    const spec = ops[op];
    if (!isPlainObject(spec)) continue;
    for (const path of Object.keys(spec)) {
      if (
        hasExoticNumbers(spec[path]) &&
        !path.includes('$') &&
        valueAtPath(restored, path) !== undefined
      )
        setExisting(restored, path, spec[path]);
    }
  }
  return restored;
}

function setExisting(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    target = Array.isArray(target)
      ? target[Number(parts[i])]
      : (target as Document)[parts[i]];
    if (target === null || typeof target !== 'object') return;
  }
  (target as Document)[parts[parts.length - 1]] = cloneValue(value);
}

function usesPositional(ops: Document): boolean {
  return Object.keys(ops).some(
    (op) =>
      isPlainObject(ops[op]) &&
      Object.keys(ops[op]).some((p) => /(^|\.)\$(\.|$)/.test(p)),
  );
}

/** Sets a dotted path on an update result, creating missing documents (and padding arrays with null). */
function setPathValue(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: unknown = doc;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    if (Array.isArray(target)) {
      const idx = Number(part);
      while (target.length < idx) target.push(null);
      if (last) target[idx] = value;
      else {
        if (target[idx] === undefined || target[idx] === null) target[idx] = {};
        target = target[idx];
      }
    } else {
      const obj = target as Document;
      if (last) obj[part] = value;
      else {
        if (obj[part] === undefined || obj[part] === null) obj[part] = {};
        target = obj[part];
      }
    }
  }
}

/** Operators that create their path when it is missing (a scalar on the way makes it not viable). */
const CREATING_OPERATORS = new Set([
  '$set',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$push',
  '$addToSet',
  '$currentDate',
  '$bit',
]);

const pathNotViable = (msg: string) =>
  new MongoServerError(28, 'PathNotViable', msg);

/**
 * mongod refuses an update whose operator does not fit the value it meets (`$inc` on a string,
 * `$push` on a non-array, a field created inside a scalar) and then applies none of the update.
 * mingo skips such an operator silently, so these are checked before anything is applied.
 */
function checkUpdateTypes(doc: Document, ops: Document): void {
  const idText = `{_id: ${describeValue(doc['_id'])}}`;
  for (const op of Object.keys(ops)) {
    const spec = ops[op];
    if (!isPlainObject(spec)) continue;
    for (const path of Object.keys(spec)) {
      const operand = spec[path];
      if (
        (op === '$inc' || op === '$mul') &&
        numericKind(operand) === undefined
      )
        throw typeMismatch(
          `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${describeValue(operand)}}`,
        );
      if (path.includes('$')) continue;
      const parts = path.split('.');
      let cur: unknown = doc;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        let next: unknown;
        if (Array.isArray(cur) && /^\d+$/.test(part)) next = cur[Number(part)];
        else if (isPlainObject(cur)) next = cur[part];
        else {
          if (CREATING_OPERATORS.has(op))
            throw pathNotViable(
              `Cannot create field '${part}' in element {${parts[i - 1]}: ${describeValue(cur)}}`,
            );
          break;
        }
        if (next === undefined) break;
        if (i === parts.length - 1) checkLeafType(op, path, part, next, idText);
        cur = next;
      }
    }
  }
}

function checkLeafType(
  op: string,
  path: string,
  field: string,
  value: unknown,
  idText: string,
): void {
  const type = bsonTypeName(value);
  switch (op) {
    case '$inc':
    case '$mul':
      if (numericKind(value) === undefined)
        throw typeMismatch(
          `Cannot apply ${op} to a value of non-numeric type. ${idText} has the field '${field}' of non-numeric type ${type}`,
        );
      return;
    case '$push':
      if (!Array.isArray(value))
        throw badValue(
          `The field '${path}' must be an array but is of type ${type} in document ${idText}`,
        );
      return;
    case '$addToSet':
      if (!Array.isArray(value))
        throw badValue(
          `Cannot apply $addToSet to non-array field. Field named '${field}' has non-array type ${type}`,
        );
      return;
    case '$pull':
    case '$pullAll':
      if (!Array.isArray(value))
        throw badValue(`Cannot apply ${op} to a non-array value`);
      return;
    case '$pop':
      if (!Array.isArray(value))
        throw typeMismatch(
          `Path '${path}' contains an element of non-array type '${type}'`,
        );
      return;
  }
}

/** `$addToSet: {f: {$each: [x, y, x]}}` adds each distinct value once (mingo would add `x` twice). */
function dedupeAddToSetEach(ops: Document): void {
  const spec = ops['$addToSet'];
  if (!isPlainObject(spec)) return;
  const out: Document = {};
  for (const path of Object.keys(spec)) {
    const v = spec[path];
    if (isPlainObject(v) && Array.isArray(v['$each'])) {
      const each = (v['$each'] as unknown[]).filter(
        (x, i, all) => all.findIndex((y) => valuesEqual(x, y)) === i,
      );
      out[path] = { ...v, $each: each };
    } else out[path] = v;
  }
  ops['$addToSet'] = out;
}

/** mongod refuses two operators touching the same path or a path and its prefix (code 40). */
function checkConflictingPaths(ops: Document): void {
  const seen: string[] = [];
  for (const op of Object.keys(ops)) {
    const paths = Object.keys(ops[op]);
    if (op === '$rename')
      for (const p of paths)
        if (typeof ops[op][p] === 'string') paths.push(ops[op][p]);
    for (const p of paths) {
      const norm = p.replace(/\.\$(\[[^\]]*\])?/g, '');
      for (const s of seen) {
        if (s === norm || s.startsWith(norm + '.') || norm.startsWith(s + '.'))
          throw conflictingUpdateOperators(
            `Updating the path '${p}' would create a conflict at '${s}'`,
          );
      }
      seen.push(norm);
    }
  }
}

function applyPipelineUpdate(doc: Document, pipeline: Document[]): Document {
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0];
    if (!UPDATE_PIPELINE_STAGES.has(name))
      throw badValue(`${name} is not allowed to be used within an update`);
  }
  const exotic = hasExoticNumbers(doc);
  const input = exotic ? toQueryView(doc) : cloneValue(doc);
  let out: Document[];
  try {
    out = new Aggregator(pipeline, MINGO_OPTIONS).run([input]) as Document[];
  } catch (err) {
    throw toServerError(err);
  }
  const result = out[0] ?? {};
  return exotic ? (restoreNumberTypes(result, doc) as Document) : result;
}

/** The document an upsert starts from: the filter's equality fields (top level and `$and`). */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  const visit = (f: Document) => {
    for (const k of Object.keys(f)) {
      const v = f[k];
      if (k === '$and' && Array.isArray(v)) {
        v.forEach((sub) => isPlainObject(sub) && visit(sub));
        continue;
      }
      if (k.startsWith('$')) continue;
      let value: unknown;
      if (isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) {
        if (!('$eq' in v)) continue;
        value = v['$eq'];
      } else value = v;
      if (value instanceof RegExp) continue;
      const parts = k.split('.');
      let target = seed;
      for (let i = 0; i < parts.length - 1; i++) {
        if (!isPlainObject(target[parts[i]])) target[parts[i]] = {};
        target = target[parts[i]];
      }
      target[parts[parts.length - 1]] = cloneValue(value);
    }
  };
  visit(filter);
  return seed;
}

export function newObjectId(): ObjectId {
  return new ObjectId();
}

const SUPPORTED_STAGES = new Set([
  '$match',
  '$group',
  '$sort',
  '$skip',
  '$limit',
  '$project',
  '$lookup',
  '$unwind',
  '$count',
  '$addFields',
  '$set',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
  '$facet',
  '$bucket',
  '$bucketAuto',
  '$sortByCount',
  '$sample',
  '$unionWith',
  '$graphLookup',
  '$redact',
  '$setWindowFields',
  '$densify',
  '$fill',
  '$documents',
]);

export function assertSupportedPipeline(
  pipeline: unknown,
): asserts pipeline is Document[] {
  if (!Array.isArray(pipeline)) throw typeMismatchPipeline();
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1)
      throw badValue(
        'A pipeline stage specification object must contain exactly one field.',
      );
    const name = Object.keys(stage)[0];
    if (!SUPPORTED_STAGES.has(name))
      throw badValue(`Unrecognized pipeline stage name: '${name}'`);
    if (name === '$match') {
      assertSupportedFilter(stage[name]);
    }
    if (name === '$facet' && isPlainObject(stage[name]))
      for (const sub of Object.values(stage[name]))
        assertSupportedPipeline(sub);
    if (name === '$lookup' && Array.isArray(stage[name]?.pipeline))
      assertSupportedPipeline(stage[name].pipeline);
    if (name === '$unionWith' && Array.isArray(stage[name]?.pipeline))
      assertSupportedPipeline(stage[name].pipeline);
  }
}

function typeMismatchPipeline() {
  return badValue("'pipeline' option must be specified as an array");
}

/** Runs an aggregation pipeline on already-copied input documents. */
export function runPipeline(
  input: Document[],
  rawPipeline: Document[],
  resolveCollection: (name: string) => Document[],
): Document[] {
  const pipeline = rawPipeline.flatMap(expandStage);
  const exotic = input.some(hasExoticNumbers) || hasExoticNumbers(pipeline);
  try {
    const agg = new Aggregator(exotic ? toQueryView(pipeline) : pipeline, {
      ...MINGO_OPTIONS,
      collectionResolver: (name: string) => {
        const docs = resolveCollection(name);
        return exotic ? docs.map(toQueryView) : docs;
      },
    });
    // mongod emits `_id` first (mingo appends computed fields before it).
    return (agg.run(exotic ? input.map(toQueryView) : input) as Document[]).map(
      (d) => idFirst(restoreTypedFields(d)),
    );
  } catch (err) {
    throw toServerError(err);
  }
}

/** `$count` as mongod defines it (a `$group` and a `$project`), so an empty input gives no document. */
function expandStage(stage: Document): Document[] {
  if (typeof stage['$count'] === 'string') {
    const field = stage['$count'];
    return [
      { $group: { _id: null, [field]: { $sum: 1 } } },
      { $project: { _id: 0 } },
    ];
  }
  return [stage];
}
