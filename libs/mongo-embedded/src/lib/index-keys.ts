import type { Document } from 'bson';
import { valuesAtPath } from './bson-paths';
import { cannotIndexParallelArrays } from './errors';
import type { IndexField } from './ordered-index';

/**
 * The key tuples a document contributes to an index over `fields`, as MongoDB makes them: one per
 * element of the (at most one) array field (multikey), sorted by `compare` and without
 * duplicates; a missing field keys as null; `[]` when `sparse` and every field is missing.
 */
export function documentKeys(
  doc: Document,
  fields: readonly IndexField[],
  sparse: boolean,
  compare: (a: unknown[], b: unknown[]) => number,
): unknown[][] {
  const perField: unknown[][] = [];
  let present = false;
  let arrayField: string | undefined;
  let combos = 1;
  for (const f of fields) {
    const { values, viaArray } = valuesAtPath(doc, f.path);
    if (values.length > 0) present = true;
    const vals = values.length === 0 ? [null] : values;
    if (viaArray && vals.length > 1) {
      if (arrayField !== undefined)
        throw cannotIndexParallelArrays(
          `cannot index parallel arrays [${f.path}] [${arrayField}]`,
        );
      arrayField = f.path;
    }
    combos *= vals.length;
    perField.push(vals);
  }
  if (sparse && !present) return [];
  const w = fields.length;
  // One value per field but (at most) one array field: key k takes element k of that field.
  const keys: unknown[][] = [];
  for (let k = 0; k < combos; k++) {
    const key: unknown[] = [];
    for (let f = 0; f < w; f++) {
      const vals = perField[f];
      const v = vals.length === 1 ? vals[0] : vals[k];
      key.push(v === undefined ? null : v);
    }
    keys.push(key);
  }
  if (keys.length > 1) {
    keys.sort(compare);
    return keys.filter((k, i) => i === 0 || compare(k, keys[i - 1]) !== 0);
  }
  return keys;
}
