import type { Document } from 'bson';

/** An error reported to the client the way mongod reports it: `{ ok: 0, errmsg, code, codeName }`. */
export class MongoServerError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Document = {},
  ) {
    super(message);
  }

  toReply(): Document {
    return {
      ok: 0,
      errmsg: this.message,
      code: this.code,
      codeName: this.codeName,
      ...this.extra,
    };
  }
}

export const badValue = (msg: string) =>
  new MongoServerError(2, 'BadValue', msg);
export const failedToParse = (msg: string) =>
  new MongoServerError(9, 'FailedToParse', msg);
export const typeMismatch = (msg: string) =>
  new MongoServerError(14, 'TypeMismatch', msg);
export const illegalOperation = (msg: string) =>
  new MongoServerError(20, 'IllegalOperation', msg);
export const namespaceNotFound = (msg: string) =>
  new MongoServerError(26, 'NamespaceNotFound', msg);
export const indexNotFound = (msg: string) =>
  new MongoServerError(27, 'IndexNotFound', msg);
export const cursorNotFound = (msg: string) =>
  new MongoServerError(43, 'CursorNotFound', msg);
export const namespaceExists = (msg: string) =>
  new MongoServerError(48, 'NamespaceExists', msg);
export const commandNotFound = (name: string) =>
  new MongoServerError(59, 'CommandNotFound', `no such command: '${name}'`);
export const immutableField = (msg: string) =>
  new MongoServerError(66, 'ImmutableField', msg);
export const cannotCreateIndex = (msg: string) =>
  new MongoServerError(67, 'CannotCreateIndex', msg);
export const indexOptionsConflict = (msg: string) =>
  new MongoServerError(85, 'IndexOptionsConflict', msg);
export const indexKeySpecsConflict = (msg: string) =>
  new MongoServerError(86, 'IndexKeySpecsConflict', msg);
export const conflictingUpdateOperators = (msg: string) =>
  new MongoServerError(40, 'ConflictingUpdateOperators', msg);
export const invalidNamespace = (msg: string) =>
  new MongoServerError(73, 'InvalidNamespace', msg);
export const cannotIndexParallelArrays = (msg: string) =>
  new MongoServerError(171, 'CannotIndexParallelArrays', msg);
export const notImplemented = (msg: string) =>
  new MongoServerError(238, 'NotImplemented', msg);

export class DuplicateKeyError extends MongoServerError {
  constructor(message: string, keyPattern: Document, keyValue: Document) {
    super(11000, 'DuplicateKey', message, { keyPattern, keyValue });
  }
  get keyPattern(): Document {
    return this.extra['keyPattern'];
  }
  get keyValue(): Document {
    return this.extra['keyValue'];
  }
}

/** Turns anything thrown while running a command into a mongod-shaped error. */
export function toServerError(err: unknown): MongoServerError {
  if (err instanceof MongoServerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/immutable field/.test(message)) return immutableField(message);
  if (/would create a conflict at/.test(message))
    return conflictingUpdateOperators(message);
  if (/^unknown (query )?operator/i.test(message))
    return badValue(
      message.replace(/^unknown query operator/, 'unknown operator:'),
    );
  if (err instanceof Error && err.constructor.name === 'MingoError')
    return badValue(message);
  return new MongoServerError(1, 'InternalError', message);
}
