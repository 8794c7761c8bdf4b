import { Document } from 'bson';
import { Context } from 'mingo';
import type {
  Aggregator as MingoAggregator,
  Query as MingoQuery,
  update as mingoUpdateFn,
} from 'mingo';
import { groupStage, guardedArithmetic } from './aggregation-operators';
import {
  allOperator,
  COMPARISON_OPERATORS,
  elemMatchOperator,
  typeOperator,
} from './query-operators';

/*
 * Every query, update and aggregation semantic comes from mingo. This folder only keeps BSON types
 * intact around it (numbers mingo cannot compare are evaluated on a query view) and refuses what
 * mingo or this server do not support, naming it.
 */

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
const { computeValue } = require('mingo/core') as {
  computeValue: (
    obj: unknown,
    expr: unknown,
    operator: string | null,
    options: object,
  ) => unknown;
};

const MINGO_CONTEXT = (
  Context.init as (ops: Record<string, Record<string, unknown>>) => Context
)({
  accumulator: { ...require('mingo/operators/accumulator') },
  expression: guardedArithmetic(),
  pipeline: { ...require('mingo/operators/pipeline'), $group: groupStage },
  projection: { ...require('mingo/operators/projection') },
  query: {
    ...require('mingo/operators/query'),
    ...COMPARISON_OPERATORS,
    $type: typeOperator,
    $all: allOperator,
    $elemMatch: elemMatchOperator,
  },
  window: { ...require('mingo/operators/window') },
});

/** Options for every mingo call: this server's operators, no server-side JavaScript. */
export const MINGO_OPTIONS = {
  scriptEnabled: false,
  useStrictMode: true,
  context: MINGO_CONTEXT,
} as const;

/**
 * MINGO_OPTIONS as mingo's own options object (its ComputeOptions), for the queries and update
 * pipelines built per command. Given plain options, mingo copies every operator of their context
 * into a new one for each query or aggregation it builds (~25 µs, most of what building one costs);
 * options it built itself are reused as they are. Only for what never adds operators to the
 * context (a query, an update pipeline's stages): `$fill` and `$setWindowFields` do, and mingo's
 * updater spreads its options, so aggregations and update operators keep MINGO_OPTIONS.
 */
export const MINGO_BUILT_OPTIONS = builtByMingo(MINGO_OPTIONS);

/**
 * mingo does not export its ComputeOptions class: it is taken from the options an expression
 * operator receives, and builds the options from `options` once.
 */
function builtByMingo<T extends object>(options: T): T {
  let received: object | undefined;
  computeValue({}, { $receivedOptions: null }, null, {
    context: (
      Context.init as (ops: Record<string, Record<string, unknown>>) => Context
    )({
      expression: {
        $receivedOptions: (_obj: unknown, _expr: unknown, given: object) => {
          received = given;
          return null;
        },
      },
    }),
  });
  const built = (
    received?.constructor as { init?: (options: T) => T } | undefined
  )?.init?.(options);
  // The class must be the one mingo's Query checks for, or every query would run without this
  // server's operators: a query that needs one of them must still work.
  if (
    !built ||
    built === options ||
    !new Query({ a: { $gt: 1 } }, built).test({ a: 2 })
  ) {
    throw new Error('mingo no longer hands its options to operators');
  }
  return built;
}

/** A compiled mingo query with this server's operators (also used for partial index filters). */
export function newQuery(filter: Document): MingoQuery {
  return new Query(filter, MINGO_BUILT_OPTIONS);
}

export { Aggregator, mingoUpdate, Query };
