import { isPlainObject } from './bson-values';
import { EMPTY_ARRAY_KEY } from './bson-order';

/**
 * Values at a dotted path, expanding arrays as MongoDB does for indexes (multikey): `{a: [{b: 1},
 * {b: 2}]}` at `a.b` gives `[1, 2]`; an empty array gives EMPTY_ARRAY_KEY. An absent path gives
 * `[]`; the caller decides what missing means.
 */
export function valuesAtPath(
  doc: unknown,
  path: string,
): { values: unknown[]; viaArray: boolean } {
  const parts = path.split('.');
  const values: unknown[] = [];
  let viaArray = false;
  const walk = (v: unknown, i: number): void => {
    if (i === parts.length) {
      if (Array.isArray(v)) {
        viaArray = true;
        if (v.length === 0) values.push(EMPTY_ARRAY_KEY);
        else for (const e of v) values.push(e);
      } else values.push(v);
      return;
    }
    if (Array.isArray(v)) {
      viaArray = true;
      const idx = /^\d+$/.test(parts[i]) ? Number(parts[i]) : -1;
      if (idx >= 0 && idx < v.length) walk(v[idx], i + 1);
      for (const e of v) if (isPlainObject(e)) walk(e, i);
      return;
    }
    if (!isPlainObject(v)) return;
    if (!(parts[i] in v)) return;
    walk(v[parts[i]], i + 1);
  };
  walk(doc, 0);
  return { values, viaArray };
}

/** The single value at a dotted path without array expansion (undefined when absent). */
export function valueAtPath(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(v) && /^\d+$/.test(part)) v = v[Number(part)];
    else if (isPlainObject(v)) v = v[part];
    else return undefined;
  }
  return v;
}
