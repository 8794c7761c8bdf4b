import type { Document } from 'bson';
import { ChangeRecord, Collection } from './collection';
import { invalidNamespace, namespaceExists } from './errors';
import type { IndexSpec } from './ordered-index';

/** What the catalog reports to be made durable, beyond per-collection changes. */
export type CatalogRecord =
  | ChangeRecord
  | { op: 'createCollection'; ns: string; options: Document }
  | { op: 'dropCollection'; ns: string }
  | { op: 'dropDatabase'; db: string };

/** Returns the stored size of the record in bytes (0 when nothing is stored). */
export type RecordSink = (record: CatalogRecord) => number;

/** All databases and their collections. */
export class Catalog {
  private readonly databases = new Map<string, Map<string, Collection>>();
  private loading = false;

  constructor(private sink: RecordSink = () => 0) {}

  setSink(sink: RecordSink): void {
    this.sink = sink;
  }

  databaseNames(): string[] {
    return [...this.databases.keys()].filter(
      (db) => (this.databases.get(db)?.size ?? 0) > 0,
    );
  }

  collections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  allCollections(): Collection[] {
    return [...this.databases.values()].flatMap((m) => [...m.values()]);
  }

  get(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  /** The collection, created implicitly (as an insert or createIndexes does) when missing. */
  ensure(db: string, name: string): Collection {
    return this.get(db, name) ?? this.create(db, name, {});
  }

  create(db: string, name: string, options: Document): Collection {
    validateName(db, name);
    if (this.get(db, name))
      throw namespaceExists(`Collection ${db}.${name} already exists.`);
    let colls = this.databases.get(db);
    if (!colls) {
      colls = new Map();
      this.databases.set(db, colls);
    }
    const coll = new Collection(db, name, options, (change) =>
      this.sink(change),
    );
    if (this.loading) coll.beginLoad();
    colls.set(name, coll);
    this.sink({ op: 'createCollection', ns: `${db}.${name}`, options });
    return coll;
  }

  drop(db: string, name: string): boolean {
    const colls = this.databases.get(db);
    if (!colls?.delete(name)) return false;
    this.sink({ op: 'dropCollection', ns: `${db}.${name}` });
    return true;
  }

  dropDatabase(db: string): void {
    if (!this.databases.delete(db)) return;
    this.sink({ op: 'dropDatabase', db });
  }

  /**
   * Around the replay of a journal: indexes are built in bulk at the end (Collection.beginLoad)
   * rather than entry by entry. endLoad must follow before anything is queried.
   */
  beginLoad(): void {
    this.loading = true;
    for (const coll of this.allCollections()) coll.beginLoad();
  }

  endLoad(): void {
    this.loading = false;
    for (const coll of this.allCollections()) coll.endLoad();
  }

  /** Applies one journal record during recovery (the sink is silenced by the caller). */
  replay(record: Document): void {
    const [db, name] = splitNs(record['ns'] ?? '');
    switch (record['op']) {
      case 'createCollection':
        if (!this.get(db, name)) this.create(db, name, record['options'] ?? {});
        return;
      case 'dropCollection':
        this.drop(db, name);
        return;
      case 'dropDatabase':
        this.dropDatabase(record['db']);
        return;
      case 'createIndex':
        this.ensure(db, name).createIndex(record['spec'] as IndexSpec);
        return;
      case 'dropIndex': {
        const coll = this.get(db, name);
        if (coll && coll.indexSpecs().some((s) => s.name === record['name']))
          coll.dropIndex(record['name']);
        return;
      }
      case 'put': {
        const coll = this.ensure(db, name);
        const rid = coll.ridOfId(record['doc']['_id']);
        if (rid === undefined) coll.insert(record['doc']);
        else coll.replace(rid, record['doc']);
        return;
      }
      case 'del': {
        const coll = this.get(db, name);
        const rid = coll?.ridOfId(record['id']);
        if (coll && rid !== undefined) coll.remove(rid);
        return;
      }
    }
  }
}

export function splitNs(ns: string): [string, string] {
  const dot = ns.indexOf('.');
  return dot < 0 ? [ns, ''] : [ns.slice(0, dot), ns.slice(dot + 1)];
}

function validateName(db: string, name: string): void {
  if (!db || /[/\\. "$]/.test(db))
    throw invalidNamespace(`Invalid database name: '${db}'`);
  if (
    !name ||
    name.includes('$') ||
    name.startsWith('.') ||
    name.includes('\0')
  )
    throw invalidNamespace(`Invalid collection name: ${name}`);
}
