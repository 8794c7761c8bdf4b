import { Document } from 'bson';
import type { Query as MingoQuery } from 'mingo';
import { bsonType, isPlainObject } from '../bson-values';
import { hasExoticNumbers, toQueryView, viewOf } from './query-view';
import { badValue, toServerError } from '../errors';
import { MINGO_BUILT_OPTIONS, MINGO_OPTIONS, Query } from './context';
import { COMPARISON_OPERATORS } from './query-operators';

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

/** Refuses, as mongod does (code 2), unsupported operators and malformed `$and` / `$or` / `$nor`. */
export function assertSupportedFilter(v: unknown): void {
  if (Array.isArray(v)) return v.forEach(assertSupportedFilter);
  if (!isPlainObject(v)) return;
  for (const k of Object.keys(v)) {
    if (k === '$comment') continue;
    if (UNSUPPORTED_QUERY_OPERATORS.has(k))
      throw badValue(`query operator ${k} is not supported by mongo-embedded`);
    if (k === '$expr') continue;
    if (k === '$and' || k === '$or' || k === '$nor') {
      const clauses = v[k];
      if (!Array.isArray(clauses) || clauses.length === 0)
        throw badValue('$and/$or/$nor must be a nonempty array');
      if (!clauses.every(isPlainObject))
        throw badValue('$or/$and/$nor entries need to be full objects');
    }
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

type DocumentTest = (obj: unknown) => boolean;

const MINGO_EXISTS = (
  require('mingo/operators/query') as Record<
    string,
    (selector: string, value: unknown, options: unknown) => DocumentTest
  >
)['$exists'];

/**
 * The operators a simple filter compiles directly: this server's comparisons, and mingo's own
 * `$exists` (the one the mingo context uses too; it reads no options), so `{_id: x, f: {$exists:
 * false}}` (a backfill's guarded update) does not build a mingo Query per statement.
 */
const SIMPLE_OPERATORS: Record<
  string,
  (field: string, v: unknown) => DocumentTest
> = {
  ...COMPARISON_OPERATORS,
  $exists: (field, v) => MINGO_EXISTS(field, v, MINGO_OPTIONS),
};

/**
 * Filters made only of field comparisons (`{a: v, b: {$lt: x}, c: {$in: [...]}}`, the bulk of what
 * an app sends), and `$and` / `$or` / `$nor` of such filters (a history page's cursor condition),
 * are compiled straight to the same predicates the mingo context uses, without building a mingo
 * Query (which copies its whole operator context each time and resolves every path through its
 * generic walkers). Anything else: undefined, and mingo compiles it.
 */
function compileSimpleFilter(filter: Document): DocumentTest | undefined {
  const tests: DocumentTest[] = [];
  for (const field of Object.keys(filter)) {
    const combine = LOGICAL_OPERATORS.get(field);
    if (combine) {
      const clauses = compileClauses(filter[field]);
      if (!clauses) return undefined;
      tests.push(combine(clauses));
      continue;
    }
    if (field.startsWith('$') || field.includes('__proto__') || field === '')
      return undefined;
    const cond = filter[field];
    if (cond instanceof RegExp || bsonType(cond) === 'BSONRegExp')
      return undefined;
    const ops = isPlainObject(cond) ? Object.keys(cond) : [];
    if (ops.length > 0 && ops.some((k) => k.startsWith('$'))) {
      for (const op of ops) {
        const make = Object.prototype.hasOwnProperty.call(SIMPLE_OPERATORS, op)
          ? SIMPLE_OPERATORS[op]
          : undefined;
        const v = cond[op];
        if (!make || v instanceof RegExp || bsonType(v) === 'BSONRegExp')
          return undefined;
        if ((op === '$in' || op === '$nin') && !Array.isArray(v))
          return undefined;
        tests.push(make(field, v));
      }
    } else tests.push(COMPARISON_OPERATORS['$eq'](field, cond));
  }
  return tests.length === 1 ? tests[0] : allOf(tests);
}

const allOf =
  (tests: DocumentTest[]): DocumentTest =>
  (doc) => {
    for (const t of tests) if (!t(doc)) return false;
    return true;
  };

const LOGICAL_OPERATORS = new Map<string, (c: DocumentTest[]) => DocumentTest>([
  ['$and', allOf],
  [
    '$or',
    (clauses) => (doc) => {
      for (const t of clauses) if (t(doc)) return true;
      return false;
    },
  ],
  [
    '$nor',
    (clauses) => (doc) => {
      for (const t of clauses) if (t(doc)) return false;
      return true;
    },
  ],
]);

/** The clauses of `$and` / `$or` / `$nor`, or undefined when one is not a simple filter (mingo compiles it). */
function compileClauses(value: unknown): DocumentTest[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const clauses: DocumentTest[] = [];
  for (const clause of value) {
    if (!isPlainObject(clause)) return undefined;
    const test = compileSimpleFilter(clause);
    if (!test) return undefined;
    clauses.push(test);
  }
  return clauses;
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
    query = new Query(view, MINGO_BUILT_OPTIONS);
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
