import { Types } from 'mongoose';
import type { MessageRecord } from '../chat.records';

/**
 * A stored local message as the services read it, every field present; `updatedAt` follows
 * `createdAt` unless given. Tests override what their behaviour is about.
 */
export function localMessageRecord(
  overrides: Partial<MessageRecord> = {},
): MessageRecord {
  const createdAt = overrides.createdAt ?? new Date();
  return {
    _id: new Types.ObjectId(),
    conversationId: new Types.ObjectId(),
    source: 'local',
    senderUserId: new Types.ObjectId(),
    text: 'Hello',
    attachments: [],
    status: 'sent',
    error: null,
    reactions: [],
    deletedAt: null,
    editedAt: null,
    isFromInstagram: false,
    isToInstagram: false,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}
