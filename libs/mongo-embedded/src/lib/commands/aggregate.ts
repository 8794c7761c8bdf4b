import { Document } from 'bson';
import { numberArg } from '../bson-numbers';
import { compareValues, EMPTY_ARRAY_KEY } from '../bson-order';
import { valuesAtPath } from '../bson-paths';
import { cloneValue, isPlainObject } from '../bson-values';
import { Catalog } from '../catalog';
import type { Collection, SelectOptions } from '../collection';
import { CursorManager } from '../cursor-manager';
import { badValue, failedToParse, typeMismatch } from '../errors';
import { compileFilter, DocumentMatcher } from '../mingo-adapter/filters';
import {
  assertSupportedPipeline,
  runPipeline,
} from '../mingo-adapter/pipeline';
import {
  assertHintExists,
  collectionName,
  CommandContext,
  CommandHandlers,
} from './command-handler';
import { explain } from './explain';

/** aggregate, count and distinct: the commands that compute over a collection's documents. */
export function aggregateCommands(
  catalog: Catalog,
  cursors: CursorManager,
): CommandHandlers {
  return {
    aggregate: (c, ctx) => aggregate(catalog, cursors, c, ctx),
    count: (c, ctx) => count(catalog, c, ctx),
    distinct: (c, ctx) => distinct(catalog, c, ctx),
  };
}

function aggregate(
  catalog: Catalog,
  cursors: CursorManager,
  cmd: Document,
  ctx: CommandContext,
): Document {
  if (cmd['explain']) {
    const { explain: explainFlag, ...inner } = cmd;
    void explainFlag;
    return explain(catalog, { explain: inner }, ctx);
  }
  const target = cmd['aggregate'];
  const pipeline = cmd['pipeline'];
  assertSupportedPipeline(pipeline);
  if (!isPlainObject(cmd['cursor']))
    throw failedToParse(
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  const isCollection = typeof target === 'string';
  const coll = isCollection ? catalog.get(ctx.db, target) : undefined;
  assertHintExists(coll, cmd['hint']);
  const { input, rest } = isCollection
    ? pipelineSource(coll, pipeline)
    : { input: [], rest: pipeline };
  const docs =
    rest.length === 0 ? input : runRest(catalog, input, rest, ctx.db);
  const batchSize =
    cmd['cursor']?.['batchSize'] !== undefined
      ? numberArg(cmd['cursor']['batchSize'])
      : undefined;
  const ns = isCollection ? `${ctx.db}.${target}` : `${ctx.db}.$cmd.aggregate`;
  return cursors.open(ns, docs, batchSize);
}

/**
 * Serves the pipeline's leading `$match` / `$sort` / `$skip` / `$limit` from the collection (so
 * indexes apply) and returns the stages left for mingo.
 */
function pipelineSource(
  coll: Collection | undefined,
  pipeline: Document[],
): { input: Document[]; rest: Document[] } {
  let i = 0;
  let matcher: DocumentMatcher = compileFilter({});
  const opts: SelectOptions = {};
  if (pipeline[i]?.['$match']) matcher = compileFilter(pipeline[i++]['$match']);
  if (pipeline[i]?.['$sort'] && isPlainObject(pipeline[i]['$sort']))
    opts.sort = pipeline[i++]['$sort'];
  if (pipeline[i]?.['$skip'] !== undefined)
    opts.skip = numberArg(pipeline[i++]['$skip']);
  if (pipeline[i]?.['$limit'] !== undefined)
    opts.limit = numberArg(pipeline[i++]['$limit']);
  if (opts.limit !== undefined && opts.limit <= 0)
    throw badValue('the limit must be positive');
  const input = coll ? coll.select(matcher, opts).map((r) => r.doc) : [];
  return { input, rest: pipeline.slice(i) };
}

function runRest(
  catalog: Catalog,
  input: Document[],
  rest: Document[],
  db: string,
): Document[] {
  const counted = countShortcut(input, rest);
  if (counted) return counted;
  return runPipeline(input.map(cloneValue), rest, (name) =>
    (catalog.get(db, name)?.allDocuments() ?? []).map(cloneValue),
  );
}

function count(catalog: Catalog, cmd: Document, ctx: CommandContext): Document {
  const name = collectionName(cmd, 'count');
  const coll = catalog.get(ctx.db, name);
  const query = cmd['query'];
  const skip = numberArg(cmd['skip']);
  const limit = Math.abs(numberArg(cmd['limit']));
  assertHintExists(coll, cmd['hint']);
  if (!coll) return { n: 0, ok: 1 };
  let n: number;
  if (!query || Object.keys(query).length === 0) n = coll.count;
  else n = coll.select(compileFilter(query)).length;
  n = Math.max(0, n - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
}

function distinct(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const name = collectionName(cmd, 'distinct');
  const key = cmd['key'];
  if (typeof key !== 'string')
    throw typeMismatch(
      "BSON field 'distinct.key' is the wrong type, expected type 'string'",
    );
  const coll = catalog.get(ctx.db, name);
  const matcher = compileFilter(cmd['query']);
  const values: unknown[] = [];
  for (const rec of coll ? coll.select(matcher) : []) {
    for (const v of valuesAtPath(rec.doc, key).values)
      if (v !== undefined && v !== EMPTY_ARRAY_KEY) values.push(v);
  }
  values.sort(compareValues);
  const unique = values.filter(
    (v, i) => i === 0 || compareValues(v, values[i - 1]) !== 0,
  );
  return { values: unique, ok: 1 };
}

/** The `countDocuments` shape `{$group: {_id: <constant>, n: {$sum: 1}}}` answered without copying documents. */
function countShortcut(
  input: Document[],
  rest: Document[],
): Document[] | undefined {
  if (rest.length !== 1 || !isPlainObject(rest[0]['$group'])) return undefined;
  const group = rest[0]['$group'];
  const id = group['_id'];
  if (typeof id === 'string' && id.startsWith('$')) return undefined;
  if (isPlainObject(id) || Array.isArray(id)) return undefined;
  const fields = Object.keys(group).filter((k) => k !== '_id');
  if (
    !fields.every(
      (f) =>
        isPlainObject(group[f]) &&
        Object.keys(group[f]).length === 1 &&
        group[f]['$sum'] === 1,
    )
  )
    return undefined;
  if (input.length === 0) return [];
  const out: Document = { _id: id === undefined ? null : id };
  for (const f of fields) out[f] = input.length;
  return [out];
}
