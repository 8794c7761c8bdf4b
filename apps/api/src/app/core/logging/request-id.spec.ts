import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { assignRequestId, isSaneRequestId } from './request-id';

function exchange(headers: Record<string, string | string[]>) {
  const request = new IncomingMessage(new Socket());
  request.headers = headers;
  return { request, response: new ServerResponse(request) };
}

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('keeps a sane incoming X-Request-Id and echoes it', () => {
    const { request, response } = exchange({
      'x-request-id': 'edge-7f3a.2026:11_30-1',
    });
    expect(assignRequestId(request, response)).toBe('edge-7f3a.2026:11_30-1');
    expect(response.getHeader('X-Request-Id')).toBe('edge-7f3a.2026:11_30-1');
  });

  it.each([
    ['spaces and quotes', 'id with "quotes"'],
    ['a line break (log forging)', 'abc\n{"level":50}'],
    ['more than 128 characters', 'a'.repeat(129)],
    ['a leading punctuation mark', '-abc'],
    ['nothing', ''],
  ])('replaces one with %s by a fresh UUID', (_case, incoming) => {
    const { request, response } = exchange({ 'x-request-id': incoming });
    const id = assignRequestId(request, response);
    expect(id).toMatch(UUID);
    expect(response.getHeader('X-Request-Id')).toBe(id);
  });

  it('generates a different id for each request without one', () => {
    const first = exchange({});
    const second = exchange({});
    expect(assignRequestId(first.request, first.response)).not.toBe(
      assignRequestId(second.request, second.response),
    );
  });

  it('refuses repeated headers (an array) rather than picking one', () => {
    expect(isSaneRequestId(['a', 'b'])).toBe(false);
    expect(isSaneRequestId('a'.repeat(128))).toBe(true);
  });
});
