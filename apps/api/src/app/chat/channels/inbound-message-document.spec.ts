import {
  MESSAGE_STATUSES,
  MESSAGE_SYSTEM_EVENT_KINDS,
} from '@instantchat/contracts';
import { Mongoose, Types } from 'mongoose';
import { Message, MessageSchema } from '../schemas/message.schema';
import { inboundMessageFields } from '../testing/inbound-message-fields';
import {
  CHANNEL_MESSAGE_ORIGIN,
  type ChannelMessageFields,
  inboundMessageDocument,
  MESSAGE_SUBDOCUMENT_FIELDS,
} from './inbound-message-document';
import { newMessageDocument } from './message-records';

/**
 * A channel's message built without Mongoose (what ChannelInbox inserts) against the document
 * Mongoose builds of the same fields (newMessageDocument, the fallback). Neither needs a database.
 */
describe('inboundMessageDocument', () => {
  const messages = new Mongoose().model(Message.name, MessageSchema);

  /** The fields ChannelInbox gives for its messages (it adds the source and the null sender). */
  const channelFields = (
    conversationId: Types.ObjectId,
    mid: string,
    changes: Record<string, unknown>,
  ) => {
    const fields: Record<string, unknown> = {
      ...inboundMessageFields(conversationId, mid),
      ...changes,
    };
    delete fields['source'];
    delete fields['senderUserId'];
    return fields as unknown as ChannelMessageFields;
  };

  // What ChannelInbox records: a DM with media, a reply and an ad referral; a plain DM; an echo
  // with a quick reply; an unsupported message; a postback and a referral system line.
  const shapes: [string, Record<string, unknown>][] = [
    ['a DM with media, a reply and a referral', {}],
    [
      'a plain DM',
      {
        attachments: [],
        replyTo: undefined,
        referral: undefined,
      },
    ],
    [
      'an echo with a quick reply',
      {
        status: 'sent',
        isFromInstagram: false,
        isToInstagram: true,
        quickReplyPayload: 'SIZE_M',
        referral: undefined,
      },
    ],
    [
      'an unsupported message',
      { text: '', searchTerms: [], attachments: [], isUnsupported: true },
    ],
    [
      'a postback',
      {
        attachments: [],
        replyTo: undefined,
        referral: undefined,
        systemEvent: {
          kind: 'postback',
          title: 'Track order',
          payload: 'TRACK',
          referral: { source: 'SHORTLINK', ref: 'spring' },
        },
      },
    ],
    [
      'a file and a story reply, every field set',
      {
        attachments: [
          {
            type: 'file',
            url: 'https://cdn.example/c.pdf',
            mimeType: 'application/pdf',
            fileName: 'c.pdf',
            sizeBytes: 2048,
            width: 0,
            height: 0,
          },
        ],
        replyTo: { storyId: '1799', storyUrl: 'https://cdn.example/s' },
      },
    ],
    [
      'a referral line, with a field the schema does not keep',
      {
        attachments: [
          { type: 'image', url: 'https://cdn.example/b.jpg', width: 640 },
        ],
        referral: undefined,
        systemEvent: {
          kind: 'referral',
          referral: { source: 'ADS', adId: '7', adsContextData: {} },
        },
      },
    ],
  ];

  it.each(shapes)(
    'is built without Mongoose as Mongoose builds %s',
    async (_, changes) => {
      const conversationId = new Types.ObjectId();
      const fields = (mid: string) =>
        channelFields(conversationId, mid, changes);
      const direct = inboundMessageDocument(fields('m-direct'));
      expect(direct).not.toBeNull();
      const viaMongoose = await newMessageDocument(messages, {
        ...fields('m-mongoose'),
        ...CHANNEL_MESSAGE_ORIGIN,
      });
      // All but what differs on purpose.
      const comparable = (document: Record<string, unknown>) => {
        expect(document['_id']).toBeInstanceOf(Types.ObjectId);
        expect(document['instagramMessageId']).toMatch(/^m-/);
        expect(document['createdAt']).toBeInstanceOf(Date);
        expect(document['updatedAt']).toEqual(document['createdAt']);
        return {
          ...document,
          _id: 'id',
          instagramMessageId: 'mid',
          createdAt: 'now',
          updatedAt: 'now',
        };
      };
      // Field for field (the order differs: MongoDB keeps it, no query here depends on it).
      expect(comparable({ ...direct })).toStrictEqual(
        comparable({ ...viaMongoose }),
      );
    },
  );

  const notStoredForm: [string, Record<string, unknown>][] = [
    ['an unknown status', { status: 'teleported' }],
    ['an attachment without a type', { attachments: [{ url: 'x' }] }],
    ['an attachment with an empty type', { attachments: [{ type: '' }] }],
    [
      'a number given as text',
      { attachments: [{ type: 'image', width: '640' }] },
    ],
    ['an empty reply', { replyTo: {} }],
    ['a system line of an unknown kind', { systemEvent: { kind: 'story' } }],
    ['a null subdocument', { referral: null }],
  ];

  it.each(notStoredForm)(
    'leaves %s to Mongoose, which casts, defaults or refuses it',
    (_, changes) => {
      expect(
        inboundMessageDocument(
          channelFields(new Types.ObjectId(), 'm-odd', changes),
        ),
      ).toBeNull();
    },
  );

  it('knows the schema’s subdocument fields and statuses, as the schema has them', () => {
    // A field added to the schema and not to the builder would be dropped without a word.
    type SchemaLike = {
      paths: Record<string, { instance: string; schema?: SchemaLike }>;
    };
    const shapeOf = (schema: SchemaLike): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(schema.paths)
          .filter(([path]) => path !== '_id')
          .map(([path, type]) => [
            path,
            type.schema ? shapeOf(type.schema) : type.instance.toLowerCase(),
          ]),
      );
    for (const [field, shape] of Object.entries(MESSAGE_SUBDOCUMENT_FIELDS)) {
      const schema = (
        MessageSchema.path(field) as unknown as { schema: SchemaLike }
      ).schema;
      expect({ [field]: shape }).toEqual({ [field]: shapeOf(schema) });
    }
    expect(Object.keys(MESSAGE_SUBDOCUMENT_FIELDS).sort()).toEqual(
      Object.entries(MessageSchema.paths)
        .filter(([, type]) => (type as unknown as { schema?: unknown }).schema)
        .map(([path]) => path)
        .filter(
          (path) => !['deliveryError', 'reactions', 'delivery'].includes(path),
        )
        .sort(),
    );
    const enumOf = (type: unknown) =>
      (type as { enumValues: string[] }).enumValues;
    expect(enumOf(MessageSchema.path('status'))).toEqual([...MESSAGE_STATUSES]);
    expect(
      enumOf(
        (
          MessageSchema.path('systemEvent') as unknown as {
            schema: { path(p: string): unknown };
          }
        ).schema.path('kind'),
      ),
    ).toEqual([...MESSAGE_SYSTEM_EVENT_KINDS]);
  });
});
