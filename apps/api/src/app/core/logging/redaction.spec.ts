import { Writable } from 'node:stream';
import { REDACTED, scrubText } from './redaction';
import { createRootLogger } from './root-logger';

describe('scrubText', () => {
  it('censors credential query parameters in a URL, keeping the rest', () => {
    expect(
      scrubText(
        '/webhook/instagram?hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=42',
      ),
    ).toBe(
      `/webhook/instagram?hub.mode=subscribe&hub.verify_token=${REDACTED}&hub.challenge=42`,
    );
    expect(
      scrubText(
        'https://graph.facebook.com/v26.0/me?access_token=EAAB123&fields=id&appsecret_proof=abc',
      ),
    ).toBe(
      `https://graph.facebook.com/v26.0/me?access_token=${REDACTED}&fields=id&appsecret_proof=${REDACTED}`,
    );
    expect(
      scrubText('/api/instagram/auth/instagram/callback?code=AQD9&state=xyz'),
    ).toBe(
      `/api/instagram/auth/instagram/callback?code=${REDACTED}&state=${REDACTED}`,
    );
  });

  it('censors tokens by their shape in free text', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI2NTAwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const text = [
      `Authorization: Bearer ${jwt}`,
      'token IGAAJxZ4bLtoken0123456789abcdefghijkl refused',
      'page token EAAGm0PX4ZCpsBAKZCZBtoken0123456789 expired',
      `signature sha256=${'ab'.repeat(32)} did not match`,
      `bare ${jwt}`,
    ].join('\n');
    const scrubbed = scrubText(text);
    for (const secret of [jwt, 'IGAAJxZ4bL', 'EAAGm0PX4Z', 'ab'.repeat(32)])
      expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('refused');
  });

  it('leaves ordinary text alone', () => {
    const text = 'Webhook delivery 6560f0c2 taken up (attempt 2): code 10';
    expect(scrubText(text)).toBe(text);
  });
});

describe('the root logger', () => {
  function capture() {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createRootLogger({
      level: 'info',
      pretty: false,
      destination,
    });
    return { logger, lines };
  }

  it('writes one JSON object per line', () => {
    const { logger, lines } = capture();
    logger.info({ requestId: 'r-1' }, 'hello');
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 30,
      requestId: 'r-1',
      msg: 'hello',
    });
  });

  it('censors secret and private fields, at the top level and one down', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'hunter2-password',
        accessToken: 'plain-access-token',
        message: { text: 'my private words', mid: 'm_1' },
        reply: { pageAccessToken: 'page-token-value' },
        req: {
          headers: {
            authorization: 'Bearer abc',
            cookie: 'session=1',
            'x-hub-signature-256': 'sha256=00',
          },
        },
      },
      'a line',
    );
    for (const secret of [
      'hunter2-password',
      'plain-access-token',
      'my private words',
      'page-token-value',
      'Bearer abc',
      'session=1',
      'sha256=00',
    ])
      expect(lines[0]).not.toContain(secret);
    expect(JSON.parse(lines[0]).message).toEqual({
      text: REDACTED,
      mid: 'm_1',
    });
  });

  it('scrubs credentials out of the message itself', () => {
    const { logger, lines } = capture();
    logger.warn('GET /me?access_token=EAAsecretvalue failed');
    expect(JSON.parse(lines[0]).msg).toBe(
      `GET /me?access_token=${REDACTED} failed`,
    );
  });
});
