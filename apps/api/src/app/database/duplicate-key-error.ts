const DUPLICATE_KEY = 11000;

/** E11000: an insert lost to a unique index (usually a concurrent insert of the same thing). */
export function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === DUPLICATE_KEY
  );
}
