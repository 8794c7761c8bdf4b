/**
 * The MongoDB driver's and Mongoose's errors for "the database cannot be reached right now", by
 * name (core imports no feature code, and these names are part of both libraries' public API).
 */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/** Mongoose reports a command it buffered past bufferTimeoutMS as a plain MongooseError. */
const MONGOOSE_UNAVAILABLE_MESSAGE =
  /buffering timed out|connection was force closed|client was closed/i;

export const DATABASE_UNAVAILABLE_MESSAGE =
  'The database is unavailable, try again shortly';

/** True for errors that mean "try again later" (a 503), not a bug in the request or the code. */
export function isDatabaseUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
  return (
    error.name === 'MongooseError' &&
    MONGOOSE_UNAVAILABLE_MESSAGE.test(error.message)
  );
}
