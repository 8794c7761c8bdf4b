import { Document } from 'bson';
import { cloneValue, isPlainObject } from '../bson-values';
import { hasExoticNumbers, toQueryView } from './query-view';
import { badValue, toServerError } from '../errors';
import { MINGO_BUILT_OPTIONS, Query } from './context';

/** Applies a find projection. Plain inclusion / exclusion is done here; operators go to mingo. */
export function projectDocuments(
  docs: Document[],
  rawProjection: Document | undefined,
  filter: Document,
): Document[] {
  if (!rawProjection || Object.keys(rawProjection).length === 0) return docs;
  const projection = toQueryView(rawProjection);
  const keys = Object.keys(projection);
  const simple = keys.every(
    (k) =>
      !k.includes('$') &&
      (typeof projection[k] === 'number' || typeof projection[k] === 'boolean'),
  );
  const slices = simple ? null : slicesOfExclusion(projection, keys);
  if (slices) {
    // `$slice` without inclusions is an exclusion projection: every other field stays (mingo
    // would keep only `_id` and the sliced fields, as in an inclusion).
    const rest: Document = {};
    for (const key of keys) if (!slices.has(key)) rest[key] = projection[key];
    return projectDocuments(docs, rest, filter).map((doc) => {
      let out: unknown = doc;
      for (const [path, spec] of slices) {
        out = withSlice(out, path.split('.'), spec);
      }
      return out as Document;
    });
  }
  if (!simple) {
    try {
      // Only a positional projection (`a.$`) needs the filter; the documents already matched it.
      const positional = keys.some((k) => k.endsWith('.$'));
      const q = new Query(
        positional ? toQueryView(filter) : {},
        MINGO_BUILT_OPTIONS,
      );
      const input = docs.map((d) =>
        hasExoticNumbers(d) ? toQueryView(d) : cloneValue(d),
      );
      return q.find(input, projection).all() as Document[];
    } catch (err) {
      throw toServerError(err);
    }
  }
  const included = keys.filter((k) => k !== '_id' && Boolean(projection[k]));
  const excluded = keys.filter((k) => !projection[k]);
  const idExcluded = '_id' in projection && !projection['_id'];
  if (included.length > 0 && excluded.some((k) => k !== '_id'))
    throw badValue('Cannot do exclusion on field in inclusion projection');
  // `{_id: 1}` alone is an inclusion of `_id` only, as in MongoDB (Mongoose's exists() sends it).
  if (included.length > 0 || (keys.length > 0 && excluded.length === 0)) {
    const includedParts = included.map((path) => path.split('.'));
    const key = JSON.stringify(['+', idExcluded, included]);
    return docs.map((doc) =>
      projectedOnce(doc, key, () => {
        const out: Document = {};
        if (!idExcluded && '_id' in doc) out['_id'] = doc['_id'];
        for (const parts of includedParts) copyPath(doc, out, parts);
        return out;
      }),
    );
  }
  // Like an inclusion (and a find without projection), the result shares what it keeps with the
  // stored document: only the objects on an excluded path are copied, never the whole document.
  const excludedParts = excluded.map((path) => path.split('.'));
  const key = JSON.stringify(['-', excluded]);
  return docs.map((doc) =>
    projectedOnce(
      doc,
      key,
      () =>
        excludedParts.reduce<unknown>(
          (out, parts) => withoutPath(out, parts),
          doc,
        ) as Document,
    ),
  );
}

/**
 * The last plain projection of a stored document, kept on it under a symbol (never serialized,
 * never copied; stored documents are replaced, never changed in place, so it cannot go stale).
 * Pages of the same messages are read over and over with the same projection: the projected copy
 * keeps its own cached BSON (wire-protocol.ts), so a page already sent is neither projected nor
 * encoded again. `key` names the projection (its kind and paths). What it costs: one projected
 * copy and its BSON per document read with a projection, released with that version of it.
 */
const PROJECTED = Symbol('mongo-embedded.projected');

function projectedOnce(
  doc: Document,
  key: string,
  project: () => Document,
): Document {
  const holder = doc as Document & {
    [PROJECTED]?: { key: string; doc: Document };
  };
  const cached = holder[PROJECTED];
  if (cached !== undefined && cached.key === key) return cached.doc;
  const projected = project();
  if (cached !== undefined) {
    // Another projection of the same document: the newer one is kept.
    cached.key = key;
    cached.doc = projected;
  } else {
    Object.defineProperty(doc, PROJECTED, {
      value: { key, doc: projected },
      enumerable: false,
    });
  }
  return projected;
}

function copyPath(src: unknown, dst: Document, parts: string[]): void {
  if (!isPlainObject(src) || !(parts[0] in src)) return;
  const v = src[parts[0]];
  if (parts.length === 1) {
    dst[parts[0]] = v;
    return;
  }
  if (Array.isArray(v)) {
    const arr = (
      Array.isArray(dst[parts[0]]) ? dst[parts[0]] : []
    ) as unknown[];
    v.forEach((e, i) => {
      if (isPlainObject(e)) {
        const target = (isPlainObject(arr[i]) ? arr[i] : {}) as Document;
        copyPath(e, target, parts.slice(1));
        arr[i] = target;
      }
    });
    dst[parts[0]] = arr.filter((e) => e !== undefined);
  } else if (isPlainObject(v)) {
    const target = (
      isPlainObject(dst[parts[0]]) ? dst[parts[0]] : {}
    ) as Document;
    copyPath(v, target, parts.slice(1));
    dst[parts[0]] = target;
  }
}

/**
 * `value` without the field at `parts` (through arrays, as MongoDB does), leaving `value` as it is:
 * the objects and arrays on the way to the field are copied, anything else is shared; a value
 * without the field comes back as it is.
 */
function withoutPath(value: unknown, parts: string[]): unknown {
  return rewritePath(value, parts, true, (holder) => {
    // Built without the field rather than copied and deleted from: a deletion turns the copy into
    // a slow dictionary object, for the encoder and the garbage collector. Own string keys only
    // (the objects on the way to it are spread, in rewritePath; BSON encodes no symbol either way).
    const copy: Document = {};
    for (const key of Object.keys(holder)) {
      if (key === parts[parts.length - 1]) continue;
      if (key === '__proto__')
        Object.defineProperty(copy, key, {
          value: holder[key],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else copy[key] = holder[key];
    }
    return copy;
  });
}

/**
 * `value` with `rewrite` applied to each object that holds the field at `parts` (through arrays of
 * documents, as MongoDB does; through arrays nested in arrays too when `nestedArrays`), leaving
 * `value` as it is: the objects and arrays on the way are copied when something under them
 * changed, anything else is shared; a value without the field comes back as it is.
 */
function rewritePath(
  value: unknown,
  parts: string[],
  nestedArrays: boolean,
  rewrite: (holder: Document) => Document,
): unknown {
  if (Array.isArray(value)) {
    const elements = value.map((element) =>
      nestedArrays || !Array.isArray(element)
        ? rewritePath(element, parts, nestedArrays, rewrite)
        : element,
    );
    return elements.some((element, i) => element !== value[i])
      ? elements
      : value;
  }
  if (
    !isPlainObject(value) ||
    !Object.prototype.hasOwnProperty.call(value, parts[0])
  )
    return value;
  if (parts.length === 1) return rewrite(value);
  const inner = rewritePath(
    value[parts[0]],
    parts.slice(1),
    nestedArrays,
    rewrite,
  );
  return inner === value[parts[0]] ? value : { ...value, [parts[0]]: inner };
}

/** `{$slice: n}` or `{$slice: [skip, limit]}` (limit positive): what a projection slices an array by. */
type SliceSpec = number | [number, number];

/**
 * The `$slice` fields of a projection that otherwise only excludes (no field, `_id` included, is
 * asked for by 1 or true), by path; null for any other projection (mingo's), or a `$slice` that is
 * not a valid count, which mingo then refuses as it does.
 */
function slicesOfExclusion(
  projection: Document,
  keys: string[],
): Map<string, SliceSpec> | null {
  const slices = new Map<string, SliceSpec>();
  for (const key of keys) {
    const value = projection[key];
    if (key.includes('$')) return null;
    if (typeof value === 'number' || typeof value === 'boolean') {
      if (value) return null;
      continue;
    }
    if (!isPlainObject(value)) return null;
    const operators = Object.keys(value);
    if (operators.length !== 1 || operators[0] !== '$slice') return null;
    const spec = value['$slice'];
    if (typeof spec === 'number' && Number.isFinite(spec)) {
      slices.set(key, Math.trunc(spec));
    } else if (
      Array.isArray(spec) &&
      spec.length === 2 &&
      spec.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
      // mongod makes the limit an integer first: 0.5 is a limit of 0, refused.
      Math.trunc(spec[1]) > 0
    ) {
      slices.set(key, [Math.trunc(spec[0]), Math.trunc(spec[1])]);
    } else {
      return null;
    }
  }
  if (slices.size === 0) return null;
  // A path inside another one (a slice inside an excluded field, or two slices one in the other)
  // is a collision: mingo's to refuse. One pass over the paths' prefixes, whatever the count.
  const paths = new Set(keys);
  for (const key of keys) {
    for (
      let dot = key.indexOf('.');
      dot !== -1;
      dot = key.indexOf('.', dot + 1)
    ) {
      if (paths.has(key.slice(0, dot))) return null;
    }
  }
  return slices;
}

/**
 * `value` with the array at `parts` sliced (through arrays of documents, as MongoDB does), leaving
 * `value` as it is (rewritePath); a field that is not an array is left as it is.
 */
function withSlice(value: unknown, parts: string[], spec: SliceSpec): unknown {
  const field = parts[parts.length - 1];
  return rewritePath(value, parts, false, (holder) => {
    const array = holder[field];
    return Array.isArray(array)
      ? { ...holder, [field]: sliceOf(array, spec) }
      : holder;
  });
}

/** MongoDB's `$slice`: the first n (n ≥ 0) or last -n elements, or `limit` after `skip` (from the end when negative). */
function sliceOf(array: unknown[], spec: SliceSpec): unknown[] {
  if (typeof spec === 'number') {
    return spec >= 0
      ? array.slice(0, spec)
      : array.slice(Math.max(array.length + spec, 0));
  }
  const [skip, limit] = spec;
  const start =
    skip >= 0 ? Math.min(skip, array.length) : Math.max(array.length + skip, 0);
  return array.slice(start, start + limit);
}
