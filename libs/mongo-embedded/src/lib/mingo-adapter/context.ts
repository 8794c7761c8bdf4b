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

/** A compiled mingo query with this server's operators (also used for partial index filters). */
export function newQuery(filter: Document): MingoQuery {
  return new Query(filter, MINGO_OPTIONS);
}

export { Aggregator, mingoUpdate, Query };
