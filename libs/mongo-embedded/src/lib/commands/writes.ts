import { Document, ObjectId } from 'bson';
import { numberArg } from '../bson-numbers';
import { cloneValue, idFirst, isPlainObject } from '../bson-values';
import { Catalog } from '../catalog';
import type { Collection } from '../collection';
import {
  DuplicateKeyError,
  failedToParse,
  MongoServerError,
  toServerError,
  typeMismatch,
} from '../errors';
import { compileFilter } from '../mingo-adapter/filters';
import { projectDocuments } from '../mingo-adapter/projection';
import {
  applyUpdate,
  isOperatorUpdate,
  upsertSeed,
} from '../mingo-adapter/update';
import {
  assertHintExists,
  assertSimpleCollation,
  collectionName,
  CommandContext,
  CommandHandlers,
  eachStatement,
} from './command-handler';

/** insert, update, delete and findAndModify: the commands that change documents. */
export function writeCommands(catalog: Catalog): CommandHandlers {
  return {
    insert: (c, ctx) => insert(catalog, c, ctx),
    update: (c, ctx) => update(catalog, c, ctx),
    delete: (c, ctx) => deleteDocuments(catalog, c, ctx),
    findAndModify: (c, ctx) => findAndModify(catalog, c, ctx),
    findandmodify: (c, ctx) =>
      findAndModify(catalog, { ...c, findAndModify: c['findandmodify'] }, ctx),
  };
}

function insert(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document | Promise<Document> {
  const name = collectionName(cmd, 'insert');
  const docs = cmd['documents'];
  if (!Array.isArray(docs))
    throw typeMismatch(
      "BSON field 'insert.documents' is missing but a required field",
    );
  const ordered = cmd['ordered'] !== false;
  catalog.ensure(ctx.db, name); // an invalid name fails the command, not its statements
  let n = 0;
  return eachWriteStatement(
    docs.length,
    ctx,
    ordered,
    (index) => {
      const input: Document = docs[index];
      const doc =
        input['_id'] === undefined ? { _id: new ObjectId(), ...input } : input;
      validateStoredDocument(doc);
      // Looked up per statement: another command may have dropped it while this one yielded.
      catalog.ensure(ctx.db, name).insert(doc);
      n++;
    },
    () => ({ n, ok: 1 }),
  );
}

function update(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document | Promise<Document> {
  const name = collectionName(cmd, 'update');
  const updates = cmd['updates'];
  if (!Array.isArray(updates))
    throw typeMismatch(
      "BSON field 'update.updates' is missing but a required field",
    );
  const ordered = cmd['ordered'] !== false;
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  return eachWriteStatement(
    updates.length,
    ctx,
    ordered,
    (index) => {
      const result = updateOne(catalog, ctx.db, name, updates[index]);
      n += result.n;
      nModified += result.nModified;
      if (result.upsertedId !== undefined)
        upserted.push({ index, _id: result.upsertedId });
    },
    () => {
      const reply: Document = { n, nModified };
      if (upserted.length > 0) reply['upserted'] = upserted;
      reply['ok'] = 1;
      return reply;
    },
  );
}

/** One update statement: `{q, u, upsert, multi, arrayFilters}`. */
function updateOne(
  catalog: Catalog,
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
  assertHintExists(catalog.get(db, name), stmt['hint']);
  const coll = stmt['upsert']
    ? catalog.ensure(db, name)
    : catalog.get(db, name);
  const matched = coll
    ? coll.select(matcher, { limit: multi ? 0 : 1, sort: stmt['sort'] })
    : [];
  if (matched.length === 0) {
    if (!stmt['upsert'] || !coll) return { n: 0, nModified: 0 };
    const doc = upsertDocument(matcher.filter, u, arrayFilters);
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

function upsertDocument(
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

function deleteDocuments(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document | Promise<Document> {
  const name = collectionName(cmd, 'delete');
  const deletes = cmd['deletes'];
  if (!Array.isArray(deletes))
    throw typeMismatch(
      "BSON field 'delete.deletes' is missing but a required field",
    );
  const ordered = cmd['ordered'] !== false;
  let n = 0;
  return eachWriteStatement(
    deletes.length,
    ctx,
    ordered,
    (index) => {
      const stmt: Document = deletes[index];
      assertSimpleCollation(stmt['collation']);
      const matcher = compileFilter(stmt['q']);
      const coll = catalog.get(ctx.db, name);
      assertHintExists(coll, stmt['hint']);
      if (!coll) return;
      const limit = numberArg(stmt['limit']);
      for (const rec of coll.select(matcher, { limit: limit === 1 ? 1 : 0 })) {
        coll.remove(rec.rid);
        n++;
      }
    },
    () => ({ n, ok: 1 }),
  );
}

/**
 * The statements of a write command through eachStatement: a statement that throws becomes a
 * writeError (and, when `ordered`, the last statement run); `reply` is the command's answer,
 * with the writeErrors added.
 */
function eachWriteStatement(
  count: number,
  ctx: CommandContext,
  ordered: boolean,
  apply: (index: number) => void,
  reply: () => Document,
): Document | Promise<Document> {
  const writeErrors: Document[] = [];
  return eachStatement(
    count,
    ctx,
    (index) => {
      try {
        apply(index);
      } catch (err) {
        writeErrors.push(writeError(index, err));
        return !ordered;
      }
      return true;
    },
    () => withWriteErrors(reply(), writeErrors),
  );
}

function findAndModify(
  catalog: Catalog,
  cmd: Document,
  ctx: CommandContext,
): Document {
  const name = collectionName(cmd, 'findAndModify');
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
  assertHintExists(catalog.get(ctx.db, name), cmd['hint']);
  const coll = cmd['upsert']
    ? catalog.ensure(ctx.db, name)
    : catalog.get(ctx.db, name);
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
    const doc = upsertDocument(matcher.filter, update, cmd['arrayFilters']);
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
