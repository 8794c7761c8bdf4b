import { Document } from 'bson';
import { compareValues } from './bson-order';
import { valuesAtPath } from './bson-paths';
import { isPlainObject } from './bson-values';
import { badValue } from './errors';

/** Sorts items by a sort spec with MongoDB's value order (arrays by their min / max element). */
export function sortBy<T>(
  items: T[],
  sort: Document,
  docOf: (item: T) => Document,
): T[] {
  const fields = Object.keys(sort).map((path) => {
    const spec = sort[path];
    if (isPlainObject(spec))
      throw badValue(
        `sort by ${JSON.stringify(spec)} ($meta) is not supported`,
      );
    const dir = Number(spec);
    if (dir !== 1 && dir !== -1)
      throw badValue(
        `$sort key ordering must be 1 (for ascending) or -1 (for descending)`,
      );
    return { path, dir };
  });
  if (fields.length === 0) return items;
  const keyOf = (doc: Document, path: string, dir: number): unknown => {
    const { values } = valuesAtPath(doc, path);
    if (values.length === 0) return null;
    if (values.length === 1) return values[0] === undefined ? null : values[0];
    let pick = values[0];
    for (const v of values) if (compareValues(v, pick) * dir < 0) pick = v;
    return pick;
  };
  const keyed = items.map((item, pos) => ({
    item,
    pos,
    keys: fields.map((f) => keyOf(docOf(item), f.path, f.dir)),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const c = compareValues(a.keys[i], b.keys[i]);
      if (c !== 0) return c * fields[i].dir;
    }
    return a.pos - b.pos;
  });
  return keyed.map((k) => k.item);
}
