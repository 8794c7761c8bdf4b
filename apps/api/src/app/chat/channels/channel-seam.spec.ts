import { type MessageDto, ServerEvent } from '@instantchat/contracts';
import { ServiceUnavailableException } from '@nestjs/common';
import { Types } from 'mongoose';
import {
  ChatServicesFixture,
  type FakeUser,
} from '../testing/chat-services.fixture';
import type {
  ChannelConversation,
  DeliveryOutcome,
  OutgoingReply,
  ReplyChannel,
} from './channel.types';
import { ReplyChannels } from './reply-channels';

function instagramOf(conversation: ChannelConversation) {
  if (!conversation.instagram) throw new Error('not an Instagram thread');
  return conversation.instagram;
}

/** Stands in for the Instagram module's channel: a collaborator of Chat, scripted per test. */
class ScriptedInstagramChannel implements ReplyChannel {
  readonly kind = 'instagram' as const;
  readonly initialStatus = 'pending' as const;
  readonly handedOver: OutgoingReply[] = [];
  answer: () => Promise<DeliveryOutcome | void> = async () => undefined;

  async deliver(reply: OutgoingReply): Promise<DeliveryOutcome | void> {
    this.handedOver.push(reply);
    return this.answer();
  }
}

describe('ReplyChannels', () => {
  const fakeChannel = (kind: 'local' | 'instagram'): ReplyChannel => ({
    kind,
    initialStatus: 'pending',
    deliver: async () => undefined,
  });

  it('finds the channel registered for a kind', () => {
    const channels = new ReplyChannels();
    const instagram = fakeChannel('instagram');
    channels.register(instagram);
    expect(channels.forKind('instagram')).toBe(instagram);
  });

  it('refuses a second channel for the same kind', () => {
    const channels = new ReplyChannels();
    channels.register(fakeChannel('instagram'));
    expect(() => channels.register(fakeChannel('instagram'))).toThrow(
      'A reply channel for instagram conversations is already registered',
    );
  });

  it('answers 503 for a kind nobody carries', () => {
    const channels = new ReplyChannels();
    const lookup = () => channels.forKind('instagram');
    expect(lookup).toThrow(ServiceUnavailableException);
    expect(lookup).toThrow(
      'Replies to instagram conversations cannot be sent from this server',
    );
  });
});

describe('Chat channel seam', () => {
  let chat: ChatServicesFixture;
  let owner: FakeUser;
  let thread: ChannelConversation;
  let contactCount = 0;

  const openThread = (participant: FakeUser = owner) =>
    chat.inbox.openThread({
      kind: 'instagram',
      participantIds: [participant.id],
      instagram: {
        connectionId: new Types.ObjectId().toHexString(),
        accountId: '17841400000000001',
        contactIgsid: `igsid-${++contactCount}`,
      },
      contactProfile: { username: 'jane.doe', name: 'Jane' },
    });

  const storedMessage = (id: string) =>
    chat.connection
      .collection('messages')
      .findOne({ _id: new Types.ObjectId(id) });

  beforeAll(async () => {
    chat = await ChatServicesFixture.start();
  });

  afterAll(async () => {
    await chat.close();
  });

  beforeEach(async () => {
    owner = chat.addUser('Owner');
    thread = await openThread();
    chat.takeEmitted();
  });

  describe('replies to a kind no module carries', () => {
    it('answers 503 and stores nothing', async () => {
      await expect(
        chat.messages.send(owner.id, thread.id, 'Hello?'),
      ).rejects.toThrow(ServiceUnavailableException);

      const history = await chat.messages.listPage(owner.id, thread.id, {});
      expect(history.items).toEqual([]);
      expect(chat.takeEmitted()).toEqual([]);
    });
  });

  describe('replies through a registered channel', () => {
    const instagram = new ScriptedInstagramChannel();

    beforeAll(() => chat.replyChannels.register(instagram));

    beforeEach(() => {
      instagram.handedOver.length = 0;
    });

    it('stores the reply as pending, announces it, then records and announces what the channel reports', async () => {
      instagram.answer = async () => ({
        status: 'sent',
        externalMessageId: 'mid.reply-1',
      });

      const { message, created } = await chat.messages.send(
        owner.id,
        thread.id,
        'Thanks for your order',
      );

      expect(created).toBe(true);
      expect(message.status).toBe('sent');
      expect(instagram.handedOver).toEqual([
        {
          conversation: thread,
          message: expect.objectContaining({
            id: message.id,
            text: 'Thanks for your order',
            status: 'pending',
          }),
        },
      ]);
      const [announced] = chat.takeEmitted(ServerEvent.MessageNew);
      expect((announced.payload as MessageDto).status).toBe('pending');
      expect(await storedMessage(message.id)).toMatchObject({
        status: 'sent',
        instagramMessageId: 'mid.reply-1',
      });
    });

    it('emits message:updated to the participants when the channel reports a new status', async () => {
      instagram.answer = async () => ({ status: 'sent' });

      const { message } = await chat.messages.send(owner.id, thread.id, 'Hi');

      const updates = chat
        .takeEmitted()
        .filter((event) => event.event === ServerEvent.MessageUpdated);
      expect(updates).toEqual([
        {
          rooms: [`user:${owner.id}`],
          event: ServerEvent.MessageUpdated,
          payload: message,
        },
      ]);
    });

    it('records the reason when the channel reports a failed delivery', async () => {
      instagram.answer = async () => ({
        status: 'failed',
        error: 'The 24-hour reply window has closed',
      });

      const { message } = await chat.messages.send(owner.id, thread.id, 'Hi');

      expect(message).toMatchObject({
        status: 'failed',
        error: 'The 24-hour reply window has closed',
      });
    });

    it('keeps the reply, marked failed, when the channel throws', async () => {
      instagram.answer = async () => {
        throw new Error('socket hang up');
      };

      const { message, created } = await chat.messages.send(
        owner.id,
        thread.id,
        'Hi',
      );

      expect(created).toBe(true);
      expect(message).toMatchObject({
        status: 'failed',
        error: 'The message could not be delivered',
      });
      expect(await storedMessage(message.id)).toMatchObject({
        status: 'failed',
      });
    });

    it('leaves the reply pending when the channel will report later', async () => {
      instagram.answer = async () => undefined;

      const { message } = await chat.messages.send(owner.id, thread.id, 'Hi');

      expect(message.status).toBe('pending');
      expect(chat.takeEmitted(ServerEvent.MessageUpdated)).toEqual([]);
    });

    it('does not involve the channel in local conversations', async () => {
      const friend = chat.addUser('Friend');
      const { conversation } = await chat.conversations.openLocal(
        owner.id,
        friend.id,
      );
      chat.takeEmitted();

      const { message } = await chat.messages.send(
        owner.id,
        conversation._id.toHexString(),
        'Lunch?',
      );

      expect(message.status).toBe('sent');
      expect(instagram.handedOver).toEqual([]);
      expect(chat.takeEmitted(ServerEvent.MessageUpdated)).toEqual([]);
    });
  });

  describe('ChannelInbox.openThread', () => {
    it('opens a thread once and shows it in its owner’s list', async () => {
      const otherOwner = chat.addUser('Other owner');
      const opened = await openThread(otherOwner);

      expect(opened).toMatchObject({
        kind: 'instagram',
        participantIds: [otherOwner.id],
      });
      const announced = chat.takeEmitted(ServerEvent.ConversationUpdated);
      expect(announced.map((event) => event.rooms)).toEqual([
        [`user:${otherOwner.id}`],
      ]);
    });

    it('returns the same conversation for the same contact, on the newest connection', async () => {
      const reconnected = await chat.inbox.openThread({
        kind: 'instagram',
        participantIds: [owner.id],
        instagram: {
          ...instagramOf(thread),
          connectionId: new Types.ObjectId().toHexString(),
        },
      });

      expect(reconnected.id).toBe(thread.id);
      expect(reconnected.instagram?.connectionId).not.toBe(
        thread.instagram?.connectionId,
      );
      const [listed] = await chat.presenter.toDtos(
        [await chat.conversations.getForUser(owner.id, thread.id)],
        owner.id,
      );
      // No profile given this time: the one stored before is kept.
      expect(listed.instagramContact?.username).toBe('jane.doe');
      expect(chat.takeEmitted(ServerEvent.ConversationUpdated)).toEqual([]);
    });
  });

  describe('ChannelInbox.recordInbound', () => {
    const inbound = (externalMessageId: string) => ({
      conversationId: thread.id,
      externalMessageId,
      externalSenderId: instagramOf(thread).contactIgsid,
      text: 'Is this in stock?',
      sentAt: new Date('2026-01-02T03:04:05Z'),
    });

    it('stores the contact’s message, counts it unread and announces it', async () => {
      const recorded = await chat.inbox.recordInbound(inbound('mid.in-1'));

      expect(recorded.created).toBe(true);
      expect(recorded.message).toMatchObject({
        source: 'instagram',
        senderUserId: null,
        isFromInstagram: true,
        text: 'Is this in stock?',
      });
      expect(chat.takeEmitted(ServerEvent.MessageNew)).toHaveLength(1);
      const conversation = await chat.conversations.getForUser(
        owner.id,
        thread.id,
      );
      expect(conversation.unreadCounts[owner.id]).toBe(1);
      expect(conversation.lastInboundAt).toEqual(
        new Date('2026-01-02T03:04:05Z'),
      );
    });

    it('stores a redelivered message once and announces it once', async () => {
      const first = await chat.inbox.recordInbound(inbound('mid.in-2'));
      chat.takeEmitted();

      const again = await chat.inbox.recordInbound(inbound('mid.in-2'));

      expect(again).toEqual({ message: first.message, created: false });
      expect(chat.takeEmitted()).toEqual([]);
      const history = await chat.messages.listPage(owner.id, thread.id, {});
      expect(history.items).toHaveLength(1);
    });

    it('stores messages recorded at once together, a redelivery among them once', async () => {
      const [first, redelivered, other] = await Promise.all([
        chat.inbox.recordInbound(inbound('mid.together-1')),
        chat.inbox.recordInbound(inbound('mid.together-1')),
        chat.inbox.recordInbound(inbound('mid.together-2')),
      ]);

      expect([first.created, redelivered.created, other.created]).toEqual([
        true,
        false,
        true,
      ]);
      expect(redelivered.message).toEqual(first.message);
      expect(chat.takeEmitted(ServerEvent.MessageNew)).toHaveLength(2);
      const history = await chat.messages.listPage(owner.id, thread.id, {});
      expect(
        history.items.filter((m) => m.text === 'Is this in stock?'),
      ).toHaveLength(2);
    });

    it('stores the same Meta id once per conversation, so two connected accounts keep their own copy', async () => {
      const otherAccount = await chat.inbox.openThread({
        kind: 'instagram',
        participantIds: [chat.addUser('Other owner').id],
        instagram: {
          connectionId: new Types.ObjectId().toHexString(),
          accountId: '17841400000000002',
          contactIgsid: '17841400000000001',
        },
      });

      const mine = await chat.inbox.recordInbound(inbound('mid.shared'));
      const theirs = await chat.inbox.recordInbound({
        ...inbound('mid.shared'),
        conversationId: otherAccount.id,
        direction: 'outbound',
      });

      expect(theirs.created).toBe(true);
      expect(theirs.message.conversationId).toBe(otherAccount.id);
      expect(theirs.message.id).not.toBe(mine.message.id);
    });

    it('stores an echo as the business’s sent message, neither unread nor opening the reply window', async () => {
      const echo = await chat.inbox.recordInbound({
        ...inbound('mid.echo-1'),
        direction: 'outbound',
      });

      expect(echo.message).toMatchObject({
        isFromInstagram: false,
        senderUserId: null,
        status: 'sent',
      });
      const conversation = await chat.conversations.getForUser(
        owner.id,
        thread.id,
      );
      expect(conversation.lastInboundAt).toBeUndefined();
      expect(conversation.unreadCounts[owner.id]).toBe(0);
      expect(conversation.lastMessage?.text).toBe('Is this in stock?');
    });

    it('keeps what Instagram says about the message: reply, quick reply, referral, unsupported', async () => {
      const recorded = await chat.inbox.recordInbound({
        ...inbound('mid.details'),
        replyTo: { storyId: 'story-1', storyUrl: 'https://cdn.example/s1' },
        quickReplyPayload: 'SIZE_M',
        unsupported: true,
        referral: { source: 'SHORTLINK', type: 'OPEN_THREAD', ref: 'promo' },
      });

      expect(recorded.message).toMatchObject({
        replyTo: { storyId: 'story-1', storyUrl: 'https://cdn.example/s1' },
        quickReplyPayload: 'SIZE_M',
        unsupported: true,
        referral: { source: 'SHORTLINK', type: 'OPEN_THREAD', ref: 'promo' },
      });
    });

    it('refuses a local conversation', async () => {
      const friend = chat.addUser('Friend');
      const { conversation } = await chat.conversations.openLocal(
        owner.id,
        friend.id,
      );

      await expect(
        chat.inbox.recordInbound({
          ...inbound('mid.in-3'),
          conversationId: conversation._id.toHexString(),
        }),
      ).rejects.toThrow('is not an Instagram thread');
    });
  });

  describe('ChannelInbox.markReadUpTo', () => {
    it('marks the business’s messages up to the seen one read, and only those', async () => {
      const contact = instagramOf(thread).contactIgsid;
      const record = (id: string, direction: 'inbound' | 'outbound') =>
        chat.inbox.recordInbound({
          conversationId: thread.id,
          externalMessageId: id,
          externalSenderId: contact,
          text: id,
          sentAt: new Date(),
          direction,
        });
      await record('mid.out-1', 'outbound');
      await record('mid.in-1', 'inbound');
      await record('mid.out-2', 'outbound');
      await record('mid.out-3', 'outbound');
      chat.takeEmitted();

      const read = await chat.inbox.markReadUpTo({
        conversationId: thread.id,
        externalMessageId: 'mid.out-2',
      });

      expect(read?.map((m) => m.text)).toEqual(['mid.out-1', 'mid.out-2']);
      expect(chat.takeEmitted(ServerEvent.MessageUpdated)).toHaveLength(2);
      const again = await chat.inbox.markReadUpTo({
        conversationId: thread.id,
        externalMessageId: 'mid.out-2',
      });
      expect(again).toEqual([]);
    });

    it('answers null when the seen message is not stored yet', async () => {
      expect(
        await chat.inbox.markReadUpTo({
          conversationId: thread.id,
          externalMessageId: 'mid.not-yet',
        }),
      ).toBeNull();
    });
  });

  describe('ChannelInbox.updateMessage', () => {
    let messageId: string;

    beforeEach(async () => {
      const recorded = await chat.inbox.recordInbound({
        conversationId: thread.id,
        externalMessageId: `mid.update-${thread.id}`,
        externalSenderId: instagramOf(thread).contactIgsid,
        text: 'Original',
        sentAt: new Date(),
      });
      messageId = recorded.message.id;
      chat.takeEmitted();
    });

    it('moves the status forward and announces it', async () => {
      const updated = await chat.inbox.updateMessage(
        { externalMessageId: `mid.update-${thread.id}` },
        { kind: 'status', status: 'read' },
      );

      expect(updated?.status).toBe('read');
      expect(chat.takeEmitted(ServerEvent.MessageUpdated)).toEqual([
        {
          rooms: [`user:${owner.id}`],
          event: ServerEvent.MessageUpdated,
          payload: updated,
        },
      ]);
    });

    it('ignores a status that would move the message backwards', async () => {
      await chat.inbox.updateMessage(
        { messageId },
        { kind: 'status', status: 'read' },
      );
      chat.takeEmitted();

      const stale = await chat.inbox.updateMessage(
        { messageId },
        { kind: 'status', status: 'delivered' },
      );

      expect(stale).toBeNull();
      expect(chat.takeEmitted()).toEqual([]);
      expect(await storedMessage(messageId)).toMatchObject({ status: 'read' });
    });

    it('keeps one reaction per person: a newer one replaces theirs, null removes it', async () => {
      const by = instagramOf(thread).contactIgsid;
      const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));
      const react = (reaction: string | null, when: Date) =>
        chat.inbox.updateMessage(
          { messageId },
          { kind: 'reaction', reaction, externalSenderId: by, at: when },
        );

      await react('❤️', at(1));
      const replaced = await react('😂', at(2));
      expect(replaced?.reactions).toEqual([
        {
          reaction: '😂',
          instagramSenderId: by,
          reactedAt: at(2).toISOString(),
        },
      ]);

      const removed = await react(null, at(3));
      expect(removed?.reactions).toBeUndefined();
      expect(chat.takeEmitted(ServerEvent.MessageUpdated)).toHaveLength(3);
    });

    it('ignores a reaction older than the person’s latest, so delivery order does not matter', async () => {
      const by = instagramOf(thread).contactIgsid;
      await chat.inbox.updateMessage(
        { messageId },
        {
          kind: 'reaction',
          reaction: null,
          externalSenderId: by,
          at: new Date(2000),
        },
      );
      chat.takeEmitted();

      const late = await chat.inbox.updateMessage(
        { messageId },
        {
          kind: 'reaction',
          reaction: '❤️',
          externalSenderId: by,
          at: new Date(1000),
        },
      );

      expect(late).toBeNull();
      expect(chat.takeEmitted()).toEqual([]);
    });

    it('keeps each person’s reaction apart', async () => {
      const at = new Date();
      await chat.inbox.updateMessage(
        { messageId },
        { kind: 'reaction', reaction: '❤️', externalSenderId: 'contact', at },
      );
      const both = await chat.inbox.updateMessage(
        { messageId },
        { kind: 'reaction', reaction: '👍', externalSenderId: 'business', at },
      );

      expect(both?.reactions?.map((r) => r.reaction)).toEqual(['❤️', '👍']);
    });

    it('applies only a newer edit count, and never edits an unsent message', async () => {
      const at = new Date();
      await chat.inbox.updateMessage(
        { messageId },
        { kind: 'edit', text: 'Second edit', at, editCount: 2 },
      );
      const older = await chat.inbox.updateMessage(
        { messageId },
        { kind: 'edit', text: 'First edit', at, editCount: 1 },
      );
      expect(older).toBeNull();
      expect(await storedMessage(messageId)).toMatchObject({
        text: 'Second edit',
        editCount: 2,
      });

      await chat.inbox.updateMessage({ messageId }, { kind: 'delete', at });
      const afterUnsend = await chat.inbox.updateMessage(
        { messageId },
        { kind: 'edit', text: 'Third edit', at, editCount: 3 },
      );
      expect(afterUnsend).toBeNull();
      expect(await storedMessage(messageId)).toMatchObject({
        text: '',
        attachments: [],
      });
    });

    it('records an edit', async () => {
      const at = new Date();
      const updated = await chat.inbox.updateMessage(
        { messageId },
        { kind: 'edit', text: 'Edited', at },
      );

      expect(updated?.text).toBe('Edited');
      expect(await storedMessage(messageId)).toMatchObject({ editedAt: at });
    });

    it('records an unsend: the message keeps its place but not its content', async () => {
      const at = new Date();
      const updated = await chat.inbox.updateMessage(
        { messageId },
        { kind: 'delete', at },
      );

      expect(updated).toMatchObject({
        text: '',
        deletedAt: at.toISOString(),
      });
    });

    it('finds a message by its channel id within its conversation only', async () => {
      const other = await openThread();
      const external = `mid.update-${thread.id}`;

      expect(
        await chat.inbox.hasMessage({
          conversationId: thread.id,
          externalMessageId: external,
        }),
      ).toBe(true);
      expect(
        await chat.inbox.hasMessage({
          conversationId: other.id,
          externalMessageId: external,
        }),
      ).toBe(false);
    });

    it.each([
      ['an unknown id', { messageId: new Types.ObjectId().toHexString() }],
      ['a malformed id', { messageId: 'not-an-id' }],
      ['an unknown channel id', { externalMessageId: 'mid.nobody' }],
    ])('answers null for %s and announces nothing', async (_label, ref) => {
      expect(
        await chat.inbox.updateMessage(ref, { kind: 'delete', at: new Date() }),
      ).toBeNull();
      expect(chat.takeEmitted()).toEqual([]);
    });
  });
});
