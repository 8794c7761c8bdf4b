import { getModelToken } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { Conversation } from './schemas/conversation.schema';
import {
  ChatServicesFixture,
  type FakeUser,
} from './testing/chat-services.fixture';

describe('InstagramThreads', () => {
  let chat: ChatServicesFixture;
  let alice: FakeUser;
  let bob: FakeUser;

  beforeAll(async () => {
    chat = await ChatServicesFixture.start();
  });

  afterAll(async () => {
    await chat.close();
  });

  beforeEach(() => {
    alice = chat.addUser('Alice');
    bob = chat.addUser('Bob');
    chat.takeEmitted();
  });

  describe('openInstagramThread', () => {
    const thread = (ownerId: string, connectionId: Types.ObjectId) => ({
      kind: 'instagram' as const,
      participantIds: [ownerId],
      instagram: {
        connectionId: connectionId.toHexString(),
        accountId: '17841400000000077',
        contactIgsid: `contact-${new Types.ObjectId().toHexString()}`,
      },
    });

    it('writes nothing when the thread already points at the same connection and owner', async () => {
      const connectionId = new Types.ObjectId();
      const first = thread(alice.id, connectionId);
      const opened = await chat.instagramThreads.openInstagramThread(first);
      expect(opened.created).toBe(true);
      const stored = await chat.conversations.getById(opened.conversation._id);

      const again = await chat.instagramThreads.openInstagramThread(first);

      expect(again.created).toBe(false);
      expect(again.conversation).toEqual(stored);
      // Not even the timestamp moved: no write was made.
      const after = await chat.conversations.getById(opened.conversation._id);
      expect(after.updatedAt).toEqual(stored.updatedAt);
    });

    it('moves the thread to another owner and connection, and keeps its contact profile', async () => {
      const first = thread(alice.id, new Types.ObjectId());
      const profile = { username: 'contact', fetchedAt: new Date() };
      const opened = await chat.instagramThreads.openInstagramThread({
        ...first,
        contactProfile: profile,
      });
      const newConnection = new Types.ObjectId();

      const moved = await chat.instagramThreads.openInstagramThread({
        ...first,
        participantIds: [bob.id],
        instagram: {
          ...first.instagram,
          connectionId: newConnection.toHexString(),
        },
      });

      expect(moved.created).toBe(false);
      expect(moved.conversation._id).toEqual(opened.conversation._id);
      expect(moved.conversation.participantIds.map(String)).toEqual([bob.id]);
      expect(
        moved.conversation.instagram?.connectionId.equals(newConnection),
      ).toBe(true);
      expect(moved.conversation.instagram?.contactProfile).toEqual(profile);
    });

    it('stores a new contact profile even when nothing else changed', async () => {
      const first = thread(alice.id, new Types.ObjectId());
      await chat.instagramThreads.openInstagramThread(first);
      const profile = { name: 'Dana', fetchedAt: new Date() };

      const refreshed = await chat.instagramThreads.openInstagramThread({
        ...first,
        contactProfile: profile,
      });

      expect(refreshed.conversation.instagram?.contactProfile).toEqual(profile);
      const stored = await chat.conversations.getById(
        refreshed.conversation._id,
      );
      expect(stored.instagram?.contactProfile).toEqual(profile);
    });
    it('opens one conversation for a new contact when two deliveries race to open it', async () => {
      const first = thread(alice.id, new Types.ObjectId());

      // Both look before either writes (their lookups share one query): one insert wins the
      // unique (account, contact) index, the other finds the winner on its second look.
      const opened = await Promise.all([
        chat.instagramThreads.openInstagramThread(first),
        chat.instagramThreads.openInstagramThread(first),
      ]);

      expect(opened.map((o) => o.created).sort()).toEqual([false, true]);
      expect(opened[0].conversation._id).toEqual(opened[1].conversation._id);
    });

    it('gives up after one more look when the database refuses the insert as a duplicate twice', async () => {
      const conversations: Model<Conversation> = chat.module.get(
        getModelToken(Conversation.name),
      );
      // A duplicate the lookup cannot see (no database here produces one on demand): before, the
      // open went round until an insert succeeded; now the caller gets the error after one more
      // look, and its own retry (the webhook's schedule) takes it up.
      const refusal = Object.assign(new Error('E11000 duplicate key error'), {
        code: 11000,
      });
      const create = jest
        .spyOn(conversations, 'create')
        .mockRejectedValueOnce(refusal as never)
        .mockRejectedValueOnce(refusal as never);
      try {
        const first = thread(alice.id, new Types.ObjectId());
        await expect(
          chat.instagramThreads.openInstagramThread(first),
        ).rejects.toBe(refusal);
        expect(create).toHaveBeenCalledTimes(2);
        // Nothing was stored meanwhile: the next delivery opens the thread.
        create.mockRestore();
        const opened = await chat.instagramThreads.openInstagramThread(first);
        expect(opened.created).toBe(true);
      } finally {
        create.mockRestore();
      }
    });
  });

  describe('findInstagramThread', () => {
    it('answers the lookups of one turn with one query, each with its own thread', async () => {
      const conversations: Model<Conversation> = chat.module.get(
        getModelToken(Conversation.name),
      );
      const accounts = ['17841400000000101', '17841400000000102'];
      const contacts = [
        `contact-${new Types.ObjectId().toHexString()}`,
        `contact-${new Types.ObjectId().toHexString()}`,
      ];
      // Account 1 talks with contact 1, account 2 with contact 2: the query for both accounts and
      // both contacts could also match account 1 with contact 2, which nobody opened.
      const opened = await Promise.all(
        [0, 1].map((n) =>
          chat.instagramThreads.openInstagramThread({
            kind: 'instagram',
            participantIds: [alice.id],
            instagram: {
              connectionId: new Types.ObjectId().toHexString(),
              accountId: accounts[n],
              contactIgsid: contacts[n],
            },
          }),
        ),
      );
      const find = jest.spyOn(conversations, 'find');
      try {
        const found = await Promise.all([
          chat.instagramThreads.findInstagramThread(accounts[0], contacts[0]),
          chat.instagramThreads.findInstagramThread(accounts[1], contacts[1]),
          chat.instagramThreads.findInstagramThread(accounts[0], contacts[1]),
          chat.instagramThreads.findInstagramThread(accounts[0], contacts[0]),
        ]);

        expect(find).toHaveBeenCalledTimes(1);
        expect(found.map((conversation) => conversation?._id)).toEqual([
          opened[0].conversation._id,
          opened[1].conversation._id,
          undefined,
          opened[0].conversation._id,
        ]);
      } finally {
        find.mockRestore();
      }
    });
  });
});
