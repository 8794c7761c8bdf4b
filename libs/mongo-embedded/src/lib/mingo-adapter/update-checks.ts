import { Document } from 'bson';
import { bsonTypeName, describeValue } from '../bson-names';
import { numericKind } from '../bson-numbers';
import { isPlainObject } from '../bson-values';
import {
  badValue,
  conflictingUpdateOperators,
  MongoServerError,
  typeMismatch,
} from '../errors';

/** Operators that create their path when it is missing (a scalar on the way makes it not viable). */
const CREATING_OPERATORS = new Set([
  '$set',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$push',
  '$addToSet',
  '$currentDate',
  '$bit',
]);

const pathNotViable = (msg: string) =>
  new MongoServerError(28, 'PathNotViable', msg);

/**
 * mongod refuses an update whose operator does not fit the value it meets (`$inc` on a string,
 * `$push` on a non-array, a field created inside a scalar) and then applies none of the update.
 * mingo skips such an operator silently, so these are checked before anything is applied.
 */
export function checkUpdateTypes(doc: Document, ops: Document): void {
  const idText = `{_id: ${describeValue(doc['_id'])}}`;
  for (const op of Object.keys(ops)) {
    const spec = ops[op];
    if (!isPlainObject(spec)) continue;
    for (const path of Object.keys(spec)) {
      const operand = spec[path];
      if (
        (op === '$inc' || op === '$mul') &&
        numericKind(operand) === undefined
      )
        throw typeMismatch(
          `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${describeValue(operand)}}`,
        );
      if (path.includes('$')) continue;
      const parts = path.split('.');
      let cur: unknown = doc;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        let next: unknown;
        if (Array.isArray(cur) && /^\d+$/.test(part)) next = cur[Number(part)];
        else if (isPlainObject(cur)) next = cur[part];
        else {
          if (CREATING_OPERATORS.has(op))
            throw pathNotViable(
              `Cannot create field '${part}' in element {${parts[i - 1]}: ${describeValue(cur)}}`,
            );
          break;
        }
        if (next === undefined) break;
        if (i === parts.length - 1) checkLeafType(op, path, part, next, idText);
        cur = next;
      }
    }
  }
}

function checkLeafType(
  op: string,
  path: string,
  field: string,
  value: unknown,
  idText: string,
): void {
  const type = bsonTypeName(value);
  switch (op) {
    case '$inc':
    case '$mul':
      if (numericKind(value) === undefined)
        throw typeMismatch(
          `Cannot apply ${op} to a value of non-numeric type. ${idText} has the field '${field}' of non-numeric type ${type}`,
        );
      return;
    case '$push':
      if (!Array.isArray(value))
        throw badValue(
          `The field '${path}' must be an array but is of type ${type} in document ${idText}`,
        );
      return;
    case '$addToSet':
      if (!Array.isArray(value))
        throw badValue(
          `Cannot apply $addToSet to non-array field. Field named '${field}' has non-array type ${type}`,
        );
      return;
    case '$pull':
    case '$pullAll':
      if (!Array.isArray(value))
        throw badValue(`Cannot apply ${op} to a non-array value`);
      return;
    case '$pop':
      if (!Array.isArray(value))
        throw typeMismatch(
          `Path '${path}' contains an element of non-array type '${type}'`,
        );
      return;
  }
}

/** mongod refuses two operators touching the same path or a path and its prefix (code 40). */
export function checkConflictingPaths(ops: Document): void {
  const seen: string[] = [];
  for (const op of Object.keys(ops)) {
    const paths = Object.keys(ops[op]);
    if (op === '$rename')
      for (const p of paths)
        if (typeof ops[op][p] === 'string') paths.push(ops[op][p]);
    for (const p of paths) {
      const norm = p.replace(/\.\$(\[[^\]]*\])?/g, '');
      for (const s of seen) {
        if (s === norm || s.startsWith(norm + '.') || norm.startsWith(s + '.'))
          throw conflictingUpdateOperators(
            `Updating the path '${p}' would create a conflict at '${s}'`,
          );
      }
      seen.push(norm);
    }
  }
}
