import { Document } from 'bson';
import { numberArg } from '../bson-numbers';
import { cloneValue, isPlainObject } from '../bson-values';
import { Catalog } from '../catalog';
import { CursorManager } from '../cursor-manager';
import { badValue, namespaceNotFound, typeMismatch } from '../errors';
import type { IndexSpec } from '../ordered-index';
import {
  collectionName,
  CommandContext,
  CommandHandlers,
} from './command-handler';

/** createIndexes, listIndexes and dropIndexes. */
export function indexCommands(
  catalog: Catalog,
  cursors: CursorManager,
): CommandHandlers {
  return {
    createIndexes: (c, ctx) => createIndexes(catalog, c, ctx),
    listIndexes: (c, ctx) => listIndexes(catalog, cursors, c, ctx),
    dropIndexes: (c, ctx) => dropIndexes(catalog, c, ctx),
    deleteIndexes: (c, ctx) =>
      dropIndexes(catalog, { ...c, dropIndexes: c['deleteIndexes'] }, ctx),
  };
}

function createIndexes(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const name = collectionName(cmd, 'createIndexes');
  const specs = cmd['indexes'];
  if (!Array.isArray(specs) || specs.length === 0)
    throw badValue('Must specify at least one index to create');
  const existed = catalog.get(ctx.db, name) !== undefined;
  const coll = catalog.ensure(ctx.db, name);
  const before = coll.indexSpecs().length;
  let created = 0;
  for (const spec of specs) if (coll.createIndex(spec as IndexSpec)) created++;
  const reply: Document = {
    numIndexesBefore: before,
    numIndexesAfter: coll.indexSpecs().length,
    createdCollectionAutomatically: !existed,
  };
  if (created === 0) reply['note'] = 'all indexes already exist';
  reply['ok'] = 1;
  return reply;
}

function listIndexes(
  catalog: Catalog,
  cursors: CursorManager,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const name = collectionName(cmd, 'listIndexes');
  const coll = catalog.get(ctx.db, name);
  if (!coll) throw namespaceNotFound(`ns does not exist: ${ctx.db}.${name}`);
  const batchSize =
    cmd['cursor']?.['batchSize'] !== undefined
      ? numberArg(cmd['cursor']['batchSize'])
      : undefined;
  return cursors.open(
    `${ctx.db}.${name}`,
    coll.indexSpecs().map(cloneValue),
    batchSize,
  );
}

function dropIndexes(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const name = collectionName(cmd, 'dropIndexes');
  const coll = catalog.get(ctx.db, name);
  if (!coll) throw namespaceNotFound(`ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexSpecs().length;
  const which = cmd['index'];
  if (which === '*') {
    for (const spec of coll.indexSpecs())
      if (spec.name !== '_id_') coll.dropIndex(spec.name);
  } else if (typeof which === 'string') coll.dropIndex(which);
  else if (Array.isArray(which))
    for (const n of which) coll.dropIndex(String(n));
  else if (isPlainObject(which)) coll.dropIndexByKey(which);
  else
    throw typeMismatch(
      "BSON field 'dropIndexes.index' is missing but a required field",
    );
  return { nIndexesWas, ok: 1 };
}
