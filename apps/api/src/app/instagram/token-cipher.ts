import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
} from 'node:crypto';

/** A token sealed with AES-256-GCM; every part base64. */
export interface SealedToken {
  /** Which key sealed it (see `TokenCipher.keyIdOf`), so keys can rotate without a migration. */
  keyId: string;
  iv: string;
  /** GCM's authentication tag: any change to the ciphertext, the iv or the context fails it. */
  tag: string;
  ciphertext: string;
}

export type TokenUnsealFailure = 'unknown_key' | 'tampered';

/** The token cannot be recovered; the message never includes any part of it. */
export class TokenUnsealError extends Error {
  constructor(readonly failure: TokenUnsealFailure) {
    super(
      failure === 'unknown_key'
        ? 'The token was sealed with a key this server does not hold'
        : 'The sealed token, or the record it was sealed for, has been altered',
    );
    this.name = TokenUnsealError.name;
  }
}

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
/** 96 bits: GCM's native nonce size; random per seal, so one key may seal about 2^32 tokens. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals third-party tokens (Meta's) for storage: AES-256-GCM with a random iv per token, and a
 * `context` (e.g. the Instagram account id) authenticated with it, so a sealed token copied onto
 * another record does not open there. New tokens use the current key; tokens sealed with an older
 * key still open while that key is listed among `previousKeys`, which is how the key rotates.
 */
export class TokenCipher {
  private readonly currentKeyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(currentKey: Buffer, previousKeys: readonly Buffer[] = []) {
    for (const key of [currentKey, ...previousKeys]) {
      if (key.length !== KEY_BYTES)
        throw new Error(`TokenCipher: keys must be ${KEY_BYTES} bytes`);
      this.keys.set(TokenCipher.keyIdOf(key), key);
    }
    this.currentKeyId = TokenCipher.keyIdOf(currentKey);
  }

  /** A short public name for a key: a hash of it, useless for recovering the key. */
  static keyIdOf(key: Buffer): string {
    return createHash('sha256')
      .update('instantchat:token-key-id:')
      .update(key)
      .digest('hex')
      .slice(0, 16);
  }

  seal(token: string, context: string): SealedToken {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(
      ALGORITHM,
      this.keys.get(this.currentKeyId) as Buffer,
      iv,
      { authTagLength: TAG_BYTES },
    );
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([
      cipher.update(token, 'utf8'),
      cipher.final(),
    ]);
    return {
      keyId: this.currentKeyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  /** The token, or a `TokenUnsealError`; `context` must be the one it was sealed with. */
  unseal(sealed: SealedToken, context: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new TokenUnsealError('unknown_key');
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
      throw new TokenUnsealError('tampered');
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new TokenUnsealError('tampered');
    }
  }
}
