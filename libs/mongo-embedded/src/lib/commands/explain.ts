import { Document } from 'bson';
import { numberArg } from '../bson-numbers';
import { isPlainObject } from '../bson-values';
import { Catalog } from '../catalog';
import type { MatchedRecord, SelectOptions } from '../collection';
import { badValue } from '../errors';
import { compileFilter } from '../mingo-adapter/filters';
import { CommandContext, commandName } from './command-handler';
import { SERVER_VERSION } from './handshake';

/** `explain` of find / count / aggregate: the chosen plan and how many documents it examined. */
export function explain(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const inner = cmd['explain'];
  if (!isPlainObject(inner))
    throw badValue('explain requires a command document');
  const innerName = commandName(inner);
  const collName = inner[innerName];
  const coll =
    typeof collName === 'string' ? catalog.get(ctx.db, collName) : undefined;
  let filter: Document = {};
  const opts: SelectOptions = {};
  if (innerName === 'find') {
    filter = inner['filter'] ?? {};
    opts.sort = inner['sort'];
    opts.skip = numberArg(inner['skip']);
    opts.limit = Math.abs(numberArg(inner['limit']));
  } else if (innerName === 'count' || innerName === 'distinct') {
    filter = inner['query'] ?? {};
  } else if (
    innerName === 'aggregate' &&
    Array.isArray(inner['pipeline']) &&
    inner['pipeline'][0]?.['$match']
  ) {
    filter = inner['pipeline'][0]['$match'];
    if (inner['pipeline'][1]?.['$sort'])
      opts.sort = inner['pipeline'][1]['$sort'];
  } else if (innerName === 'update' || innerName === 'delete') {
    const stmt =
      (inner[innerName === 'update' ? 'updates' : 'deletes'] ?? [])[0] ?? {};
    filter = stmt['q'] ?? {};
  } else if (innerName === 'findAndModify') {
    filter = inner['query'] ?? {};
    opts.sort = inner['sort'];
  } else
    throw badValue(
      `explain of ${innerName} is not supported by mongo-embedded`,
    );
  const matcher = compileFilter(filter);
  const stats = {
    docsExamined: 0,
    keysExamined: 0,
    indexName: undefined as string | undefined,
    sortInMemory: false,
  };
  let found: MatchedRecord[] = [];
  if (coll) found = coll.select(matcher, { ...opts, stats });
  const inputStage = stats.indexName
    ? {
        stage: 'IXSCAN',
        indexName: stats.indexName,
        keyPattern: coll?.indexSpecs().find((s) => s.name === stats.indexName)
          ?.key,
      }
    : { stage: 'COLLSCAN' };
  const fetch = stats.indexName ? { stage: 'FETCH', inputStage } : inputStage;
  const winningPlan = stats.sortInMemory
    ? { stage: 'SORT', inputStage: fetch }
    : fetch;
  return {
    queryPlanner: {
      namespace: `${ctx.db}.${collName}`,
      parsedQuery: filter,
      winningPlan,
      rejectedPlans: [],
    },
    executionStats: {
      executionSuccess: true,
      nReturned: found.length,
      totalKeysExamined: stats.keysExamined,
      totalDocsExamined: stats.docsExamined,
      executionStages: winningPlan,
    },
    serverInfo: { host: 'localhost', version: SERVER_VERSION },
    ok: 1,
  };
}
