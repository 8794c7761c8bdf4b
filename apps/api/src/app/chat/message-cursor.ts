import { Types } from 'mongoose';

/** A position in a conversation's history: messages sort by (createdAt, _id), both descending. */
export interface MessagePosition {
  createdAt: Date;
  id: Types.ObjectId;
}

const CURSOR_PATTERN = /^(\d{1,15}):([0-9a-f]{24})$/;

/**
 * Cursors are opaque to clients (base64url) so the encoding can change without breaking them. They
 * carry the _id as well as the time because many messages can share a millisecond; the time alone
 * would skip or repeat them at a page boundary.
 */
export function encodeMessageCursor(position: MessagePosition): string {
  return Buffer.from(
    `${position.createdAt.getTime()}:${position.id.toHexString()}`,
    'utf8',
  ).toString('base64url');
}

/** Null when the text is not a cursor this API issued. */
export function decodeMessageCursor(cursor: string): MessagePosition | null {
  const match = CURSOR_PATTERN.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!match) {
    return null;
  }
  const createdAt = new Date(Number(match[1]));
  if (Number.isNaN(createdAt.getTime())) {
    return null;
  }
  return { createdAt, id: new Types.ObjectId(match[2]) };
}

/** Mongo filter: strictly older than the position (in history order). */
export function olderThan(position: MessagePosition) {
  return {
    $or: [
      { createdAt: { $lt: position.createdAt } },
      { createdAt: position.createdAt, _id: { $lt: position.id } },
    ],
  };
}

/** Mongo filter: strictly newer than the position (in history order). */
export function newerThan(position: MessagePosition) {
  return {
    $or: [
      { createdAt: { $gt: position.createdAt } },
      { createdAt: position.createdAt, _id: { $gt: position.id } },
    ],
  };
}
