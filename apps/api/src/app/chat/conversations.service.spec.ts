import { BadRequestException, NotFoundException } from '@nestjs/common';
import { Types } from 'mongoose';
import type { ConversationDto } from '@instantchat/contracts';
import type { MessageRecord } from './chat.records';
import { localMessageRecord } from './testing/message-record';
import {
  ChatServicesFixture,
  type FakeUser,
} from './testing/chat-services.fixture';

describe('ConversationsService', () => {
  let chat: ChatServicesFixture;
  let alice: FakeUser;
  let bob: FakeUser;
  let carol: FakeUser;

  beforeAll(async () => {
    chat = await ChatServicesFixture.start();
  });

  afterAll(async () => {
    await chat.close();
  });

  beforeEach(() => {
    alice = chat.addUser('Alice');
    bob = chat.addUser('Bob');
    carol = chat.addUser('Carol');
    chat.takeEmitted();
  });

  describe('openLocal', () => {
    it('opens a conversation between the two people, with nothing unread', async () => {
      const { conversation, created } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );

      expect(created).toBe(true);
      expect(conversation.kind).toBe('local');
      expect(conversation.participantIds.map(String).sort()).toEqual(
        [alice.id, bob.id].sort(),
      );
      expect(conversation.lastMessage).toBeNull();
      expect(conversation.unreadCounts).toEqual({ [alice.id]: 0, [bob.id]: 0 });
    });

    it('tells both people, each with the conversation as they see it', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );

      const events = chat.takeEmitted('conversation:updated');
      expect(events.map((e) => e.rooms)).toEqual(
        expect.arrayContaining([[`user:${alice.id}`], [`user:${bob.id}`]]),
      );
      expect(events).toHaveLength(2);
      expect(
        events.every(
          (e) =>
            (e.payload as ConversationDto).id ===
            conversation._id.toHexString(),
        ),
      ).toBe(true);
    });

    it('returns the existing conversation when it is opened again, from either side', async () => {
      const first = await chat.conversations.openLocal(alice.id, bob.id);
      chat.takeEmitted();

      const again = await chat.conversations.openLocal(alice.id, bob.id);
      const fromBob = await chat.conversations.openLocal(bob.id, alice.id);

      expect(again.created).toBe(false);
      expect(fromBob.created).toBe(false);
      expect(again.conversation._id.equals(first.conversation._id)).toBe(true);
      expect(fromBob.conversation._id.equals(first.conversation._id)).toBe(
        true,
      );
      expect(chat.takeEmitted()).toEqual([]);
    });

    it('creates only one conversation when both people open it at the same moment', async () => {
      const results = await Promise.all([
        chat.conversations.openLocal(alice.id, bob.id),
        chat.conversations.openLocal(bob.id, alice.id),
        chat.conversations.openLocal(alice.id, bob.id),
      ]);

      const ids = new Set(results.map((r) => r.conversation._id.toHexString()));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });

    it('refuses a conversation with yourself', async () => {
      await expect(
        chat.conversations.openLocal(alice.id, alice.id),
      ).rejects.toThrow(
        new BadRequestException(
          'You cannot start a conversation with yourself',
        ),
      );
    });

    it('treats an id written in capitals as the same person: no second conversation', async () => {
      const first = await chat.conversations.openLocal(alice.id, bob.id);

      const again = await chat.conversations.openLocal(
        alice.id,
        bob.id.toUpperCase(),
      );
      const fromBob = await chat.conversations.openLocal(
        bob.id,
        alice.id.toUpperCase(),
      );

      expect(again.created).toBe(false);
      expect(fromBob.created).toBe(false);
      expect(again.conversation._id.equals(first.conversation._id)).toBe(true);
      expect(fromBob.conversation._id.equals(first.conversation._id)).toBe(
        true,
      );
    });

    it('refuses a conversation with yourself, your id written in capitals', async () => {
      await expect(
        chat.conversations.openLocal(alice.id, alice.id.toUpperCase()),
      ).rejects.toThrow(
        new BadRequestException(
          'You cannot start a conversation with yourself',
        ),
      );
    });

    it('refuses an unknown user', async () => {
      await expect(
        chat.conversations.openLocal(
          alice.id,
          new Types.ObjectId().toHexString(),
        ),
      ).rejects.toThrow(new NotFoundException('User not found'));
    });
  });

  describe('getForUser', () => {
    it('returns a conversation to its participants', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );

      const seenByBob = await chat.conversations.getForUser(
        bob.id,
        conversation._id.toHexString(),
      );

      expect(seenByBob._id.equals(conversation._id)).toBe(true);
    });

    it.each([
      ['someone else’s conversation', (id: string) => id],
      ['a malformed id', () => 'not-an-id'],
      [
        'a 12-character string (which Mongoose would accept as an id)',
        () => 'abcdefghijkl',
      ],
      ['an id that exists nowhere', () => new Types.ObjectId().toHexString()],
    ])('answers 404 for %s', async (_label, idFor) => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );

      await expect(
        chat.conversations.getForUser(
          carol.id,
          idFor(conversation._id.toHexString()),
        ),
      ).rejects.toThrow(new NotFoundException('Conversation not found'));
    });
  });

  describe('listForUser', () => {
    it('lists only the caller’s conversations, newest activity first', async () => {
      const withBob = (await chat.conversations.openLocal(alice.id, bob.id))
        .conversation;
      const withCarol = (await chat.conversations.openLocal(alice.id, carol.id))
        .conversation;
      await chat.conversations.openLocal(bob.id, carol.id);
      await chat.conversations.recordNewMessage(
        withBob,
        messageIn(withBob._id, bob.id, 'newest'),
      );

      const list = await chat.conversations.listForUser(alice.id, {
        limit: 100,
      });

      expect(list.map((c) => c._id.toHexString())).toEqual([
        withBob._id.toHexString(),
        withCarol._id.toHexString(),
      ]);
    });

    it('with updatedSince, lists only what changed since then', async () => {
      const withBob = (await chat.conversations.openLocal(alice.id, bob.id))
        .conversation;
      await chat.conversations.openLocal(alice.id, carol.id);
      await delay(5);
      const since = new Date();
      await chat.conversations.recordNewMessage(
        withBob,
        messageIn(withBob._id, bob.id, 'while you were away'),
      );

      const changed = await chat.conversations.listForUser(alice.id, {
        updatedSince: since,
        limit: 100,
      });

      expect(changed.map((c) => c._id.toHexString())).toEqual([
        withBob._id.toHexString(),
      ]);
    });

    it('honours the limit', async () => {
      await chat.conversations.openLocal(alice.id, bob.id);
      await chat.conversations.openLocal(alice.id, carol.id);

      expect(
        await chat.conversations.listForUser(alice.id, { limit: 1 }),
      ).toHaveLength(1);
    });
  });

  describe('a stored message changed later (edit, withdrawal)', () => {
    const fromContact = (conversationId: Types.ObjectId, text: string) =>
      localMessageRecord({
        conversationId,
        source: 'instagram',
        senderUserId: null,
        isFromInstagram: true,
        text,
      });
    const minutesLater = (message: MessageRecord, minutes: number) =>
      new Date(message.createdAt.getTime() + minutes * 60_000);

    it('keeps a withdrawn preview withdrawn when an edit applied before it is announced after', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );
      const message = fromContact(conversation._id, 'First words');
      await chat.conversations.recordNewMessage(conversation, message);

      await chat.conversations.changedMessages.withdrawMessage(conversation, {
        ...message,
        text: '',
        deletedAt: minutesLater(message, 2),
      });
      const late = await chat.conversations.changedMessages.refreshPreview({
        ...message,
        text: 'Edited words',
        editedAt: minutesLater(message, 1),
      });

      expect(late).toBeNull();
      const now = await chat.conversations.getById(conversation._id);
      expect(now.lastMessage).toMatchObject({ text: '', deleted: true });
    });

    it('keeps the newer edit as the preview when an older one is announced last', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );
      const message = fromContact(conversation._id, 'First words');
      await chat.conversations.recordNewMessage(conversation, message);

      await chat.conversations.changedMessages.refreshPreview({
        ...message,
        text: 'Second edit',
        editedAt: minutesLater(message, 2),
      });
      await chat.conversations.changedMessages.refreshPreview({
        ...message,
        text: 'First edit',
        editedAt: minutesLater(message, 1),
      });

      const now = await chat.conversations.getById(conversation._id);
      expect(now.lastMessage?.text).toBe('Second edit');
    });

    it('withdraws a message only once its own conversation update has landed, so that update cannot bring its words back', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );
      const message = fromContact(conversation._id, 'Taken back');
      // The unsend is worked on between the message's insert and its conversation update.
      const withdrawing = chat.conversations.changedMessages.withdrawMessage(
        conversation,
        {
          ...message,
          text: '',
          deletedAt: minutesLater(message, 1),
        },
      );
      await delay(30);
      await chat.conversations.recordNewMessage(conversation, message);
      await withdrawing;

      const now = await chat.conversations.getById(conversation._id);
      expect(now.lastMessage).toMatchObject({ text: '', deleted: true });
      expect(now.unreadCounts).toEqual({ [alice.id]: 0, [bob.id]: 0 });
    });
  });

  describe('recordNewMessage', () => {
    it('counts the message as unread for everyone but its author and makes it the preview', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );

      const message = messageIn(conversation._id, alice.id, 'Hi Bob');
      await chat.conversations.recordNewMessage(conversation, message);
      const updated = await chat.conversations.recordNewMessage(
        conversation,
        messageIn(conversation._id, alice.id, 'Are you there?'),
      );

      expect(updated.unreadCounts).toEqual({ [alice.id]: 0, [bob.id]: 2 });
      expect(updated.lastMessage?.text).toBe('Are you there?');
      expect(updated.lastMessage?.senderUserId?.toHexString()).toBe(alice.id);
    });

    it('keeps the newest message as the preview when an older one is recorded late', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );
      const older = messageIn(
        conversation._id,
        alice.id,
        'first',
        new Date(Date.now() + 1_000),
      );
      const newer = messageIn(
        conversation._id,
        bob.id,
        'second',
        new Date(Date.now() + 2_000),
      );

      await chat.conversations.recordNewMessage(conversation, newer);
      const updated = await chat.conversations.recordNewMessage(
        conversation,
        older,
      );

      expect(updated.lastMessage?.text).toBe('second');
      expect(updated.lastMessageAt.getTime()).toBe(newer.createdAt.getTime());
      expect(updated.unreadCounts).toEqual({ [alice.id]: 1, [bob.id]: 1 });
    });

    it('with inboundAt, returns the conversation with its reply window already moved, only ever forward', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );
      const t = (seconds: number) =>
        new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

      const first = await chat.conversations.recordNewMessage(
        conversation,
        messageIn(
          conversation._id,
          bob.id,
          'one',
          new Date(Date.now() + 1_000),
        ),
        { inboundAt: t(20) },
      );
      const older = await chat.conversations.recordNewMessage(
        conversation,
        messageIn(
          conversation._id,
          bob.id,
          'two',
          new Date(Date.now() + 2_000),
        ),
        { inboundAt: t(10) },
      );
      // Recorded late (a newer message is already the preview): the window still moves forward.
      const late = await chat.conversations.recordNewMessage(
        conversation,
        messageIn(
          conversation._id,
          bob.id,
          'late',
          new Date(Date.now() - 60_000),
        ),
        { inboundAt: t(30) },
      );

      expect(first.lastInboundAt).toEqual(t(20));
      expect(older.lastInboundAt).toEqual(t(20));
      expect(late.lastInboundAt).toEqual(t(30));
      expect(late.lastMessage?.text).toBe('two');
      expect(late.unreadCounts[alice.id]).toBe(3);
    });

    it('leaves the reply window alone without inboundAt (an echo, a local message)', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );

      const updated = await chat.conversations.recordNewMessage(
        conversation,
        messageIn(conversation._id, alice.id, 'no window'),
        { countUnread: false },
      );

      expect(updated.lastInboundAt).toBeUndefined();
      expect(updated.unreadCounts[bob.id]).toBe(0);
    });
  });

  describe('markReadBy', () => {
    it('resets only the reader’s unread count', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );
      await chat.conversations.recordNewMessage(
        conversation,
        messageIn(conversation._id, alice.id, 'one'),
      );
      await chat.conversations.recordNewMessage(
        conversation,
        messageIn(conversation._id, bob.id, 'two'),
      );
      const readAt = new Date();

      const updated = await chat.conversations.markReadBy(
        conversation,
        bob.id,
        readAt,
      );

      expect(updated.unreadCounts).toEqual({ [alice.id]: 1, [bob.id]: 0 });
      expect(new Date(updated.lastReadAt[bob.id]).getTime()).toBe(
        readAt.getTime(),
      );
    });

    it('does not count a message the reader already read when its count lands after the read', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );
      const writtenBeforeRead = messageIn(
        conversation._id,
        alice.id,
        'seen already',
      );
      await chat.conversations.markReadBy(
        conversation,
        bob.id,
        new Date(writtenBeforeRead.createdAt.getTime() + 1_000),
      );

      const updated = await chat.conversations.recordNewMessage(
        conversation,
        writtenBeforeRead,
      );

      expect(updated.unreadCounts[bob.id]).toBe(0);
      expect(updated.lastMessage?.text).toBe('seen already');
    });

    it('still counts a message written after the read', async () => {
      const { conversation } = await chat.conversations.openLocal(
        alice.id,
        bob.id,
      );
      await chat.conversations.markReadBy(
        conversation,
        bob.id,
        new Date(Date.now() - 1_000),
      );

      const updated = await chat.conversations.recordNewMessage(
        conversation,
        messageIn(conversation._id, alice.id, 'new'),
      );

      expect(updated.unreadCounts[bob.id]).toBe(1);
    });
  });
});

function messageIn(
  conversationId: Types.ObjectId,
  senderId: string,
  text: string,
  createdAt = new Date(),
): MessageRecord {
  return localMessageRecord({
    conversationId,
    senderUserId: new Types.ObjectId(senderId),
    text,
    createdAt,
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
