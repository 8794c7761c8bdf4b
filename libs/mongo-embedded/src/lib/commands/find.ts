import { Document, Long } from 'bson';
import { numberArg } from '../bson-numbers';
import { Catalog } from '../catalog';
import { CursorManager } from '../cursor-manager';
import { badValue, typeMismatch } from '../errors';
import { compileFilter } from '../mingo-adapter/filters';
import { projectDocuments } from '../mingo-adapter/projection';
import {
  assertHintExists,
  collectionName,
  CommandContext,
  CommandHandlers,
} from './command-handler';

/** find and the cursor commands that page through its results. */
export function findCommands(
  catalog: Catalog,
  cursors: CursorManager,
): CommandHandlers {
  return {
    find: (c, ctx) => find(catalog, cursors, c, ctx),
    getMore: (c, ctx) => getMore(cursors, c, ctx),
    killCursors: (c) => killCursors(cursors, c),
  };
}

function find(
  catalog: Catalog,
  cursors: CursorManager,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const name = collectionName(cmd, 'find');
  if (cmd['tailable'])
    throw badValue('tailable cursors are not supported by mongo-embedded');
  if (cmd['min'] || cmd['max'])
    throw badValue(
      'min / max index bounds are not supported by mongo-embedded',
    );
  const matcher = compileFilter(cmd['filter']);
  const rawLimit = numberArg(cmd['limit']);
  const singleBatch = cmd['singleBatch'] === true || rawLimit < 0;
  const limit = Math.abs(rawLimit);
  const skip = numberArg(cmd['skip']);
  if (skip < 0) throw badValue('skip value must be non-negative');
  const coll = catalog.get(ctx.db, name);
  assertHintExists(coll, cmd['hint']);
  const found = coll
    ? coll.select(matcher, { sort: cmd['sort'], skip, limit })
    : [];
  const docs = projectDocuments(
    found.map((r) => r.doc),
    cmd['projection'],
    matcher.filter,
  );
  const batchSize =
    cmd['batchSize'] !== undefined ? numberArg(cmd['batchSize']) : undefined;
  return cursors.open(`${ctx.db}.${name}`, docs, batchSize, singleBatch);
}

function getMore(
  cursors: CursorManager,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const id = cmd['getMore'];
  if (!(id instanceof Long) && typeof id !== 'number')
    throw typeMismatch(
      "BSON field 'getMore.getMore' is the wrong type, expected type 'long'",
    );
  const cursorId = id instanceof Long ? id : Long.fromNumber(id);
  const batchSize =
    cmd['batchSize'] !== undefined ? numberArg(cmd['batchSize']) : undefined;
  return cursors.getMore(cursorId, `${ctx.db}.${cmd['collection']}`, batchSize);
}

function killCursors(cursors: CursorManager, cmd: Document): Document {
  const ids = (Array.isArray(cmd['cursors']) ? cmd['cursors'] : []).map(
    (v: unknown) => (v instanceof Long ? v : Long.fromNumber(Number(v))),
  );
  const { killed, notFound } = cursors.kill(ids);
  return {
    cursorsKilled: killed,
    cursorsNotFound: notFound,
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1,
  };
}
