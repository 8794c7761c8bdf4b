import type {
  ConversationDto,
  MessageDto,
  ReadReceiptDto,
} from '@instantchat/contracts';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { Types } from 'mongoose';
import type { ConversationRecord } from './chat.records';
import { localMessageRecord } from './testing/message-record';
import {
  ChatServicesFixture,
  type FakeUser,
} from './testing/chat-services.fixture';

describe('MessagesService', () => {
  let chat: ChatServicesFixture;
  let alice: FakeUser;
  let bob: FakeUser;
  let carol: FakeUser;
  let conversation: ConversationRecord;
  let conversationId: string;

  beforeAll(async () => {
    chat = await ChatServicesFixture.start();
  });

  afterAll(async () => {
    await chat.close();
  });

  beforeEach(async () => {
    alice = chat.addUser('Alice');
    bob = chat.addUser('Bob');
    carol = chat.addUser('Carol');
    conversation = (await chat.conversations.openLocal(alice.id, bob.id))
      .conversation;
    conversationId = conversation._id.toHexString();
    chat.takeEmitted();
  });

  describe('send', () => {
    it('reads the conversation the first time, then inserts, updates the conversation and reads it back', async () => {
      const commands = await chat.databaseCommandsDuring(() =>
        chat.messages.send(
          alice.id,
          conversationId,
          'Hello Bob',
          '1b7d9e2c-5a4f-4c8e-9d3a-6f2b1e0c7a85',
        ),
      );

      expect(commands).toEqual(['find', 'insert', 'update', 'find']);
    });

    it('reads the conversation no more after that: a local conversation’s participants are remembered', async () => {
      await chat.messages.send(alice.id, conversationId, 'Hello Bob');

      const commands = await chat.databaseCommandsDuring(() =>
        chat.messages.send(bob.id, conversationId, 'Hi Alice'),
      );

      expect(commands).toEqual(['insert', 'update', 'find']);
    });

    it('shares those three commands among sends to many conversations made at once', async () => {
      const others = Array.from({ length: 8 }, () => chat.addUser('Other'));
      const conversations = await Promise.all(
        others.map(
          async (other) =>
            (await chat.conversations.openLocal(alice.id, other.id))
              .conversation,
        ),
      );
      // Remembered, as after any first send.
      await Promise.all(
        conversations.map((c) =>
          chat.messages.send(alice.id, c._id.toHexString(), 'first'),
        ),
      );

      const commands = await chat.databaseCommandsDuring(() =>
        Promise.all(
          conversations.map((c) =>
            chat.messages.send(alice.id, c._id.toHexString(), 'second'),
          ),
        ),
      );

      expect(commands).toEqual(['insert', 'update', 'find']);
      for (const [i, c] of conversations.entries()) {
        const stored = await chat.conversations.getById(c._id);
        expect(stored.lastMessage?.text).toBe('second');
        expect(stored.unreadCounts).toEqual({
          [alice.id]: 0,
          [others[i].id]: 2,
        });
      }
    });

    it('still refuses someone outside a remembered conversation', async () => {
      await chat.messages.send(alice.id, conversationId, 'Hello Bob');
      chat.takeEmitted();

      await expect(
        chat.messages.send(carol.id, conversationId, 'let me in'),
      ).rejects.toThrow(new NotFoundException('Conversation not found'));
      expect(
        (await chat.messages.listPage(alice.id, conversationId, {})).items,
      ).toHaveLength(1);
      expect(chat.takeEmitted()).toEqual([]);
    });

    it('tells message:new before the conversation’s update, and the update carries the message', async () => {
      const { message: sent } = await chat.messages.send(
        alice.id,
        conversationId,
        'Hello Bob',
      );

      expect(chat.takeEmitted().map((e) => e.event)).toEqual([
        'message:new',
        'conversation:updated',
        'conversation:updated',
      ]);
      const stored = await chat.conversations.getById(conversation._id);
      expect(stored.lastMessage?.messageId.toHexString()).toBe(sent.id);
      // Written through the driver, the update still moves the conversation's updatedAt (the
      // reconnect catch-up lists what changed since an instant).
      expect(stored.updatedAt.getTime()).toBeGreaterThanOrEqual(
        Date.parse(sent.createdAt),
      );
    });

    it('stores the message and returns it as sent', async () => {
      const { message: sent } = await chat.messages.send(
        alice.id,
        conversationId,
        'Hello Bob',
      );

      expect(sent).toMatchObject({
        conversationId,
        source: 'local',
        senderUserId: alice.id,
        text: 'Hello Bob',
        status: 'sent',
        isFromInstagram: false,
      });
      const page = await chat.messages.listPage(bob.id, conversationId, {});
      expect(page.items).toEqual([sent]);
    });

    it('emits message:new to both people’s rooms, the author’s included (their other tabs)', async () => {
      const { message: sent } = await chat.messages.send(
        alice.id,
        conversationId,
        'Hello Bob',
      );

      const [event, ...rest] = chat.takeEmitted('message:new');
      expect(rest).toEqual([]);
      expect(event.rooms.sort()).toEqual(
        [`user:${alice.id}`, `user:${bob.id}`].sort(),
      );
      expect(event.payload).toEqual(sent);
    });

    it('emits conversation:updated to each person with their own unread count', async () => {
      await chat.messages.send(alice.id, conversationId, 'Hello Bob');

      const events = chat.takeEmitted('conversation:updated');
      const unreadByRoom = Object.fromEntries(
        events.map((e) => [
          e.rooms.join(),
          (e.payload as ConversationDto).unreadCount,
        ]),
      );
      expect(unreadByRoom).toEqual({
        [`user:${alice.id}`]: 0,
        [`user:${bob.id}`]: 1,
      });
      expect((events[0].payload as ConversationDto).lastMessage?.text).toBe(
        'Hello Bob',
      );
    });

    it('answers 404 to someone outside the conversation and stores nothing', async () => {
      await expect(
        chat.messages.send(carol.id, conversationId, 'let me in'),
      ).rejects.toThrow(new NotFoundException('Conversation not found'));

      expect(
        (await chat.messages.listPage(alice.id, conversationId, {})).items,
      ).toEqual([]);
      expect(chat.takeEmitted()).toEqual([]);
    });

    it('refuses text that is only whitespace', async () => {
      await expect(
        chat.messages.send(alice.id, conversationId, ' \n\t '),
      ).rejects.toThrow(new BadRequestException('text must not be empty'));
    });
  });

  describe('listPage', () => {
    it('walks 75 messages sharing one timestamp in pages of 30, 30 and 15 without gaps or repeats', async () => {
      const sameInstant = new Date('2026-11-25T12:00:00.000Z');
      const ids = await insertMessages(75, () => sameInstant);

      const pages: MessageDto[][] = [];
      let before: string | undefined;
      do {
        const page = await chat.messages.listPage(bob.id, conversationId, {
          limit: 30,
          before,
        });
        pages.push(page.items);
        before = page.nextCursor ?? undefined;
      } while (before);

      expect(pages.map((p) => p.length)).toEqual([30, 30, 15]);
      // Newest first: with equal times, the later-inserted (greater) id comes first.
      expect(pages.flat().map((m) => m.id)).toEqual([...ids].reverse());
    });

    it('orders by time, newest first, and ends with a null cursor', async () => {
      const base = Date.parse('2026-11-25T12:00:00.000Z');
      // Inserted out of time order on purpose.
      const ids = await insertMessages(
        5,
        (i) => new Date(base + [3, 1, 4, 0, 2][i] * 1000),
      );

      const page = await chat.messages.listPage(alice.id, conversationId, {
        limit: 10,
      });

      expect(page.items.map((m) => m.id)).toEqual([
        ids[2],
        ids[0],
        ids[4],
        ids[1],
        ids[3],
      ]);
      expect(page.nextCursor).toBeNull();
    });

    it('uses the default page size of 30', async () => {
      await insertMessages(
        31,
        (i) => new Date(Date.UTC(2026, 10, 25, 12, 0, i)),
      );

      const page = await chat.messages.listPage(alice.id, conversationId, {});

      expect(page.items).toHaveLength(30);
      expect(page.nextCursor).not.toBeNull();
    });

    it('with after, returns only the messages newer than that one (catching up after a reconnect)', async () => {
      const sameInstant = new Date('2026-11-25T12:00:00.000Z');
      const ids = await insertMessages(10, () => sameInstant);

      const first = await chat.messages.listPage(alice.id, conversationId, {
        after: ids[4],
        limit: 3,
      });
      const second = await chat.messages.listPage(alice.id, conversationId, {
        after: ids[4],
        before: first.nextCursor ?? undefined,
        limit: 3,
      });

      expect(first.items.map((m) => m.id)).toEqual([ids[9], ids[8], ids[7]]);
      expect(second.items.map((m) => m.id)).toEqual([ids[6], ids[5]]);
      expect(second.nextCursor).toBeNull();
    });

    it('refuses an after that is not a message of this conversation', async () => {
      const elsewhere = (await chat.conversations.openLocal(alice.id, carol.id))
        .conversation;
      const { message: foreign } = await chat.messages.send(
        alice.id,
        elsewhere._id.toHexString(),
        'other thread',
      );

      await expect(
        chat.messages.listPage(alice.id, conversationId, { after: foreign.id }),
      ).rejects.toThrow(
        new BadRequestException(
          'after must be the id of a message in this conversation',
        ),
      );
    });

    it('refuses a cursor it did not issue', async () => {
      await expect(
        chat.messages.listPage(alice.id, conversationId, { before: 'garbage' }),
      ).rejects.toThrow(BadRequestException);
    });

    it('answers 404 to someone outside the conversation', async () => {
      await chat.messages.send(alice.id, conversationId, 'private');

      await expect(
        chat.messages.listPage(carol.id, conversationId, {}),
      ).rejects.toThrow(NotFoundException);
    });

    it('is one database command once the conversation is known', async () => {
      await chat.messages.listPage(bob.id, conversationId, {});

      const commands = await chat.databaseCommandsDuring(() =>
        chat.messages.listPage(bob.id, conversationId, {}),
      );

      expect(commands).toEqual(['find']);
    });
  });

  describe('markRead', () => {
    it('resets the reader’s unread count and marks the other person’s messages read', async () => {
      const { message: fromAlice } = await chat.messages.send(
        alice.id,
        conversationId,
        'one',
      );
      await chat.messages.send(alice.id, conversationId, 'two');
      const { message: fromBob } = await chat.messages.send(
        bob.id,
        conversationId,
        'reply',
      );

      await chat.messages.markRead(bob.id, conversationId);

      const seenByBob = await chat.presenter.toDto(
        await chat.conversations.getForUser(bob.id, conversationId),
        bob.id,
      );
      expect(seenByBob.unreadCount).toBe(0);
      const statuses = Object.fromEntries(
        (await chat.messages.listPage(alice.id, conversationId, {})).items.map(
          (m) => [m.id, m.status],
        ),
      );
      expect(statuses[fromAlice.id]).toBe('read');
      // Alice has not read Bob's reply yet.
      expect(statuses[fromBob.id]).toBe('sent');
    });

    it('sends message:read to the other person and the new count to the reader’s tabs only', async () => {
      await chat.messages.send(alice.id, conversationId, 'one');
      chat.takeEmitted();

      const receipt = await chat.messages.markRead(bob.id, conversationId);

      expect(receipt).toEqual({
        conversationId,
        userId: bob.id,
        readAt: expect.any(String),
      });
      const read = chat.takeEmitted('message:read');
      expect(read).toEqual([
        {
          rooms: [`user:${alice.id}`],
          event: 'message:read',
          payload: receipt,
        },
      ]);
      expect((read[0].payload as ReadReceiptDto).readAt).toBe(receipt.readAt);
    });

    it('tells the reader’s other tabs that nothing is unread', async () => {
      await chat.messages.send(alice.id, conversationId, 'one');
      chat.takeEmitted();

      await chat.messages.markRead(bob.id, conversationId);

      const updates = chat.emitted.filter(
        (e) => e.event === 'conversation:updated',
      );
      expect(updates).toHaveLength(1);
      expect(updates[0].rooms).toEqual([`user:${bob.id}`]);
      expect((updates[0].payload as ConversationDto).unreadCount).toBe(0);
    });

    it('answers 404 to someone outside the conversation', async () => {
      await expect(
        chat.messages.markRead(carol.id, conversationId),
      ).rejects.toThrow(NotFoundException);
    });

    it('answers 404 to someone outside a conversation already known', async () => {
      await chat.messages.markRead(bob.id, conversationId);

      await expect(
        chat.messages.markRead(carol.id, conversationId),
      ).rejects.toThrow(NotFoundException);
    });
  });

  /** Inserts messages from alice directly, with chosen timestamps; returns their ids in insert order. */
  async function insertMessages(
    count: number,
    createdAt: (index: number) => Date,
  ): Promise<string[]> {
    const docs = Array.from({ length: count }, (_, i) =>
      localMessageRecord({
        conversationId: conversation._id,
        senderUserId: new Types.ObjectId(alice.id),
        text: `message ${i}`,
        createdAt: createdAt(i),
      }),
    );
    await chat.connection.collection('messages').insertMany(docs);
    return docs.map((d) => d._id.toHexString());
  }
});
