import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { isSignedByMeta } from './webhook-signature';

const sign = (body: Buffer, secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('isSignedByMeta', () => {
  const body = Buffer.from('{"object":"instagram","entry":[{"id":"1"}]}');
  const secrets = ['facebook-app-secret', 'instagram-app-secret'];

  it.each(secrets)('accepts a body signed with the secret %s', (secret) => {
    expect(isSignedByMeta(body, sign(body, secret), secrets)).toBe(true);
  });

  it('accepts the hex digits in capitals', () => {
    const header = sign(body, secrets[0]).replace(/[a-f]/g, (c) =>
      c.toUpperCase(),
    );
    expect(
      isSignedByMeta(body, header.replace('SHA256=', 'sha256='), secrets),
    ).toBe(true);
  });

  it('refuses a missing header', () => {
    expect(isSignedByMeta(body, undefined, secrets)).toBe(false);
    expect(isSignedByMeta(body, '', secrets)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    expect(isSignedByMeta(body, sign(body, 'not-our-secret'), secrets)).toBe(
      false,
    );
  });

  it('refuses a signature of other bytes (one byte changed)', () => {
    const tampered = Buffer.from(body);
    tampered[tampered.length - 2] ^= 1;
    expect(isSignedByMeta(tampered, sign(body, secrets[0]), secrets)).toBe(
      false,
    );
  });

  it.each([
    ['the legacy SHA-1 form', `sha1=${'a'.repeat(40)}`],
    ['no prefix', 'a'.repeat(64)],
    ['a short digest', `sha256=${'a'.repeat(63)}`],
    ['non-hex digits', `sha256=${'g'.repeat(64)}`],
  ])('refuses %s', (_label, header) => {
    expect(isSignedByMeta(body, header, secrets)).toBe(false);
  });

  it('refuses everything when no secret is configured', () => {
    expect(isSignedByMeta(body, sign(body, ''), [])).toBe(false);
    expect(isSignedByMeta(body, sign(body, ''), [''])).toBe(false);
  });

  it('never throws and accepts only the right signature, whatever the header', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.string(),
        (bytes, header) => {
          const raw = Buffer.from(bytes);
          expect(isSignedByMeta(raw, header, secrets)).toBe(
            secrets.some((s) => sign(raw, s) === header.toLowerCase()),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
