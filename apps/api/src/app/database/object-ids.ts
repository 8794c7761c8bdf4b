import { Types } from 'mongoose';

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

/**
 * The ObjectId a client-supplied id names, or null. Stricter than Mongoose's `isValidObjectId`,
 * which also accepts any 12-character string.
 */
export function parseObjectId(id: string): Types.ObjectId | null {
  return OBJECT_ID_HEX.test(id) ? new Types.ObjectId(id) : null;
}
