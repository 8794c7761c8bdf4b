import { randomBytes } from 'node:crypto';
import {
  type SealedToken,
  TokenCipher,
  TokenUnsealError,
} from './token-cipher';

const TOKEN = 'IGAAsandboxTokenValue0123456789abcdef';
const CONTEXT = 'instagram:17841405822304914';

/** Flips one bit of a base64 field. */
function flipBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] ^= 0x01;
  return bytes.toString('base64');
}

function unsealFailure(
  cipher: TokenCipher,
  sealed: SealedToken,
  context = CONTEXT,
): unknown {
  try {
    cipher.unseal(sealed, context);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('TokenCipher', () => {
  const key = randomBytes(32);
  const cipher = new TokenCipher(key);

  it('opens what it sealed', () => {
    expect(cipher.unseal(cipher.seal(TOKEN, CONTEXT), CONTEXT)).toBe(TOKEN);
  });

  it('keeps no trace of the token in the sealed form', () => {
    const sealed = cipher.seal(TOKEN, CONTEXT);
    const stored = JSON.stringify(sealed);
    expect(stored).not.toContain(TOKEN);
    expect(stored).not.toContain(Buffer.from(TOKEN).toString('base64'));
    expect(stored).not.toContain(Buffer.from(TOKEN).toString('hex'));
  });

  it('seals the same token differently every time (random iv)', () => {
    const first = cipher.seal(TOKEN, CONTEXT);
    const second = cipher.seal(TOKEN, CONTEXT);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
  });

  it.each(['ciphertext', 'tag', 'iv'] as const)(
    'refuses a sealed token whose %s was altered',
    (field) => {
      const sealed = cipher.seal(TOKEN, CONTEXT);
      const error = unsealFailure(cipher, {
        ...sealed,
        [field]: flipBit(sealed[field]),
      });
      expect(error).toBeInstanceOf(TokenUnsealError);
      expect(error).toMatchObject({ failure: 'tampered' });
    },
  );

  it('refuses a truncated tag rather than accepting a shorter one', () => {
    const sealed = cipher.seal(TOKEN, CONTEXT);
    const shortTag = Buffer.from(sealed.tag, 'base64')
      .subarray(0, 4)
      .toString('base64');
    expect(unsealFailure(cipher, { ...sealed, tag: shortTag })).toMatchObject({
      failure: 'tampered',
    });
  });

  it('refuses a sealed token moved onto another record (context mismatch)', () => {
    const sealed = cipher.seal(TOKEN, CONTEXT);
    expect(
      unsealFailure(cipher, sealed, 'instagram:17841405822304915'),
    ).toMatchObject({ failure: 'tampered' });
  });

  it('refuses a key id it does not hold', () => {
    const sealed = cipher.seal(TOKEN, CONTEXT);
    const error = unsealFailure(cipher, {
      ...sealed,
      keyId: 'feedfacefeedface',
    });
    expect(error).toBeInstanceOf(TokenUnsealError);
    expect(error).toMatchObject({ failure: 'unknown_key' });
  });

  it('cannot open a token sealed under another key', () => {
    const other = new TokenCipher(randomBytes(32));
    expect(unsealFailure(other, cipher.seal(TOKEN, CONTEXT))).toMatchObject({
      failure: 'unknown_key',
    });
  });

  it('never puts the token in its error messages', () => {
    const sealed = cipher.seal(TOKEN, CONTEXT);
    const error = unsealFailure(cipher, {
      ...sealed,
      tag: flipBit(sealed.tag),
    }) as Error;
    expect(error.message).not.toContain(TOKEN);
  });

  describe('key rotation', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new TokenCipher(oldKey);
    const after = new TokenCipher(newKey, [oldKey]);

    it('stores the id of the sealing key beside the token', () => {
      expect(before.seal(TOKEN, CONTEXT).keyId).toBe(
        TokenCipher.keyIdOf(oldKey),
      );
      expect(after.seal(TOKEN, CONTEXT).keyId).toBe(
        TokenCipher.keyIdOf(newKey),
      );
    });

    it('still opens tokens sealed with a previous key', () => {
      const sealedBefore = before.seal(TOKEN, CONTEXT);
      expect(after.unseal(sealedBefore, CONTEXT)).toBe(TOKEN);
    });

    it('cannot open them any more once the previous key is dropped', () => {
      const sealedBefore = before.seal(TOKEN, CONTEXT);
      expect(
        unsealFailure(new TokenCipher(newKey), sealedBefore),
      ).toMatchObject({ failure: 'unknown_key' });
    });
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new TokenCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
