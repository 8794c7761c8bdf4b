import { webcrypto } from 'node:crypto';
import { newClientMessageId } from './client-message-id';

const UUID_V4 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newClientMessageId', () => {
  it('uses randomUUID where the browser offers it', () => {
    expect(newClientMessageId(webcrypto as unknown as Crypto)).toMatch(UUID_V4);
  });

  it('builds a version-4 UUID from random bytes outside secure contexts', () => {
    // Only getRandomValues, as in a page served over plain HTTP from another host.
    const insecure = {
      getRandomValues: (array: Uint8Array) => webcrypto.getRandomValues(array),
    } as unknown as Crypto;

    const ids = new Set(
      Array.from({ length: 100 }, () => newClientMessageId(insecure)),
    );

    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });
});
