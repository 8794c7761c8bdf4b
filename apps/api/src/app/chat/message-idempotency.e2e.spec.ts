import type {
  AuthResponseDto,
  ConversationDto,
  MessageDto,
  Page,
} from '@instantchat/contracts';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  emitSend,
  pause,
  recordEvents,
  SILENCE_MS,
  type TestSocket,
  TestSockets,
} from '../realtime/testing/socket-client';
import { createTestApp, type TestApp } from '../testing/test-app';

describe('Sending with a clientMessageId: retries store one message (e2e)', () => {
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

  function as(who: AuthResponseDto) {
    return { Authorization: `Bearer ${who.accessToken}` };
  }

  async function openConversation(
    who: AuthResponseDto,
    other: AuthResponseDto,
  ): Promise<string> {
    const response = await request(app.http)
      .post('/api/conversations')
      .set(as(who))
      .send({ participantId: other.user.id });
    return (response.body as ConversationDto).id;
  }

  /** Two fresh people with a conversation between them. */
  async function pair() {
    const [alice, bob] = await Promise.all([app.register(), app.register()]);
    return { alice, bob, conversationId: await openConversation(alice, bob) };
  }

  function postMessage(
    who: AuthResponseDto,
    conversationId: string,
    body: object,
  ) {
    return request(app.http)
      .post(`/api/conversations/${conversationId}/messages`)
      .set(as(who))
      .send(body);
  }

  async function history(
    who: AuthResponseDto,
    conversationId: string,
  ): Promise<MessageDto[]> {
    const response = await request(app.http)
      .get(`/api/conversations/${conversationId}/messages`)
      .set(as(who))
      .expect(200);
    return (response.body as Page<MessageDto>).items;
  }

  async function unreadCountOf(
    who: AuthResponseDto,
    conversationId: string,
  ): Promise<number> {
    const response = await request(app.http)
      .get(`/api/conversations/${conversationId}`)
      .set(as(who))
      .expect(200);
    return (response.body as ConversationDto).unreadCount;
  }

  describe('POST /api/conversations/:id/messages', () => {
    it('stores a retried send once: 201 then 200 with the same message, one unread, one message:new', async () => {
      const { alice, bob, conversationId } = await pair();
      const bobSocket = await connect(bob);
      const bobHears = recordEvents(bobSocket, 'message:new');
      const clientMessageId = randomUUID();
      const body = { text: 'Hello Bob', clientMessageId };

      const first = await postMessage(alice, conversationId, body).expect(201);
      const retry = await postMessage(alice, conversationId, body).expect(200);
      await pause(SILENCE_MS);

      expect(first.body).toMatchObject({ text: 'Hello Bob', clientMessageId });
      expect(retry.body).toEqual(first.body);
      expect(await history(bob, conversationId)).toEqual([first.body]);
      expect(await unreadCountOf(bob, conversationId)).toBe(1);
      expect(bobHears).toEqual([first.body]);
    });

    it('stores one message when two identical sends race', async () => {
      const { alice, bob, conversationId } = await pair();
      const body = { text: 'Only once', clientMessageId: randomUUID() };

      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          postMessage(alice, conversationId, body),
        ),
      );

      expect(answers.map((answer) => answer.status).sort()).toEqual([
        200, 200, 200, 200, 201,
      ]);
      const stored = await history(bob, conversationId);
      expect(stored).toHaveLength(1);
      answers.forEach((answer) => expect(answer.body).toEqual(stored[0]));
      expect(await unreadCountOf(bob, conversationId)).toBe(1);
    });

    it('refuses a clientMessageId the sender already used in another conversation (409) and stores nothing', async () => {
      const { alice, bob, conversationId } = await pair();
      const carol = await app.register();
      const withCarol = await openConversation(alice, carol);
      const clientMessageId = randomUUID();
      await postMessage(alice, conversationId, {
        text: 'For Bob',
        clientMessageId,
      }).expect(201);

      const response = await postMessage(alice, withCarol, {
        text: 'For Carol',
        clientMessageId,
      }).expect(409);

      expect(response.body).toMatchObject({
        statusCode: 409,
        message:
          'clientMessageId was already used for a message in another conversation',
      });
      expect(await history(carol, withCarol)).toEqual([]);
      expect(await history(bob, conversationId)).toHaveLength(1);
    });

    it('lets two different senders use the same clientMessageId', async () => {
      const { alice, bob, conversationId } = await pair();
      const clientMessageId = randomUUID();

      await postMessage(alice, conversationId, {
        text: 'From Alice',
        clientMessageId,
      }).expect(201);
      await postMessage(bob, conversationId, {
        text: 'From Bob',
        clientMessageId,
      }).expect(201);

      expect(
        (await history(alice, conversationId)).map((message) => message.text),
      ).toEqual(['From Bob', 'From Alice']);
    });

    it('refuses a clientMessageId that is not a UUID (400)', async () => {
      const { alice, conversationId } = await pair();

      const response = await postMessage(alice, conversationId, {
        text: 'Hello',
        clientMessageId: 'local-1700000000000-1',
      }).expect(400);

      expect(JSON.stringify(response.body)).toContain(
        'clientMessageId must be a UUID',
      );
      expect(await history(alice, conversationId)).toEqual([]);
    });

    it('without a clientMessageId, stores every send (201) and echoes null', async () => {
      const { alice, conversationId } = await pair();

      const first = await postMessage(alice, conversationId, {
        text: 'Same words',
      }).expect(201);
      const second = await postMessage(alice, conversationId, {
        text: 'Same words',
      }).expect(201);

      expect(first.body).toMatchObject({ clientMessageId: null });
      expect(second.body.id).not.toBe(first.body.id);
      expect(await history(alice, conversationId)).toHaveLength(2);
    });
  });

  describe('socket message:send', () => {
    it('acks a retry ok with the stored message, storing and announcing it once', async () => {
      const { alice, bob, conversationId } = await pair();
      const [aliceSocket, bobSocket] = await Promise.all([
        connect(alice),
        connect(bob),
      ]);
      const bobHears = recordEvents(bobSocket, 'message:new');
      const payload = {
        conversationId,
        text: 'Hello Bob',
        clientMessageId: randomUUID(),
      };

      const first = await emitSend(aliceSocket, payload);
      const retry = await emitSend(aliceSocket, payload);
      await pause(SILENCE_MS);

      expect(first).toMatchObject({
        ok: true,
        data: { clientMessageId: payload.clientMessageId },
      });
      expect(retry).toEqual(first);
      const stored = await history(bob, conversationId);
      expect(stored).toHaveLength(1);
      expect(bobHears).toEqual(stored);
      expect(await unreadCountOf(bob, conversationId)).toBe(1);
    });

    it('stores one message when two identical sends race', async () => {
      const { alice, bob, conversationId } = await pair();
      const aliceSocket = await connect(alice);
      const payload = {
        conversationId,
        text: 'Only once',
        clientMessageId: randomUUID(),
      };

      const acks = await Promise.all([
        emitSend(aliceSocket, payload),
        emitSend(aliceSocket, payload),
        emitSend(aliceSocket, payload),
      ]);

      const stored = await history(bob, conversationId);
      expect(stored).toHaveLength(1);
      expect(acks).toEqual([
        { ok: true, data: stored[0] },
        { ok: true, data: stored[0] },
        { ok: true, data: stored[0] },
      ]);
      expect(await unreadCountOf(bob, conversationId)).toBe(1);
    });

    it('answers 409 for a clientMessageId already used in another conversation', async () => {
      const { alice, conversationId } = await pair();
      const carol = await app.register();
      const withCarol = await openConversation(alice, carol);
      const aliceSocket = await connect(alice);
      const clientMessageId = randomUUID();
      await emitSend(aliceSocket, {
        conversationId,
        text: 'For Bob',
        clientMessageId,
      });

      const ack = await emitSend(aliceSocket, {
        conversationId: withCarol,
        text: 'For Carol',
        clientMessageId,
      });

      expect(ack).toEqual({
        ok: false,
        error: {
          statusCode: 409,
          message:
            'clientMessageId was already used for a message in another conversation',
        },
      });
      expect(await history(carol, withCarol)).toEqual([]);
    });

    it('answers 400 for a clientMessageId that is not a UUID', async () => {
      const { alice, conversationId } = await pair();
      const aliceSocket = await connect(alice);

      const ack = await emitSend(aliceSocket, {
        conversationId,
        text: 'Hello',
        clientMessageId: 'not-a-uuid',
      });

      expect(ack).toEqual({
        ok: false,
        error: { statusCode: 400, message: 'clientMessageId must be a UUID' },
      });
      expect(await history(alice, conversationId)).toEqual([]);
    });

    it('without a clientMessageId, still sends', async () => {
      const { alice, conversationId } = await pair();
      const aliceSocket = await connect(alice);

      const ack = await emitSend(aliceSocket, { conversationId, text: 'Hi' });

      expect(ack).toMatchObject({
        ok: true,
        data: { text: 'Hi', clientMessageId: null },
      });
      expect(await history(alice, conversationId)).toHaveLength(1);
    });
  });
});
