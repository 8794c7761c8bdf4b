import type { Document } from 'bson';
import { isOfType, typeAlias } from './bson-names';
import {
  BracketBound,
  compareValues,
  MAX_BOUND,
  MIN_BOUND,
  typeBracket,
  valuesEqual,
} from './bson-order';
import { isPlainObject } from './bson-values';
import type { OrderedIndex } from './ordered-index';

/**
 * Chooses an index for a filter and sort. A plan only narrows the candidates: every candidate is
 * still tested against the full filter, so a plan must return a superset of the matches.
 */
export interface IndexPlan {
  index: OrderedIndex;
  intervals: Array<[unknown[], unknown[]]>;
  reverse: boolean;
  /** Scanning the intervals in order yields documents already in the requested sort order. */
  providesSort: boolean;
}

type FieldPredicate =
  | { eq: unknown[]; nullish?: true }
  | { lo?: unknown; hi?: unknown };

/**
 * `{f: null}`, `{f: {$eq: null}}` and `{f: {$exists: false}}` on a top-level field: every document
 * they match has the key null in a non-sparse index on `f` (a missing field, null and undefined are
 * indexed as null, and an array holding null has a null entry), so the point interval [null, null]
 * holds all of them (the filter is still tested on each). Not on dotted paths: an array of
 * sub-documents of which only some lack the field matches `{'a.b': null}` without a null key here.
 */
const NULLISH: FieldPredicate = { eq: [null], nullish: true };

function isNullish(path: string, cond: unknown): boolean {
  if (path.includes('.')) return false;
  if (cond === null) return true;
  if (!isPlainObject(cond)) return false;
  const ops = Object.keys(cond);
  if (ops.length !== 1) return false;
  if (ops[0] === '$eq') return cond['$eq'] === null;
  if (ops[0] === '$exists') {
    const v = cond['$exists'];
    return v === false || v === 0;
  }
  return false;
}

const MAX_INTERVALS = 500;

/** A value an equality lookup can find through the index (not null, regex, array or sub-document). */
function isPointValue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (v instanceof RegExp || Array.isArray(v) || isPlainObject(v)) return false;
  const b = typeBracket(v);
  return b !== 12 && b !== 1 && b !== 13;
}

/** Field predicates an index can serve, from the filter's top level, its `$and` and its `$or`. */
export function extractPredicates(
  filter: Document,
  out = new Map<string, FieldPredicate>(),
): Map<string, FieldPredicate> {
  for (const key of Object.keys(filter)) {
    const cond = filter[key];
    if (key === '$and' && Array.isArray(cond)) {
      for (const sub of cond)
        if (isPlainObject(sub)) extractPredicates(sub, out);
      continue;
    }
    if (key === '$or' && Array.isArray(cond)) {
      addBranchUnion(cond, out);
      continue;
    }
    if (key.startsWith('$') || out.has(key)) continue;
    if (isNullish(key, cond)) {
      out.set(key, NULLISH);
      continue;
    }
    const isOperatorObject =
      isPlainObject(cond) && Object.keys(cond).some((k) => k.startsWith('$'));
    if (!isOperatorObject) {
      if (isPointValue(cond)) out.set(key, { eq: [cond] });
      continue;
    }
    const ops = cond as Document;
    if ('$eq' in ops && isPointValue(ops['$eq'])) {
      out.set(key, { eq: [ops['$eq']] });
      continue;
    }
    if (
      Array.isArray(ops['$in']) &&
      ops['$in'].length > 0 &&
      ops['$in'].every(isPointValue)
    ) {
      out.set(key, { eq: ops['$in'] });
      continue;
    }
    const lo = ops['$gt'] ?? ops['$gte'];
    const hi = ops['$lt'] ?? ops['$lte'];
    const range: { lo?: unknown; hi?: unknown } = {};
    if (lo !== undefined && isPointValue(lo)) range.lo = lo;
    if (hi !== undefined && isPointValue(hi)) range.hi = hi;
    if (range.lo !== undefined || range.hi !== undefined) out.set(key, range);
  }
  return out;
}

/**
 * A field that every `$or` branch constrains, as one range covering all the branches, so a history
 * page's cursor (`createdAt < t`, or `createdAt = t` and `_id < id`) scans from `t` instead of from
 * the newest document. Only when all the bounds are in one type bracket.
 */
function addBranchUnion(
  branches: unknown[],
  out: Map<string, FieldPredicate>,
): void {
  if (branches.length === 0 || !branches.every(isPlainObject)) return;
  const perBranch = branches.map((b) => extractPredicates(b as Document));
  for (const field of perBranch[0].keys()) {
    if (out.has(field)) continue;
    const preds = perBranch.map((p) => p.get(field));
    const lows: unknown[] = [];
    const highs: unknown[] = [];
    for (const p of preds) {
      if (!p) break;
      if ('eq' in p) {
        lows.push(extreme(p.eq, -1));
        highs.push(extreme(p.eq, 1));
      } else {
        lows.push(p.lo);
        highs.push(p.hi);
      }
    }
    if (lows.length !== branches.length) continue;
    const range: { lo?: unknown; hi?: unknown } = {};
    if (lows.every((v) => v !== undefined)) range.lo = extreme(lows, -1);
    if (highs.every((v) => v !== undefined)) range.hi = extreme(highs, 1);
    const bounds = [...lows, ...highs].filter((v) => v !== undefined);
    const bracket = typeBracket(bounds[0]);
    if (bounds.some((v) => typeBracket(v) !== bracket)) continue;
    if (range.lo !== undefined || range.hi !== undefined) out.set(field, range);
  }
}

/** The smallest (-1) or largest (1) of values in MongoDB's order. */
function extreme(values: unknown[], direction: 1 | -1): unknown {
  return values.reduce((a, b) => (compareValues(b, a) * direction > 0 ? b : a));
}

/** Whether every document matching the filter is guaranteed to be in a sparse or partial index. */
function indexCoversFilter(
  index: OrderedIndex,
  filter: Document,
  preds: Map<string, FieldPredicate>,
): boolean {
  if (index.partial) {
    const pfe = index.spec.partialFilterExpression as Document;
    for (const k of Object.keys(pfe)) {
      const want = pfe[k];
      const have = filter[k];
      if (have !== undefined && valuesEqual(have, want)) continue;
      // `{$exists: true}` is implied by any non-null equality or range on the field.
      const impliedByPresence =
        isPlainObject(want) &&
        Object.keys(want).length === 1 &&
        want['$exists'] === true;
      if (impliedByPresence && isPresence(preds.get(k))) continue;
      // `{$type: T}` is implied by an equality / `$in` whose values are all of type T.
      const p = preds.get(k);
      if (
        isPlainObject(want) &&
        Object.keys(want).length === 1 &&
        p &&
        'eq' in p
      ) {
        const alias = typeAlias(want['$type']);
        if (alias.name && p.eq.every((v) => isOfType(v, alias.name as string)))
          continue;
      }
      return false;
    }
  }
  if (index.sparse)
    return index.fields.some((f) => isPresence(preds.get(f.path)));
  return true;
}

/** A predicate only documents holding the field can match (not the null / missing lookup). */
function isPresence(p: FieldPredicate | undefined): boolean {
  return p !== undefined && !('nullish' in p && p.nullish);
}

export function planQuery(
  indexes: Iterable<OrderedIndex>,
  filter: Document,
  sort: Document | undefined,
): IndexPlan | undefined {
  const preds = extractPredicates(filter);
  const sortFields = sort
    ? Object.keys(sort).map((path) => ({
        path,
        dir: Number(sort[path]) < 0 ? -1 : 1,
      }))
    : [];
  if (sortFields.some((f) => typeof sort?.[f.path] === 'object'))
    sortFields.length = 0; // $meta sorts
  let best: { plan: IndexPlan; score: number } | undefined;

  for (const index of indexes) {
    if (!indexCoversFilter(index, filter, preds)) continue;
    let starts: unknown[][] = [[]];
    let ends: unknown[][] = [[]];
    let eqCount = 0;
    let score = 0;
    let i = 0;
    for (; i < index.fields.length; i++) {
      const f = index.fields[i];
      const p = preds.get(f.path);
      if (!p) break;
      if ('eq' in p) {
        if (starts.length * p.eq.length > MAX_INTERVALS) break;
        const sortedPoints = [...p.eq];
        starts = starts.flatMap((s) => sortedPoints.map((v) => [...s, v]));
        ends = ends.flatMap((e) => sortedPoints.map((v) => [...e, v]));
        eqCount++;
        score += 2;
        continue;
      }
      const lo = p.lo;
      let hi = p.hi;
      if (index.multikey && lo !== undefined && hi !== undefined)
        hi = undefined;
      const loBound =
        lo !== undefined ? lo : new BracketBound(typeBracket(hi), false);
      const hiBound =
        hi !== undefined ? hi : new BracketBound(typeBracket(lo), true);
      const first = f.dir === 1 ? loBound : hiBound;
      const last = f.dir === 1 ? hiBound : loBound;
      starts = starts.map((s) => [...s, first]);
      ends = ends.map((e) => [...e, last]);
      score += 1;
      i++;
      break;
    }
    for (; i < index.fields.length; i++) {
      const dir = index.fields[i].dir;
      starts = starts.map((s) => [...s, dir === 1 ? MIN_BOUND : MAX_BOUND]);
      ends = ends.map((e) => [...e, dir === 1 ? MAX_BOUND : MIN_BOUND]);
    }
    // Does the scan order give the requested sort?
    let providesSort = false;
    let reverse = false;
    if (sortFields.length > 0 && !index.multikey && starts.length === 1) {
      const singlePointFields = new Set(
        index.fields.slice(0, eqCount).map((f) => f.path),
      );
      const remaining = sortFields.filter(
        (s) => !singlePointFields.has(s.path),
      );
      let ratio = 0;
      providesSort = true;
      remaining.forEach((s, k) => {
        const f = index.fields[eqCount + k];
        if (!f || f.path !== s.path) {
          providesSort = false;
          return;
        }
        const r = f.dir === s.dir ? 1 : -1;
        if (ratio === 0) ratio = r;
        else if (ratio !== r) providesSort = false;
      });
      reverse = ratio === -1;
    }
    if (score === 0 && !providesSort) continue;
    if (score === 0 && (index.sparse || index.partial)) continue;
    const total = score + (providesSort ? 1.5 : 0) - index.fields.length * 0.01;
    if (!best || total > best.score) {
      const intervals = starts.map(
        (s, k) => [s, ends[k]] as [unknown[], unknown[]],
      );
      if (reverse) intervals.reverse();
      best = {
        plan: { index, intervals, reverse, providesSort },
        score: total,
      };
    }
  }
  return best?.plan;
}
