import { Document, Long, ObjectId } from 'bson';
import {
  cloneValue,
  compareValues,
  EMPTY_ARRAY_KEY,
  idFirst,
  isPlainObject,
  numberArg,
  toQueryView,
  valuesAtPath,
} from '../bson-values';
import { Catalog } from '../catalog';
import type { Collection, MatchedRecord, SelectOptions } from '../collection';
import { CursorManager } from '../cursor-manager';
import {
  badValue,
  commandNotFound,
  DuplicateKeyError,
  failedToParse,
  illegalOperation,
  MongoServerError,
  namespaceNotFound,
  toServerError,
  typeMismatch,
} from '../errors';
import { compileFilter, DocumentMatcher } from '../mingo-adapter/filters';
import { assertSupportedPipeline, runPipeline } from '../mingo-adapter/pipeline';
import { projectDocuments } from '../mingo-adapter/projection';
import {
  applyUpdate,
  isOperatorUpdate,
  upsertSeed,
} from '../mingo-adapter/update';
import type { IndexSpec } from '../ordered-index';

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE = 48_000_000;
const MAX_WRITE_BATCH_SIZE = 100_000;
const SERVER_VERSION = '7.0.0';

export interface CommandContext {
  db: string;
  connectionId: number;
  remoteAddress: string;
}

type Handler = (cmd: Document, ctx: CommandContext) => Document;

/** Commands that change data: the server waits for them to be durable before replying. */
const WRITE_COMMANDS = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'createIndexes',
  'dropIndexes',
  'deleteIndexes',
  'create',
  'drop',
  'dropDatabase',
]);

/**
 * Runs commands against the catalog. Every handler is synchronous, so a command runs from start
 * to end without another command's writes in between; durability is awaited by the caller.
 */
export class CommandDispatcher {
  private readonly handlers: Record<string, Handler>;
  private readonly startedAt = Date.now();

  constructor(
    private readonly catalog: Catalog,
    private readonly cursors: CursorManager,
  ) {
    this.handlers = {
      hello: (c, ctx) => this.hello(ctx, 'hello'),
      isMaster: (c, ctx) => this.hello(ctx, 'isMaster'),
      ismaster: (c, ctx) => this.hello(ctx, 'isMaster'),
      ping: () => ({ ok: 1 }),
      buildInfo: () => this.buildInfo(),
      buildinfo: () => this.buildInfo(),
      endSessions: () => ({ ok: 1 }),
      killSessions: () => ({ ok: 1 }),
      killAllSessions: () => ({ ok: 1 }),
      refreshSessions: () => ({ ok: 1 }),
      startSession: () => {
        throw illegalOperation(
          'sessions are managed by the driver; startSession is not supported',
        );
      },
      abortTransaction: () => {
        throw noTransactions();
      },
      commitTransaction: () => {
        throw noTransactions();
      },
      whatsmyuri: (c, ctx) => ({ you: ctx.remoteAddress, ok: 1 }),
      connectionStatus: () => ({
        authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
        ok: 1,
      }),
      getParameter: (c) => this.getParameter(c),
      hostInfo: () => ({
        system: { currentTime: new Date(), hostname: 'localhost' },
        os: {},
        extra: {},
        ok: 1,
      }),
      serverStatus: () => ({
        host: 'localhost',
        version: SERVER_VERSION,
        process: 'mongo-embedded',
        pid: Long.fromNumber(process.pid),
        uptime: (Date.now() - this.startedAt) / 1000,
        localTime: new Date(),
        ok: 1,
      }),
      getCmdLineOpts: () => ({ argv: [], parsed: {}, ok: 1 }),
      getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
      insert: (c, ctx) => this.insert(c, ctx),
      find: (c, ctx) => this.find(c, ctx),
      getMore: (c, ctx) => this.getMore(c, ctx),
      killCursors: (c) => this.killCursors(c),
      update: (c, ctx) => this.update(c, ctx),
      delete: (c, ctx) => this.delete(c, ctx),
      findAndModify: (c, ctx) => this.findAndModify(c, ctx),
      findandmodify: (c, ctx) =>
        this.findAndModify({ ...c, findAndModify: c['findandmodify'] }, ctx),
      aggregate: (c, ctx) => this.aggregate(c, ctx),
      count: (c, ctx) => this.count(c, ctx),
      distinct: (c, ctx) => this.distinct(c, ctx),
      createIndexes: (c, ctx) => this.createIndexes(c, ctx),
      listIndexes: (c, ctx) => this.listIndexes(c, ctx),
      dropIndexes: (c, ctx) => this.dropIndexes(c, ctx),
      deleteIndexes: (c, ctx) =>
        this.dropIndexes({ ...c, dropIndexes: c['deleteIndexes'] }, ctx),
      listCollections: (c, ctx) => this.listCollections(c, ctx),
      listDatabases: (c) => this.listDatabases(c),
      create: (c, ctx) => this.create(c, ctx),
      drop: (c, ctx) => this.drop(c, ctx),
      dropDatabase: (c, ctx) => this.dropDatabase(ctx),
      dbStats: (c, ctx) => this.dbStats(ctx),
      collStats: (c, ctx) => this.collStats(c, ctx),
      explain: (c, ctx) => this.explain(c, ctx),
    };
  }

  static commandName(cmd: Document): string {
    return Object.keys(cmd)[0] ?? '';
  }

  isWrite(cmd: Document): boolean {
    return WRITE_COMMANDS.has(CommandDispatcher.commandName(cmd));
  }

  /** Runs one command and returns its reply; failures become `{ok: 0, code, errmsg}` replies. */
  run(cmd: Document, ctx: CommandContext): Document {
    const name = CommandDispatcher.commandName(cmd);
    try {
      if (
        cmd['txnNumber'] !== undefined ||
        cmd['startTransaction'] !== undefined ||
        cmd['autocommit'] !== undefined
      )
        throw noTransactions();
      const handler = Object.prototype.hasOwnProperty.call(this.handlers, name)
        ? this.handlers[name]
        : undefined;
      if (!handler) throw commandNotFound(name);
      assertSimpleCollation(cmd['collation']);
      return handler(cmd, ctx);
    } catch (err) {
      return toServerError(err).toReply();
    }
  }

  // --- handshake and diagnostics ---

  private hello(ctx: CommandContext, kind: 'hello' | 'isMaster'): Document {
    return {
      ...(kind === 'hello' ? { isWritablePrimary: true } : { ismaster: true }),
      helloOk: true,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      maxMessageSizeBytes: MAX_MESSAGE_SIZE,
      maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: ctx.connectionId,
      minWireVersion: 0,
      maxWireVersion: 21,
      readOnly: false,
      ok: 1,
    };
  }

  private buildInfo(): Document {
    return {
      version: SERVER_VERSION,
      gitVersion: 'mongo-embedded',
      versionArray: [7, 0, 0, 0],
      bits: 64,
      debug: false,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      storageEngines: ['mongo-embedded'],
      javascriptEngine: 'none',
      ok: 1,
    };
  }

  private getParameter(cmd: Document): Document {
    const out: Document = { ok: 1 };
    if (cmd['featureCompatibilityVersion'])
      out['featureCompatibilityVersion'] = { version: '7.0' };
    return out;
  }

  // --- CRUD ---

  private collectionName(cmd: Document, name: string): string {
    const v = cmd[name];
    if (typeof v !== 'string' || v.length === 0)
      throw new MongoServerError(
        73,
        'InvalidNamespace',
        `collection name has invalid type ${typeof v}`,
      );
    return v;
  }

  private insert(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'insert');
    const docs = cmd['documents'];
    if (!Array.isArray(docs))
      throw typeMismatch(
        "BSON field 'insert.documents' is missing but a required field",
      );
    const ordered = cmd['ordered'] !== false;
    const coll = this.catalog.ensure(ctx.db, name);
    let n = 0;
    const writeErrors: Document[] = [];
    docs.forEach((input: Document, index: number) => {
      if (ordered && writeErrors.length > 0) return;
      try {
        const doc =
          input['_id'] === undefined
            ? { _id: new ObjectId(), ...input }
            : input;
        validateStoredDocument(doc);
        coll.insert(doc);
        n++;
      } catch (err) {
        writeErrors.push(writeError(index, err));
      }
    });
    return withWriteErrors({ n, ok: 1 }, writeErrors);
  }

  private find(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'find');
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
    const coll = this.catalog.get(ctx.db, name);
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
    return this.cursors.open(`${ctx.db}.${name}`, docs, batchSize, singleBatch);
  }

  private getMore(cmd: Document, ctx: CommandContext): Document {
    const id = cmd['getMore'];
    if (!(id instanceof Long) && typeof id !== 'number')
      throw typeMismatch(
        "BSON field 'getMore.getMore' is the wrong type, expected type 'long'",
      );
    const cursorId = id instanceof Long ? id : Long.fromNumber(id);
    const batchSize =
      cmd['batchSize'] !== undefined ? numberArg(cmd['batchSize']) : undefined;
    return this.cursors.getMore(
      cursorId,
      `${ctx.db}.${cmd['collection']}`,
      batchSize,
    );
  }

  private killCursors(cmd: Document): Document {
    const ids = (Array.isArray(cmd['cursors']) ? cmd['cursors'] : []).map(
      (v: unknown) => (v instanceof Long ? v : Long.fromNumber(Number(v))),
    );
    const { killed, notFound } = this.cursors.kill(ids);
    return {
      cursorsKilled: killed,
      cursorsNotFound: notFound,
      cursorsAlive: [],
      cursorsUnknown: [],
      ok: 1,
    };
  }

  private update(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'update');
    const updates = cmd['updates'];
    if (!Array.isArray(updates))
      throw typeMismatch(
        "BSON field 'update.updates' is missing but a required field",
      );
    const ordered = cmd['ordered'] !== false;
    let n = 0;
    let nModified = 0;
    const upserted: Document[] = [];
    const writeErrors: Document[] = [];
    updates.forEach((stmt: Document, index: number) => {
      if (ordered && writeErrors.length > 0) return;
      try {
        const result = this.updateOne(ctx.db, name, stmt);
        n += result.n;
        nModified += result.nModified;
        if (result.upsertedId !== undefined)
          upserted.push({ index, _id: result.upsertedId });
      } catch (err) {
        writeErrors.push(writeError(index, err));
      }
    });
    const reply: Document = { n, nModified };
    if (upserted.length > 0) reply['upserted'] = upserted;
    reply['ok'] = 1;
    return withWriteErrors(reply, writeErrors);
  }

  /** One update statement: `{q, u, upsert, multi, arrayFilters}`. */
  private updateOne(
    db: string,
    name: string,
    stmt: Document,
  ): { n: number; nModified: number; upsertedId?: unknown } {
    const u = stmt['u'];
    if (!isPlainObject(u) && !Array.isArray(u))
      throw failedToParse('update must be an object or a pipeline');
    assertSimpleCollation(stmt['collation']);
    const multi = stmt['multi'] === true;
    if (
      multi &&
      !Array.isArray(u) &&
      !isOperatorUpdate(u) &&
      Object.keys(u).length > 0
    )
      throw failedToParse(
        'multi update is not supported for replacement-style update',
      );
    const matcher = compileFilter(stmt['q']);
    const arrayFilters = stmt['arrayFilters'];
    assertHintExists(this.catalog.get(db, name), stmt['hint']);
    const coll = stmt['upsert']
      ? this.catalog.ensure(db, name)
      : this.catalog.get(db, name);
    const matched = coll
      ? coll.select(matcher, { limit: multi ? 0 : 1, sort: stmt['sort'] })
      : [];
    if (matched.length === 0) {
      if (!stmt['upsert'] || !coll) return { n: 0, nModified: 0 };
      const doc = this.upsertDocument(matcher.filter, u, arrayFilters);
      coll.insert(doc);
      return { n: 1, nModified: 0, upsertedId: doc['_id'] };
    }
    let nModified = 0;
    for (const rec of matched) {
      const outcome = applyUpdate(rec.doc, u, {
        filter: matcher.filter,
        arrayFilters,
      });
      if (outcome.changed) {
        validateStoredDocument(outcome.doc);
        (coll as Collection).replace(rec.rid, outcome.doc);
        nModified++;
      }
    }
    return { n: matched.length, nModified };
  }

  private upsertDocument(
    filter: Document,
    u: Document | Document[],
    arrayFilters?: Document[],
  ): Document {
    const seed = upsertSeed(filter);
    let doc: Document;
    if (!Array.isArray(u) && !isOperatorUpdate(u)) {
      doc = cloneValue(u);
      if (doc['_id'] === undefined && seed['_id'] !== undefined)
        doc['_id'] = seed['_id'];
    } else {
      doc = applyUpdate(seed, u, { inserting: true, arrayFilters }).doc;
    }
    if (doc['_id'] === undefined) doc = { _id: new ObjectId(), ...doc };
    const stored = idFirst(doc);
    validateStoredDocument(stored);
    return stored;
  }

  private delete(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'delete');
    const deletes = cmd['deletes'];
    if (!Array.isArray(deletes))
      throw typeMismatch(
        "BSON field 'delete.deletes' is missing but a required field",
      );
    const ordered = cmd['ordered'] !== false;
    const coll = this.catalog.get(ctx.db, name);
    let n = 0;
    const writeErrors: Document[] = [];
    deletes.forEach((stmt: Document, index: number) => {
      if (ordered && writeErrors.length > 0) return;
      try {
        assertSimpleCollation(stmt['collation']);
        const matcher = compileFilter(stmt['q']);
        assertHintExists(coll, stmt['hint']);
        if (!coll) return;
        const limit = numberArg(stmt['limit']);
        for (const rec of coll.select(matcher, {
          limit: limit === 1 ? 1 : 0,
        })) {
          coll.remove(rec.rid);
          n++;
        }
      } catch (err) {
        writeErrors.push(writeError(index, err));
      }
    });
    return withWriteErrors({ n, ok: 1 }, writeErrors);
  }

  private findAndModify(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'findAndModify');
    const matcher = compileFilter(cmd['query']);
    const remove = cmd['remove'] === true;
    const update = cmd['update'];
    if (remove && update !== undefined)
      throw failedToParse('Cannot specify both an update and remove=true');
    if (!remove && update === undefined)
      throw failedToParse('Either an update or remove=true must be specified');
    if (remove && cmd['upsert'])
      throw failedToParse('Cannot specify both upsert=true and remove=true');
    if (remove && cmd['new'])
      throw failedToParse(
        "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document",
      );
    assertHintExists(this.catalog.get(ctx.db, name), cmd['hint']);
    const coll = cmd['upsert']
      ? this.catalog.ensure(ctx.db, name)
      : this.catalog.get(ctx.db, name);
    const [found] = coll
      ? coll.select(matcher, { sort: cmd['sort'], limit: 1 })
      : [];
    const project = (doc: Document | null) =>
      doc && cmd['fields']
        ? projectDocuments([doc], cmd['fields'], matcher.filter)[0]
        : doc;
    if (remove) {
      if (!found || !coll)
        return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
      coll.remove(found.rid);
      return { lastErrorObject: { n: 1 }, value: project(found.doc), ok: 1 };
    }
    if (!found) {
      if (!cmd['upsert'] || !coll)
        return {
          lastErrorObject: { n: 0, updatedExisting: false },
          value: null,
          ok: 1,
        };
      const doc = this.upsertDocument(
        matcher.filter,
        update,
        cmd['arrayFilters'],
      );
      coll.insert(doc);
      return {
        lastErrorObject: { n: 1, updatedExisting: false, upserted: doc['_id'] },
        value: cmd['new'] ? project(doc) : null,
        ok: 1,
      };
    }
    const outcome = applyUpdate(found.doc, update, {
      filter: matcher.filter,
      arrayFilters: cmd['arrayFilters'],
    });
    if (outcome.changed) {
      validateStoredDocument(outcome.doc);
      (coll as Collection).replace(found.rid, outcome.doc);
    }
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: project(cmd['new'] ? outcome.doc : found.doc),
      ok: 1,
    };
  }

  // --- aggregation and counting ---

  private aggregate(cmd: Document, ctx: CommandContext): Document {
    if (cmd['explain']) {
      const { explain, ...inner } = cmd;
      void explain;
      return this.explain({ explain: inner }, ctx);
    }
    const target = cmd['aggregate'];
    const pipeline = cmd['pipeline'];
    assertSupportedPipeline(pipeline);
    if (!isPlainObject(cmd['cursor']))
      throw failedToParse(
        "The 'cursor' option is required, except for aggregate with the explain argument",
      );
    const isCollection = typeof target === 'string';
    const coll = isCollection ? this.catalog.get(ctx.db, target) : undefined;
    assertHintExists(coll, cmd['hint']);
    const { input, rest } = isCollection
      ? this.pipelineSource(coll, pipeline)
      : { input: [], rest: pipeline };
    const docs = rest.length === 0 ? input : this.runRest(input, rest, ctx.db);
    const batchSize =
      cmd['cursor']?.['batchSize'] !== undefined
        ? numberArg(cmd['cursor']['batchSize'])
        : undefined;
    const ns = isCollection
      ? `${ctx.db}.${target}`
      : `${ctx.db}.$cmd.aggregate`;
    return this.cursors.open(ns, docs, batchSize);
  }

  /**
   * Serves the pipeline's leading `$match` / `$sort` / `$skip` / `$limit` from the collection (so
   * indexes apply) and returns the stages left for mingo.
   */
  private pipelineSource(
    coll: Collection | undefined,
    pipeline: Document[],
  ): { input: Document[]; rest: Document[] } {
    let i = 0;
    let matcher: DocumentMatcher = compileFilter({});
    const opts: SelectOptions = {};
    if (pipeline[i]?.['$match'])
      matcher = compileFilter(pipeline[i++]['$match']);
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

  private runRest(input: Document[], rest: Document[], db: string): Document[] {
    const counted = countShortcut(input, rest);
    if (counted) return counted;
    return runPipeline(input.map(cloneValue), rest, (name) =>
      (this.catalog.get(db, name)?.allDocuments() ?? []).map(cloneValue),
    );
  }

  private count(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'count');
    const coll = this.catalog.get(ctx.db, name);
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

  private distinct(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'distinct');
    const key = cmd['key'];
    if (typeof key !== 'string')
      throw typeMismatch(
        "BSON field 'distinct.key' is the wrong type, expected type 'string'",
      );
    const coll = this.catalog.get(ctx.db, name);
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

  // --- indexes ---

  private createIndexes(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'createIndexes');
    const specs = cmd['indexes'];
    if (!Array.isArray(specs) || specs.length === 0)
      throw badValue('Must specify at least one index to create');
    const existed = this.catalog.get(ctx.db, name) !== undefined;
    const coll = this.catalog.ensure(ctx.db, name);
    const before = coll.indexSpecs().length;
    let created = 0;
    for (const spec of specs)
      if (coll.createIndex(spec as IndexSpec)) created++;
    const reply: Document = {
      numIndexesBefore: before,
      numIndexesAfter: coll.indexSpecs().length,
      createdCollectionAutomatically: !existed,
    };
    if (created === 0) reply['note'] = 'all indexes already exist';
    reply['ok'] = 1;
    return reply;
  }

  private listIndexes(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'listIndexes');
    const coll = this.catalog.get(ctx.db, name);
    if (!coll) throw namespaceNotFound(`ns does not exist: ${ctx.db}.${name}`);
    const batchSize =
      cmd['cursor']?.['batchSize'] !== undefined
        ? numberArg(cmd['cursor']['batchSize'])
        : undefined;
    return this.cursors.open(
      `${ctx.db}.${name}`,
      coll.indexSpecs().map(cloneValue),
      batchSize,
    );
  }

  private dropIndexes(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'dropIndexes');
    const coll = this.catalog.get(ctx.db, name);
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

  // --- catalog ---

  private listCollections(cmd: Document, ctx: CommandContext): Document {
    let infos: Document[] = this.catalog.collections(ctx.db).map((c) => ({
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
    return this.cursors.open(
      `${ctx.db}.$cmd.listCollections`,
      infos,
      batchSize,
    );
  }

  private listDatabases(cmd: Document): Document {
    let databases: Document[] = this.catalog.databaseNames().map((name) => {
      const bytes = this.catalog
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

  private create(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'create');
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
    if (!this.catalog.get(ctx.db, name)) this.catalog.create(ctx.db, name, {});
    return { ok: 1 };
  }

  private drop(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'drop');
    const coll = this.catalog.get(ctx.db, name);
    if (!coll) throw namespaceNotFound('ns not found');
    const nIndexesWas = coll.indexSpecs().length;
    this.catalog.drop(ctx.db, name);
    return { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 };
  }

  private dropDatabase(ctx: CommandContext): Document {
    this.catalog.dropDatabase(ctx.db);
    return { dropped: ctx.db, ok: 1 };
  }

  private dbStats(ctx: CommandContext): Document {
    const colls = this.catalog.collections(ctx.db);
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

  private collStats(cmd: Document, ctx: CommandContext): Document {
    const name = this.collectionName(cmd, 'collStats');
    const coll = this.catalog.get(ctx.db, name);
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

  /** `explain` of find / count / aggregate: the chosen plan and how many documents it examined. */
  private explain(cmd: Document, ctx: CommandContext): Document {
    const inner = cmd['explain'];
    if (!isPlainObject(inner))
      throw badValue('explain requires a command document');
    const innerName = CommandDispatcher.commandName(inner);
    const collName = inner[innerName];
    const coll =
      typeof collName === 'string'
        ? this.catalog.get(ctx.db, collName)
        : undefined;
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
}

/**
 * A hint must name an existing index (by name or key pattern) or `$natural`, as mongod requires.
 * Results never depend on the plan here, so a valid hint needs no further action.
 */
function assertHintExists(coll: Collection | undefined, hint: unknown): void {
  if (hint === undefined || hint === null || !coll) return;
  if (
    typeof hint === 'string' &&
    (hint === '$natural' || coll.indexSpecs().some((s) => s.name === hint))
  )
    return;
  if (isPlainObject(hint)) {
    const keys = Object.keys(hint);
    if (keys.length === 0 || (keys.length === 1 && keys[0] === '$natural'))
      return;
    const wanted = JSON.stringify(toQueryView(hint));
    if (coll.indexSpecs().some((s) => JSON.stringify(s.key) === wanted)) return;
  }
  throw badValue(
    `error processing query: ns=${coll.ns} planner returned error :: caused by :: hint provided does not correspond to an existing index`,
  );
}

function assertSimpleCollation(collation: unknown): void {
  if (isPlainObject(collation) && collation['locale'] !== 'simple')
    throw badValue(
      'collation is not supported by mongo-embedded (only { locale: "simple" })',
    );
}

function noTransactions(): MongoServerError {
  return illegalOperation(
    'Transaction numbers are only allowed on a replica set member or mongos',
  );
}

/** `{index, code, errmsg, ...}` as mongod puts it in `writeErrors`. */
function writeError(index: number, err: unknown): Document {
  const e = toServerError(err);
  const out: Document = { index, code: e.code };
  if (e instanceof DuplicateKeyError) {
    out['keyPattern'] = e.keyPattern;
    out['keyValue'] = e.keyValue;
  }
  out['errmsg'] = e.message;
  return out;
}

function withWriteErrors(reply: Document, writeErrors: Document[]): Document {
  if (writeErrors.length > 0) reply['writeErrors'] = writeErrors;
  return reply;
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

/** Rejects documents mongod would refuse to store. */
function validateStoredDocument(doc: Document): void {
  for (const k of Object.keys(doc)) {
    if (k.startsWith('$'))
      throw new MongoServerError(
        52,
        'DollarPrefixedFieldName',
        `Document can't have $ prefixed field names: ${k}`,
      );
  }
  if (Array.isArray(doc['_id']))
    throw new MongoServerError(
      53,
      'InvalidIdField',
      "The '_id' value cannot be of type array",
    );
  if (doc['_id'] instanceof RegExp)
    throw new MongoServerError(
      53,
      'InvalidIdField',
      "The '_id' value cannot be of type regex",
    );
}
