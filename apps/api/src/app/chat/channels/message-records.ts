import type { Model, UpdateQuery } from 'mongoose';
import type { MessageRecord } from '../chat.records';
import type { Message } from '../schemas/message.schema';

// The lean reads and writes every part of the channel inbox makes of one stored message.

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

/** How Mongoose turns a new document into what it inserts (its internal save options). */
const STORED_FORM = {
  transform: false,
  virtuals: false,
  getters: false,
  depopulate: true,
  flattenDecimals: false,
  useProjection: false,
  versionKey: true,
  flattenObjectIds: false,
} as const;

/**
 * A new message as Mongoose's `create` would store it (cast, defaults, both timestamps, `__v`),
 * without saving it: the caller inserts it through the driver, where inserts of the same turn share
 * a command. Fields the schema refuses throw its ValidationError here, before anything is written.
 */
export async function newMessageDocument(
  messages: Model<Message>,
  fields: Record<string, unknown>,
): Promise<MessageRecord & { __v: number }> {
  const document = new messages(messages.applyTimestamps({ ...fields }));
  await document.validate();
  return { ...document.toObject<MessageRecord>(STORED_FORM), __v: 0 };
}
