import type { Document } from 'bson';
import { toNumber } from './bson-numbers';
import { badValue, cannotCreateIndex } from './errors';

/** An index as `listIndexes` reports it and as `createIndexes` receives it. */
export interface IndexSpec {
  v?: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
  [option: string]: unknown;
}

/** The index name mongod derives from a key pattern: `{a: 1, b: -1}` → `a_1_b_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.keys(key)
    .map((k) => `${k}_${key[k]}`)
    .join('_');
}

const OPTION_KEYS = [
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
];

/** Whether two specs of the same key pattern have the same options (else createIndexes conflicts). */
export function sameIndexOptions(a: IndexSpec, b: IndexSpec): boolean {
  return OPTION_KEYS.every(
    (k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null),
  );
}

const SUPPORTED_INDEX_KEYS = new Set(['1', '-1']);

/** A createIndexes spec checked and reduced to what this server supports and `listIndexes` reports. */
export function normalizeIndexSpec(input: IndexSpec): IndexSpec {
  if (
    !input ||
    typeof input.key !== 'object' ||
    Object.keys(input.key).length === 0
  )
    throw cannotCreateIndex('Index keys cannot be empty.');
  const key: Document = {};
  for (const path of Object.keys(input.key)) {
    const raw = toNumber(input.key[path]) || input.key[path];
    const n = typeof raw === 'number' ? raw : Number(String(raw));
    if (!SUPPORTED_INDEX_KEYS.has(String(n)))
      throw cannotCreateIndex(
        `index type ${JSON.stringify(raw)} on field '${path}' is not supported by mongo-embedded (only ascending 1 and descending -1 keys)`,
      );
    key[path] = n;
  }
  if (input['collation'])
    throw badValue('index collation is not supported by mongo-embedded');
  const spec: IndexSpec = {
    v: 2,
    key,
    name: typeof input.name === 'string' ? input.name : defaultIndexName(key),
  };
  if (input.unique) spec.unique = true;
  if (input.sparse) spec.sparse = true;
  if (input.partialFilterExpression)
    spec.partialFilterExpression = input.partialFilterExpression;
  if (input.expireAfterSeconds !== undefined)
    spec.expireAfterSeconds = Number(input.expireAfterSeconds);
  return spec;
}
