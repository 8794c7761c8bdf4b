import { Types } from 'mongoose';
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
  });
});
