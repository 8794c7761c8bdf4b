import { Document } from 'bson';
import { numberArg } from '../bson-numbers';
import { cloneValue } from '../bson-values';
import { Catalog } from '../catalog';
import { CursorManager } from '../cursor-manager';
import { badValue, namespaceNotFound } from '../errors';
import { compileFilter } from '../mingo-adapter/filters';
import {
  collectionName,
  CommandContext,
  CommandHandlers,
} from './command-handler';

/** Databases and collections: listing, creating, dropping and their statistics. */
export function collectionCommands(
  catalog: Catalog,
  cursors: CursorManager,
): CommandHandlers {
  return {
    listCollections: (c, ctx) => listCollections(catalog, cursors, c, ctx),
    listDatabases: (c) => listDatabases(catalog, c),
    create: (c, ctx) => create(catalog, c, ctx),
    drop: (c, ctx) => drop(catalog, c, ctx),
    dropDatabase: (c, ctx) => dropDatabase(catalog, ctx),
    dbStats: (c, ctx) => dbStats(catalog, ctx),
    collStats: (c, ctx) => collStats(catalog, c, ctx),
  };
}

function listCollections(
  catalog: Catalog,
  cursors: CursorManager,
  cmd: Document,
  ctx: CommandContext,
): Document {
  let infos: Document[] = catalog.collections(ctx.db).map((c) => ({
    name: c.name,
    type: 'collection',
    options: cloneValue(c.options),
    info: { readOnly: false },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  if (cmd['filter'] && Object.keys(cmd['filter']).length > 0) {
    const matcher = compileFilter(cmd['filter']);
    infos = infos.filter((i) => matcher.test(i));
  }
  if (cmd['nameOnly'])
    infos = infos.map((i) => ({ name: i['name'], type: i['type'] }));
  const batchSize =
    cmd['cursor']?.['batchSize'] !== undefined
      ? numberArg(cmd['cursor']['batchSize'])
      : undefined;
  return cursors.open(`${ctx.db}.$cmd.listCollections`, infos, batchSize);
}

function listDatabases(catalog: Catalog, cmd: Document): Document {
  let databases: Document[] = catalog.databaseNames().map((name) => {
    const bytes = catalog
      .collections(name)
      .reduce((s, c) => s + Math.max(0, c.liveBytes), 0);
    return { name, sizeOnDisk: bytes, empty: false };
  });
  if (cmd['filter'] && Object.keys(cmd['filter']).length > 0) {
    const matcher = compileFilter(cmd['filter']);
    databases = databases.filter((d) => matcher.test(d));
  }
  if (cmd['nameOnly'])
    return { databases: databases.map((d) => ({ name: d['name'] })), ok: 1 };
  return {
    databases,
    totalSize: databases.reduce((s, d) => s + d['sizeOnDisk'], 0),
    totalSizeMb: 0,
    ok: 1,
  };
}

function create(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const name = collectionName(cmd, 'create');
  for (const unsupported of [
    'viewOn',
    'capped',
    'timeseries',
    'clusteredIndex',
    'changeStreamPreAndPostImages',
    'validator',
    'collation',
    'encryptedFields',
  ]) {
    if (cmd[unsupported])
      throw badValue(
        `create option '${unsupported}' is not supported by mongo-embedded`,
      );
  }
  // Since MongoDB 7.0 (SERVER-60064) re-creating with identical options is a no-op success; no
  // options other than the defaults are accepted here, so an existing collection always matches.
  if (!catalog.get(ctx.db, name)) catalog.create(ctx.db, name, {});
  return { ok: 1 };
}

function drop(catalog: Catalog, cmd: Document, ctx: CommandContext): Document {
  const name = collectionName(cmd, 'drop');
  const coll = catalog.get(ctx.db, name);
  if (!coll) throw namespaceNotFound('ns not found');
  const nIndexesWas = coll.indexSpecs().length;
  catalog.drop(ctx.db, name);
  return { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 };
}

function dropDatabase(catalog: Catalog, ctx: CommandContext): Document {
  catalog.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
}

function dbStats(catalog: Catalog, ctx: CommandContext): Document {
  const colls = catalog.collections(ctx.db);
  const objects = colls.reduce((s, c) => s + c.count, 0);
  const dataSize = colls.reduce((s, c) => s + Math.max(0, c.liveBytes), 0);
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects,
    dataSize,
    storageSize: dataSize,
    indexes: colls.reduce((s, c) => s + c.indexSpecs().length, 0),
    ok: 1,
  };
}

function collStats(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const name = collectionName(cmd, 'collStats');
  const coll = catalog.get(ctx.db, name);
  if (!coll)
    throw namespaceNotFound(`Collection [${ctx.db}.${name}] not found.`);
  return {
    ns: coll.ns,
    count: coll.count,
    size: Math.max(0, coll.liveBytes),
    nindexes: coll.indexSpecs().length,
    ok: 1,
  };
}
