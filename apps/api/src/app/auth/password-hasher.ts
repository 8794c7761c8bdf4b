import { Injectable } from '@nestjs/common';
import {
  randomBytes,
  scrypt,
  type ScryptOptions,
  timingSafeEqual,
} from 'node:crypto';

const ALGORITHM = 'scrypt';
const KEY_LENGTH = 64;
const SALT_LENGTH = 16;
/**
 * N=2^15 costs 32 MiB and roughly 100 ms per hash here. OWASP suggests 2^17; raising it later is
 * safe because every stored hash names its own parameters.
 */
const DEFAULT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
/** 256 MiB: room for N=2^17 (OWASP's suggestion) and above, but bounded. */
const MAX_SCRYPT_MEMORY = 2 ** 28;

/**
 * Password hashing with Node's scrypt. The stored form carries its own parameters and salt,
 * `scrypt$N$r$p$salt$hash` (base64), so the cost can be raised later without invalidating old hashes.
 */
@Injectable()
export class PasswordHasher {
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await derive(password, salt, DEFAULT_PARAMS);
    const { N, r, p } = DEFAULT_PARAMS;
    return [
      ALGORITHM,
      N,
      r,
      p,
      salt.toString('base64'),
      key.toString('base64'),
    ].join('$');
  }

  /** False for a wrong password and for anything that is not a hash this class produced. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parse(stored);
    if (!parsed) return false;
    const key = await derive(password, parsed.salt, parsed.params);
    return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  }
}

interface ParsedHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  key: Buffer;
}

function parse(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== ALGORITHM) return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((value) => Number.isSafeInteger(value) && value > 0))
    return undefined;
  // Parameters scrypt would throw on (N not a power of two), or that would make one login
  // allocate more than MAX_SCRYPT_MEMORY, are a malformed hash, not a reason to crash.
  if (N < 2 || (N & (N - 1)) !== 0 || 128 * N * r > MAX_SCRYPT_MEMORY || p > 16)
    return undefined;
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  if (salt.length === 0 || key.length !== KEY_LENGTH) return undefined;
  return { params: { N, r, p }, salt, key };
}

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; the default maxmem (32 MiB) is exactly the limit for N=2^15, r=8.
  const options: ScryptOptions = {
    ...params,
    maxmem: 256 * params.N * params.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      options,
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}
