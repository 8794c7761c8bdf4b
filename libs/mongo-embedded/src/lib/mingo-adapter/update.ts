import { Document } from 'bson';
import { describeValue } from '../bson-names';
import { typedArithmetic, zeroOfKind } from '../bson-numbers';
import { valuesEqual } from '../bson-order';
import { valueAtPath } from '../bson-paths';
import { cloneValue, idFirst, isPlainObject } from '../bson-values';
import {
  hasExoticNumbers,
  restoreNumberTypes,
  toQueryView,
} from './query-view';
import {
  badValue,
  conflictingUpdateOperators,
  failedToParse,
  immutableField,
  toServerError,
} from '../errors';
import {
  Aggregator,
  MINGO_BUILT_OPTIONS,
  MINGO_OPTIONS,
  mingoUpdate,
} from './context';
import { checkConflictingPaths, checkUpdateTypes } from './update-checks';

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
  // `$set` on plain paths is applied here as well: mingo's updater rebuilds its whole operator
  // context on every call, which was most of the cost of a typical `$set` + `$inc` update. The
  // checks above already refused what mongod refuses, and values keep their client's BSON types.
  const plainSets: Array<[string, unknown]> = [];
  if (isPlainObject(ops['$set'])) {
    const rest: Document = {};
    for (const [path, value] of Object.entries(ops['$set'] as Document)) {
      if (isPlainPath(path)) plainSets.push([path, value]);
      else rest[path] = value;
    }
    if (Object.keys(rest).length > 0) ops['$set'] = rest;
    else delete ops['$set'];
  }
  // And `$unset` of top-level fields (a dotted path may cross an array: mingo's rules apply there).
  const topLevelUnsets: string[] = [];
  if (isPlainObject(ops['$unset'])) {
    const rest: Document = {};
    for (const path of Object.keys(ops['$unset'] as Document)) {
      if (isPlainPath(path) && !path.includes('.')) topLevelUnsets.push(path);
      else rest[path] = (ops['$unset'] as Document)[path];
    }
    if (Object.keys(rest).length > 0) ops['$unset'] = rest;
    else delete ops['$unset'];
  }
  const updated = applyMingoOperators(doc, ops, opts);
  for (const path of topLevelUnsets) delete updated[path];
  for (const [path, value] of plainSets)
    setPathValue(updated, path, cloneValue(value));
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

const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** A dotted path without positional operators, empty segments or names that would reach a prototype. */
function isPlainPath(path: string): boolean {
  if (path.includes('$')) return false;
  return path
    .split('.')
    .every((part) => part.length > 0 && !UNSAFE_SEGMENTS.has(part));
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
    out = new Aggregator(pipeline, MINGO_BUILT_OPTIONS).run([
      input,
    ]) as Document[];
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
