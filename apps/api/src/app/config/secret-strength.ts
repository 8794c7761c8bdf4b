import type { Fail, Read } from './env-value-parsers';

const JWT_SECRET_MIN_LENGTH = 32;
/**
 * A low bar that no generated secret fails (32 random base64 characters have about 25 different
 * ones; 32 random bytes about 30), but that catches the hand-made ones: repeated characters, a
 * short pattern, an all-zero or single-byte key.
 */
const JWT_SECRET_MIN_DISTINCT_CHARACTERS = 10;
const ENCRYPTION_KEY_MIN_DISTINCT_BYTES = 16;

/**
 * JWT_SECRET when set and strong enough; undefined when unset (outside production a generated
 * secret stands in) or rejected. The secret itself never appears in a problem.
 */
export function readJwtSecret(
  read: Read,
  fail: Fail,
  production: boolean,
): string | undefined {
  const jwtSecret = read('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < JWT_SECRET_MIN_LENGTH) {
    return fail(
      'JWT_SECRET',
      `must be at least ${JWT_SECRET_MIN_LENGTH} characters long`,
    );
  } else if (jwtSecret === undefined && production) {
    return fail(
      'JWT_SECRET',
      `is required in production (a random string of at least ${JWT_SECRET_MIN_LENGTH} characters)`,
    );
  } else if (
    jwtSecret !== undefined &&
    production &&
    new Set(jwtSecret).size < JWT_SECRET_MIN_DISTINCT_CHARACTERS
  ) {
    return fail(
      'JWT_SECRET',
      `is not random enough (fewer than ${JWT_SECRET_MIN_DISTINCT_CHARACTERS} different characters); generate one, e.g. with \`openssl rand -base64 48\``,
    );
  }
  return jwtSecret;
}

/** TOKEN_ENCRYPTION_KEY decoded, on the same terms as `readJwtSecret`. */
export function readTokenEncryptionKey(
  read: Read,
  fail: Fail,
  production: boolean,
): Buffer | undefined {
  const rawEncryptionKey = read('TOKEN_ENCRYPTION_KEY');
  const tokenEncryptionKey =
    rawEncryptionKey === undefined
      ? undefined
      : parseEncryptionKey(rawEncryptionKey);
  if (rawEncryptionKey !== undefined && tokenEncryptionKey === undefined) {
    return fail(
      'TOKEN_ENCRYPTION_KEY',
      'must be 32 bytes, as 64 hex characters or base64',
    );
  } else if (rawEncryptionKey === undefined && production) {
    return fail(
      'TOKEN_ENCRYPTION_KEY',
      'is required in production (32 bytes, as 64 hex characters or base64)',
    );
  } else if (
    tokenEncryptionKey !== undefined &&
    production &&
    new Set(tokenEncryptionKey).size < ENCRYPTION_KEY_MIN_DISTINCT_BYTES
  ) {
    return fail(
      'TOKEN_ENCRYPTION_KEY',
      `is not random (fewer than ${ENCRYPTION_KEY_MIN_DISTINCT_BYTES} different byte values, e.g. all zeros); generate one, e.g. with \`openssl rand -base64 32\``,
    );
  }
  return tokenEncryptionKey;
}

/** Accepts 64 hex characters or base64 (standard or url-safe) that decodes to exactly 32 bytes. */
export function parseEncryptionKey(value: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

const METRICS_TOKEN_MIN_LENGTH = 16;

/**
 * METRICS_TOKEN when set and usable as a Bearer token (a scraper sends it in a header); undefined
 * when unset, which leaves `/metrics` unserved. Never echoed in a problem.
 */
export function readMetricsToken(read: Read, fail: Fail): string | undefined {
  const token = read('METRICS_TOKEN');
  if (token === undefined) return undefined;
  if (token.length < METRICS_TOKEN_MIN_LENGTH || !/^[\x21-\x7e]+$/.test(token))
    return fail(
      'METRICS_TOKEN',
      `must be at least ${METRICS_TOKEN_MIN_LENGTH} printable characters without spaces (e.g. \`openssl rand -hex 24\`)`,
    );
  return token;
}
