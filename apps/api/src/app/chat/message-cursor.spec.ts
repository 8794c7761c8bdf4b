import { Types } from 'mongoose';
import { decodeMessageCursor, encodeMessageCursor } from './message-cursor';

describe('message cursor', () => {
  it('round-trips the time and id of a message', () => {
    const position = {
      createdAt: new Date('2026-11-25T10:00:00.123Z'),
      id: new Types.ObjectId(),
    };

    const decoded = decodeMessageCursor(encodeMessageCursor(position));

    expect(decoded?.createdAt.toISOString()).toBe('2026-11-25T10:00:00.123Z');
    expect(decoded?.id.equals(position.id)).toBe(true);
  });

  it('is URL-safe, so it can travel in a query string unescaped', () => {
    const cursor = encodeMessageCursor({
      createdAt: new Date(),
      id: new Types.ObjectId(),
    });

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['arbitrary text', 'not-a-cursor'],
    ['an empty string', ''],
    ['a message id', new Types.ObjectId().toHexString()],
    [
      'a cursor with a malformed id',
      Buffer.from('1700000000000:zz').toString('base64url'),
    ],
    [
      'a cursor with extra parts',
      Buffer.from(`1:${new Types.ObjectId().toHexString()}:x`).toString(
        'base64url',
      ),
    ],
  ])('rejects %s', (_label, cursor) => {
    expect(decodeMessageCursor(cursor)).toBeNull();
  });
});
