import type { Model, UpdateQuery } from 'mongoose';
import type { MessageRecord } from '../chat.records';
import type { Message } from '../schemas/message.schema';

// The two lean reads and writes every part of the channel inbox makes of one stored message.

export function findMessageRecord(
  messages: Model<Message>,
  filter: Record<string, unknown>,
): Promise<MessageRecord | null> {
  return messages.findOne(filter).lean<MessageRecord>().exec();
}

/** @returns the message as it is after the update, or null when none matched the filter. */
export function updateMessageRecord(
  messages: Model<Message>,
  filter: Record<string, unknown>,
  update: UpdateQuery<Message>,
): Promise<MessageRecord | null> {
  return messages
    .findOneAndUpdate(filter, update, { returnDocument: 'after' })
    .lean<MessageRecord>()
    .exec();
}
