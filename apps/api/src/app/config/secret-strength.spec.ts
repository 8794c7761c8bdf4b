import { parseEncryptionKey } from './secret-strength';

describe('parseEncryptionKey', () => {
  it('accepts 64 hex characters and base64 of 32 bytes', () => {
    const key = Buffer.alloc(32, 0xab);
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64url'))).toEqual(key);
  });

  it('rejects keys of any other length', () => {
    expect(
      parseEncryptionKey(Buffer.alloc(16).toString('base64')),
    ).toBeUndefined();
    expect(parseEncryptionKey('ab'.repeat(31))).toBeUndefined();
    expect(parseEncryptionKey('not a key at all')).toBeUndefined();
  });
});
