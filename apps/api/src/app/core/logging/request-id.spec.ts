import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { isSaneRequestId, requestIdFor } from './request-id';

function requestWith(headers: Record<string, string | string[]>) {
  const request = new IncomingMessage(new Socket());
  request.headers = headers;
  return request;
}

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  // That the id goes back in X-Request-Id is shown over HTTP (request-tracing.e2e.spec.ts).
  it('keeps a sane incoming X-Request-Id', () => {
    const request = requestWith({ 'x-request-id': 'edge-7f3a.2026:11_30-1' });
    expect(requestIdFor(request)).toBe('edge-7f3a.2026:11_30-1');
  });

  it.each([
    ['spaces and quotes', 'id with "quotes"'],
    ['a line break (log forging)', 'abc\n{"level":50}'],
    ['more than 128 characters', 'a'.repeat(129)],
    ['a leading punctuation mark', '-abc'],
    ['nothing', ''],
  ])('replaces one with %s by a fresh UUID', (_case, incoming) => {
    expect(requestIdFor(requestWith({ 'x-request-id': incoming }))).toMatch(
      UUID,
    );
  });

  it('generates a different id for each request without one', () => {
    expect(requestIdFor(requestWith({}))).not.toBe(
      requestIdFor(requestWith({})),
    );
  });

  it('refuses repeated headers (an array) rather than picking one', () => {
    expect(isSaneRequestId(['a', 'b'])).toBe(false);
    expect(isSaneRequestId('a'.repeat(128))).toBe(true);
  });
});
