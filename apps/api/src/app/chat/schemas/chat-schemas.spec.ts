import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Types } from 'mongoose';
import { newMessageDocument } from '../channels/message-records';
import { sentMessageDocument } from '../sent-message';
import { messageSearchTerms } from '../search/search-terms';
import { ChatServicesFixture } from '../testing/chat-services.fixture';
import { inboundMessageFields } from '../testing/inbound-message-fields';
import { Conversation } from './conversation.schema';
import {
  Message,
  MESSAGE_VIEW_PROJECTION,
  MessageSchema,
} from './message.schema';

/** The indexes phase 2 (Instagram) relies on, checked against the database that enforces them. */
describe('chat schemas', () => {
  let chat: ChatServicesFixture;
  let conversations: Model<Conversation>;
  let messages: Model<Message>;

  beforeAll(async () => {
    chat = await ChatServicesFixture.start();
    conversations = chat.module.get(getModelToken(Conversation.name));
    messages = chat.module.get(getModelToken(Message.name));
  });

  afterAll(async () => {
    await chat.close();
  });

  function instagramConversation(accountId: string, contactIgsid: string) {
    return {
      kind: 'instagram' as const,
      participantIds: [new Types.ObjectId()],
      instagram: {
        connectionId: new Types.ObjectId(),
        accountId,
        contactIgsid,
        contactProfile: { username: 'jane.doe' },
      },
      lastInboundAt: new Date(),
      lastMessageAt: new Date(),
    };
  }

  function message(overrides: Partial<Message> = {}) {
    return {
      conversationId: new Types.ObjectId(),
      source: 'local' as const,
      text: 'hi',
      status: 'sent' as const,
      ...overrides,
    };
  }

  it('keeps one Instagram conversation per contact and account, even across reconnections', async () => {
    await conversations.create(
      instagramConversation('17841400000000001', 'igsid-1'),
    );

    await expect(
      conversations.create(
        instagramConversation('17841400000000001', 'igsid-1'),
      ),
    ).rejects.toMatchObject({
      code: 11000,
    });
  });

  it('lets the same contact write to two different Instagram accounts', async () => {
    await conversations.create(
      instagramConversation('17841400000000002', 'igsid-2'),
    );

    await expect(
      conversations.create(
        instagramConversation('17841400000000003', 'igsid-2'),
      ),
    ).resolves.toBeDefined();
  });

  it('does not let local conversations collide on the Instagram key they do not have', async () => {
    const local = () => ({
      kind: 'local' as const,
      participantIds: [new Types.ObjectId(), new Types.ObjectId()],
      localPairKey: new Types.ObjectId().toHexString(),
      lastMessageAt: new Date(),
    });

    await conversations.create(local());
    await expect(conversations.create(local())).resolves.toBeDefined();
  });

  it('stores an Instagram message id once per conversation: a redelivered webhook cannot duplicate it', async () => {
    const fromInstagram = message({
      source: 'instagram',
      senderUserId: null,
      instagramMessageId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx',
      instagramSenderId: 'igsid-3',
      isFromInstagram: true,
      attachments: [
        {
          type: 'image',
          url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1',
        },
      ],
    });
    await messages.create(fromInstagram);

    await expect(messages.create({ ...fromInstagram })).rejects.toMatchObject({
      code: 11000,
    });
  });

  it('lets another conversation hold the same Instagram message id (two connected accounts writing to each other)', async () => {
    const mid = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjSHARED';
    const copy = () =>
      message({
        source: 'instagram',
        senderUserId: null,
        instagramMessageId: mid,
        conversationId: new Types.ObjectId(),
      });
    await messages.create(copy());

    await expect(messages.create(copy())).resolves.toBeDefined();
  });

  it('lets any number of local messages go without an Instagram id', async () => {
    await messages.create(message());

    await expect(messages.create(message())).resolves.toBeDefined();
  });

  it('leaves out of driver reads for display exactly what the schema keeps from Mongoose reads', async () => {
    const hidden = Object.keys(MessageSchema.paths).filter(
      (path) => MessageSchema.path(path).options['select'] === false,
    );
    expect(Object.keys(MESSAGE_VIEW_PROJECTION).sort()).toEqual(hidden.sort());

    const { _id } = await messages.create({
      ...message({ text: 'Hidden terms' }),
      searchTerms: messageSearchTerms('Hidden terms'),
    });
    const viaDriver = await messages.collection.findOne(
      { _id },
      { projection: MESSAGE_VIEW_PROJECTION },
    );
    const viaMongoose = await messages.findById(_id).lean().exec();
    expect(viaDriver).not.toHaveProperty('searchTerms');
    expect(viaDriver).toEqual(viaMongoose);
  });

  describe('a sent message written through the driver (sentMessageDocument)', () => {
    const cases = [
      ['a local message', 'sent', undefined],
      ['a reply for the outbox, with a clientMessageId', 'pending', 'c-1'],
    ] as const;

    it.each(cases)(
      'is stored as Mongoose’s create stores %s',
      async (_, status, clientMessageId) => {
        const sent = {
          conversationId: new Types.ObjectId(),
          senderUserId: new Types.ObjectId(),
          text: 'Café au lait',
          status,
          ...(clientMessageId && { clientMessageId }),
        };
        const now = new Date();
        const direct = sentMessageDocument(sent, now);
        await messages.collection.insertOne(direct);
        const viaMongoose = await messages.create({
          ...sent,
          _id: new Types.ObjectId(),
          ...(clientMessageId && { clientMessageId: `${clientMessageId}-m` }),
          source: 'local',
          searchTerms: messageSearchTerms(sent.text),
          ...(direct.delivery && { delivery: direct.delivery }),
          createdAt: now,
        });

        // Compared but for what differs on purpose: the id, the clientMessageId (unique per
        // sender, so only whether there is one) and the save time.
        const stored = async (id: Types.ObjectId) => {
          const raw: Record<string, unknown> = {
            ...(await messages.collection.findOne({ _id: id })),
          };
          expect(raw['_id']).toEqual(id);
          delete raw['_id'];
          delete raw['updatedAt'];
          raw['clientMessageId'] = raw['clientMessageId'] !== undefined;
          return raw;
        };
        expect(await stored(direct._id)).toEqual(await stored(viaMongoose._id));
      },
    );
  });
  describe('a channel message written through the driver (newMessageDocument)', () => {
    it('is stored as Mongoose’s create stores the same fields', async () => {
      const conversationId = new Types.ObjectId();
      const direct = await newMessageDocument(
        messages,
        inboundMessageFields(conversationId, 'm-direct'),
      );
      await messages.collection.insertOne(direct);
      const viaMongoose = await messages.create(
        inboundMessageFields(conversationId, 'm-mongoose'),
      );

      const stored = async (id: Types.ObjectId) => {
        const raw: Record<string, unknown> = {
          ...(await messages.collection.findOne({ _id: id })),
        };
        expect(raw['_id']).toEqual(id);
        expect(raw['createdAt']).toBeInstanceOf(Date);
        expect(raw['updatedAt']).toEqual(raw['createdAt']);
        for (const differs of [
          '_id',
          'instagramMessageId',
          'createdAt',
          'updatedAt',
        ]) {
          delete raw[differs];
        }
        return raw;
      };
      expect(await stored(direct._id)).toEqual(await stored(viaMongoose._id));
    });

    it('refuses what the schema refuses, before anything is written', async () => {
      const conversationId = new Types.ObjectId();
      await expect(
        newMessageDocument(messages, {
          ...inboundMessageFields(conversationId, 'm-bad'),
          status: 'teleported',
        }),
      ).rejects.toThrow(/status/);
      expect(await messages.countDocuments({ conversationId })).toBe(0);
    });
  });
});
