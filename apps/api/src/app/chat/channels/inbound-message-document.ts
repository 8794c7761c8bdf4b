import {
  MESSAGE_STATUSES,
  MESSAGE_SYSTEM_EVENT_KINDS,
} from '@instantchat/contracts';
import { Types } from 'mongoose';
import type { MessageRecord } from '../chat.records';
import { newMessageDefaults } from '../schemas/new-message-defaults';
import { definedFields } from '../../core/defined-fields';

/** The fields ChannelInbox records of a channel's message (the rest are the schema's defaults). */
export interface ChannelMessageFields {
  conversationId: Types.ObjectId;
  instagramMessageId: string;
  text: string;
  searchTerms: string[];
  attachments: readonly unknown[];
  status: string;
  instagramSenderId: string;
  isFromInstagram: boolean;
  isToInstagram: boolean;
  replyTo?: unknown;
  quickReplyPayload?: unknown;
  isUnsupported?: unknown;
  referral?: unknown;
  systemEvent?: unknown;
}

type Primitive = 'string' | 'number' | 'boolean';
export interface Shape {
  [field: string]: Primitive | Shape;
}

// The message schema's subdocuments (schemas/message.schema.ts), field by field in its order.
const ATTACHMENT: Shape = {
  type: 'string',
  url: 'string',
  mimeType: 'string',
  fileName: 'string',
  sizeBytes: 'number',
  width: 'number',
  height: 'number',
};
const REPLY_TO: Shape = {
  externalMessageId: 'string',
  storyId: 'string',
  storyUrl: 'string',
};
const REFERRAL: Shape = {
  source: 'string',
  type: 'string',
  ref: 'string',
  adId: 'string',
};
const SYSTEM_EVENT: Shape = {
  kind: 'string',
  title: 'string',
  payload: 'string',
  referral: REFERRAL,
};

/** The subdocuments' fields by message field: its spec holds them to the schema's. */
export const MESSAGE_SUBDOCUMENT_FIELDS: Readonly<Record<string, Shape>> = {
  attachments: ATTACHMENT,
  replyTo: REPLY_TO,
  referral: REFERRAL,
  systemEvent: SYSTEM_EVENT,
};

/** Where a channel's message comes from: not written by an InstantChat user. */
export const CHANNEL_MESSAGE_ORIGIN = {
  source: 'instagram',
  senderUserId: null,
} as const;

/** A value Mongoose would cast, default or refuse: only Mongoose can say what it stores. */
class NotInStoredForm extends Error {}

/**
 * A channel's message as Mongoose's `create` stores it (every schema default, both timestamps,
 * `__v`), built directly when every field already has the type the schema stores (what the
 * webhook's reader produces): Mongoose's hydration, validation and copy cost more than the rest of
 * an inbound message's handling on the API's thread. null when any field would be cast, defaulted
 * or refused by the schema (a wrong type, an unknown status, an attachment without a type): the
 * caller lets Mongoose build that one (newMessageDocument). inbound-message-document.spec.ts holds
 * the two equal.
 */
export function inboundMessageDocument(
  fields: ChannelMessageFields,
  now = new Date(),
): (MessageRecord & { __v: number }) | null {
  try {
    if (
      !(MESSAGE_STATUSES as readonly string[]).includes(fields.status) ||
      typeof fields.text !== 'string' ||
      typeof fields.instagramMessageId !== 'string' ||
      typeof fields.instagramSenderId !== 'string' ||
      typeof fields.isFromInstagram !== 'boolean' ||
      typeof fields.isToInstagram !== 'boolean' ||
      !Array.isArray(fields.searchTerms) ||
      !fields.searchTerms.every((term) => typeof term === 'string') ||
      !(fields.conversationId instanceof Types.ObjectId)
    ) {
      return null;
    }
    const systemEvent = subdocument(fields.systemEvent, SYSTEM_EVENT);
    if (
      systemEvent &&
      !(MESSAGE_SYSTEM_EVENT_KINDS as readonly unknown[]).includes(
        systemEvent['kind'],
      )
    ) {
      return null;
    }
    const attachments = fields.attachments.map((attachment) => {
      const stored = subdocument(attachment, ATTACHMENT);
      // Required: Mongoose refuses an attachment without a type, or with an empty one.
      if (!stored || !stored['type']) throw new NotInStoredForm();
      return stored;
    });
    const optional = {
      replyTo: subdocument(fields.replyTo, REPLY_TO),
      quickReplyPayload: primitive(fields.quickReplyPayload, 'string'),
      isUnsupported: primitive(fields.isUnsupported, 'boolean'),
      referral: subdocument(fields.referral, REFERRAL),
      systemEvent,
    };
    const document: Record<string, unknown> = {
      _id: new Types.ObjectId(),
      conversationId: fields.conversationId,
      ...CHANNEL_MESSAGE_ORIGIN,
      text: fields.text,
      attachments,
      status: fields.status,
      ...newMessageDefaults(),
    };
    Object.assign(document, definedFields(optional));
    Object.assign(document, {
      searchTerms: fields.searchTerms,
      instagramSenderId: fields.instagramSenderId,
      instagramMessageId: fields.instagramMessageId,
      isFromInstagram: fields.isFromInstagram,
      isToInstagram: fields.isToInstagram,
      createdAt: now,
      updatedAt: now,
      __v: 0,
    });
    return document as unknown as MessageRecord & { __v: number };
  } catch (error) {
    if (error instanceof NotInStoredForm) return null;
    throw error;
  }
}

/** The value when it has the type; undefined when absent. */
function primitive(value: unknown, type: Primitive): unknown {
  if (value === undefined) return undefined;
  if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
    throw new NotInStoredForm();
  }
  return value;
}

/**
 * The shape's fields of `value`, in the schema's order (others dropped, as Mongoose's strict mode
 * does); undefined when absent.
 */
function subdocument(
  value: unknown,
  shape: Shape,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NotInStoredForm();
  }
  const source = value as Record<string, unknown>;
  const stored: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(shape)) {
    const fieldValue =
      typeof type === 'string'
        ? primitive(source[field], type)
        : subdocument(source[field], type);
    if (fieldValue !== undefined) stored[field] = fieldValue;
  }
  // Mongoose leaves an empty subdocument out (its `minimize`), or keeps it where required.
  if (Object.keys(stored).length === 0) throw new NotInStoredForm();
  return stored;
}
