import type {
  AuthResponseDto,
  ConversationDto,
  MessageDto,
  Page,
} from '@instantchat/contracts';
import request from 'supertest';
import {
  emitSend,
  nextEvent,
  pause,
  recordEvents,
  SILENCE_MS,
  type TestSocket,
  TestSockets,
} from '../realtime/testing/socket-client';
import { createTestApp, type TestApp } from '../testing/test-app';

describe('Chat over Socket.io (e2e)', () => {
  let app: TestApp;
  const sockets = new TestSockets(() => app.url);

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterEach(() => {
    sockets.closeAll();
  });

  afterAll(async () => {
    await app.close();
  });

  function connect(who: AuthResponseDto): Promise<TestSocket> {
    return sockets.connect(who.accessToken);
  }

  /** Two fresh people with a conversation between them. */
  async function pair(): Promise<{
    alice: AuthResponseDto;
    bob: AuthResponseDto;
    conversationId: string;
  }> {
    const [alice, bob] = await Promise.all([app.register(), app.register()]);
    const response = await request(app.http)
      .post('/api/conversations')
      .set('Authorization', `Bearer ${alice.accessToken}`)
      .send({ participantId: bob.user.id })
      .expect(201);
    return {
      alice,
      bob,
      conversationId: (response.body as ConversationDto).id,
    };
  }

  function postMessage(
    who: AuthResponseDto,
    conversationId: string,
    text: string,
  ): Promise<MessageDto> {
    return request(app.http)
      .post(`/api/conversations/${conversationId}/messages`)
      .set('Authorization', `Bearer ${who.accessToken}`)
      .send({ text })
      .expect(201)
      .then((response) => response.body as MessageDto);
  }

  it('delivers a message live to the other person and to the author’s other tabs', async () => {
    const { alice, bob, conversationId } = await pair();
    const [bobSocket, aliceOtherTab] = await Promise.all([
      connect(bob),
      connect(alice),
    ]);
    const bobReceives = nextEvent(bobSocket, 'message:new');
    const otherTabReceives = nextEvent(aliceOtherTab, 'message:new');

    const sent = await postMessage(alice, conversationId, 'Hello Bob');

    expect(await bobReceives).toEqual(sent);
    expect(await otherTabReceives).toEqual(sent);
  });

  it('updates each person’s conversation list live, with their own unread count', async () => {
    const { alice, bob, conversationId } = await pair();
    const [aliceSocket, bobSocket] = await Promise.all([
      connect(alice),
      connect(bob),
    ]);
    const forAlice = nextEvent(
      aliceSocket,
      'conversation:updated',
      (c) => c.lastMessage?.text === 'Hi',
    );
    const forBob = nextEvent(
      bobSocket,
      'conversation:updated',
      (c) => c.lastMessage?.text === 'Hi',
    );

    await postMessage(alice, conversationId, 'Hi');

    expect(await forAlice).toMatchObject({
      id: conversationId,
      unreadCount: 0,
    });
    expect(await forBob).toMatchObject({ id: conversationId, unreadCount: 1 });
  });

  it('sends over the socket with an ack, and the other person receives it', async () => {
    const { alice, bob, conversationId } = await pair();
    const [aliceSocket, bobSocket] = await Promise.all([
      connect(alice),
      connect(bob),
    ]);
    const bobReceives = nextEvent(bobSocket, 'message:new');

    const ack = await emitSend(aliceSocket, {
      conversationId,
      text: 'via socket',
    });

    expect(ack).toEqual({
      ok: true,
      data: expect.objectContaining({
        text: 'via socket',
        senderUserId: alice.user.id,
      }),
    });
    expect(await bobReceives).toEqual(ack.ok && ack.data);
  });

  it('answers 404 in the ack to someone posting into another’s conversation, and nobody hears of it', async () => {
    const { alice, bob, conversationId } = await pair();
    const intruder = await app.register();
    const [intruderSocket, bobSocket] = await Promise.all([
      connect(intruder),
      connect(bob),
    ]);
    const bobHears = recordEvents(bobSocket, 'message:new');

    const ack = await emitSend(intruderSocket, {
      conversationId,
      text: 'intrusion',
    });
    await pause(SILENCE_MS);

    expect(ack).toEqual({
      ok: false,
      error: { statusCode: 404, message: 'Conversation not found' },
    });
    expect(bobHears).toEqual([]);
    const history = await request(app.http)
      .get(`/api/conversations/${conversationId}/messages`)
      .set('Authorization', `Bearer ${alice.accessToken}`)
      .expect(200);
    expect((history.body as Page<MessageDto>).items).toEqual([]);
  });

  it.each([
    [
      'a malformed conversation id',
      { conversationId: 'nope', text: 'hi' },
      'conversationId must be a conversation id',
    ],
    ['empty text', { text: '' }, 'text must not be empty'],
    ['no payload', undefined, 'payload must be an object'],
  ])('answers 400 in the ack for %s', async (_label, payload, message) => {
    const { alice, conversationId } = await pair();
    const socket = await connect(alice);

    const ack = await emitSend(
      socket,
      payload && { conversationId, ...payload },
    );

    expect(ack.ok).toBe(false);
    expect(!ack.ok && ack.error.statusCode).toBe(400);
    expect(!ack.ok && ack.error.message).toContain(message);
  });

  it('relays typing to the other person only, and ignores typing into another’s conversation', async () => {
    const { alice, bob, conversationId } = await pair();
    const intruder = await app.register();
    const [aliceSocket, bobSocket, intruderSocket] = await Promise.all([
      connect(alice),
      connect(bob),
      connect(intruder),
    ]);
    const aliceHears = recordEvents(aliceSocket, 'typing');
    const bobHears = recordEvents(bobSocket, 'typing');
    const bobReceives = nextEvent(bobSocket, 'typing');

    intruderSocket.emit('typing', { conversationId, isTyping: true });
    aliceSocket.emit('typing', { conversationId, isTyping: true });

    expect(await bobReceives).toEqual({
      conversationId,
      userId: alice.user.id,
      isTyping: true,
    });
    await pause(SILENCE_MS);
    expect(bobHears).toEqual([
      { conversationId, userId: alice.user.id, isTyping: true },
    ]);
    expect(aliceHears).toEqual([]);
  });

  it('tells the author when their messages are read, and clears the reader’s badge in their other tabs', async () => {
    const { alice, bob, conversationId } = await pair();
    await postMessage(alice, conversationId, 'read me');
    const [aliceSocket, bobOtherTab] = await Promise.all([
      connect(alice),
      connect(bob),
    ]);
    const receiptForAlice = nextEvent(aliceSocket, 'message:read');
    const badgeForBob = nextEvent(bobOtherTab, 'conversation:updated');

    const response = await request(app.http)
      .post(`/api/conversations/${conversationId}/read`)
      .set('Authorization', `Bearer ${bob.accessToken}`)
      .expect(200);

    expect(await receiptForAlice).toEqual(response.body);
    expect(await badgeForBob).toMatchObject({
      id: conversationId,
      unreadCount: 0,
    });
  });

  it('tells nobody outside the conversation', async () => {
    const { alice, conversationId } = await pair();
    const outsider = await app.register();
    const outsiderSocket = await connect(outsider);
    const messages = recordEvents(outsiderSocket, 'message:new');
    const updates = recordEvents(outsiderSocket, 'conversation:updated');

    await postMessage(alice, conversationId, 'between us');
    await pause(SILENCE_MS);

    expect([...messages, ...updates]).toEqual([]);
  });

  it('lets a client that was offline catch up on exactly what it missed', async () => {
    const { alice, bob, conversationId } = await pair();
    const seen = await postMessage(alice, conversationId, 'before the drop');
    const bobSocket = await connect(bob);
    const held = (
      await request(app.http)
        .get('/api/conversations')
        .set('Authorization', `Bearer ${bob.accessToken}`)
        .expect(200)
    ).body as ConversationDto[];
    bobSocket.close();

    const missed = [
      await postMessage(alice, conversationId, 'missed 1'),
      await postMessage(alice, conversationId, 'missed 2'),
    ];

    // Reconnected: the changed conversations, then the messages after the newest one held.
    await connect(bob);
    const since = held
      .map((c) => c.updatedAt)
      .sort()
      .at(-1) as string;
    const changed = (
      await request(app.http)
        .get(`/api/conversations?updatedSince=${encodeURIComponent(since)}`)
        .set('Authorization', `Bearer ${bob.accessToken}`)
        .expect(200)
    ).body as ConversationDto[];
    const newer = (
      await request(app.http)
        .get(`/api/conversations/${conversationId}/messages?after=${seen.id}`)
        .set('Authorization', `Bearer ${bob.accessToken}`)
        .expect(200)
    ).body as Page<MessageDto>;

    expect(changed).toEqual([
      expect.objectContaining({ id: conversationId, unreadCount: 3 }),
    ]);
    expect(newer.items.map((m) => m.id)).toEqual(
      missed.map((m) => m.id).reverse(),
    );
  });
});
