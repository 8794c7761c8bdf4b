import type { AuthResponseDto, ConversationDto } from '@instantchat/contracts';
import request from 'supertest';
import { createTestApp, type TestApp } from '../testing/test-app';
import { emitRawEvent, emitRawEventWithAck } from './testing/raw-packets';
import { connectSocket, type TestSocket } from './testing/socket-client';

const MESSAGES_PER_MINUTE = 3;

describe('Rate limits on client events (e2e)', () => {
  let app: TestApp;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    app = await createTestApp({
      MESSAGE_RATE_LIMIT: String(MESSAGES_PER_MINUTE),
    });
  });

  afterEach(() => {
    sockets.splice(0).forEach((socket) => socket.close());
  });

  afterAll(async () => {
    await app?.close();
  });

  async function pair(): Promise<{
    alice: AuthResponseDto;
    conversationId: string;
  }> {
    const [alice, bob] = await Promise.all([app.register(), app.register()]);
    const response = await request(app.http)
      .post('/api/conversations')
      .set('Authorization', `Bearer ${alice.accessToken}`)
      .send({ participantId: bob.user.id })
      .expect(201);
    return { alice, conversationId: (response.body as ConversationDto).id };
  }

  async function connect(who: AuthResponseDto): Promise<TestSocket> {
    const socket = await connectSocket(app.url, who.accessToken);
    sockets.push(socket);
    return socket;
  }

  it('refuses message:send over MESSAGE_RATE_LIMIT per minute with a 429 ack', async () => {
    const { alice, conversationId } = await pair();
    const socket = await connect(alice);
    const acks = [];
    for (let i = 0; i <= MESSAGES_PER_MINUTE; i += 1) {
      acks.push(
        await socket
          .timeout(2_000)
          .emitWithAck('message:send', { conversationId, text: `m${i}` }),
      );
    }
    expect(acks.slice(0, MESSAGES_PER_MINUTE).every((ack) => ack.ok)).toBe(
      true,
    );
    expect(acks[MESSAGES_PER_MINUTE]).toEqual({
      ok: false,
      error: {
        statusCode: 429,
        message: expect.stringMatching(/^Too many "message:send" events/),
      },
    });
  });

  it('counts the limit per user: a second socket of the same user does not get a fresh budget', async () => {
    const { alice, conversationId } = await pair();
    const first = await connect(alice);
    for (let i = 0; i < MESSAGES_PER_MINUTE; i += 1) {
      await first
        .timeout(2_000)
        .emitWithAck('message:send', { conversationId, text: `m${i}` });
    }
    const second = await connect(alice);
    const ack = await second
      .timeout(2_000)
      .emitWithAck('message:send', { conversationId, text: 'one more' });
    expect(ack.ok ? 200 : ack.error.statusCode).toBe(429);
  });

  it('refuses REST sends over MESSAGE_RATE_LIMIT per minute with a 429', async () => {
    const { alice, conversationId } = await pair();
    const send = (text: string) =>
      request(app.http)
        .post(`/api/conversations/${conversationId}/messages`)
        .set('Authorization', `Bearer ${alice.accessToken}`)
        .send({ text });
    for (let i = 0; i < MESSAGES_PER_MINUTE; i += 1) {
      await send(`m${i}`).expect(201);
    }
    const refused = await send('one too many').expect(429);
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(
        /^Too many messages: at most 3 a minute, try again in \d+ s$/,
      ),
    });
  });

  it('counts REST and socket sends against one budget: the limit holds whichever door they use', async () => {
    const { alice, conversationId } = await pair();
    const restSend = (text: string) =>
      request(app.http)
        .post(`/api/conversations/${conversationId}/messages`)
        .set('Authorization', `Bearer ${alice.accessToken}`)
        .send({ text });
    const socket = await connect(alice);
    const socketSend = (text: string) =>
      socket
        .timeout(2_000)
        .emitWithAck('message:send', { conversationId, text });

    for (let i = 0; i < MESSAGES_PER_MINUTE - 1; i += 1) {
      await restSend(`rest ${i}`).expect(201);
    }
    expect((await socketSend('last of the budget')).ok).toBe(true);
    const refusedOnSocket = await socketSend('over the budget');
    expect(refusedOnSocket.ok ? 200 : refusedOnSocket.error.statusCode).toBe(
      429,
    );
    await restSend('over the budget too').expect(429);

    const history = await request(app.http)
      .get(`/api/conversations/${conversationId}/messages`)
      .set('Authorization', `Bearer ${alice.accessToken}`)
      .expect(200);
    expect(
      (history.body as { items: { text: string }[] }).items
        .map((message) => message.text)
        .sort(),
    ).toEqual(['last of the budget', 'rest 0', 'rest 1']);
  });

  it('throttles typing per socket with a 429 ack', async () => {
    const { alice, conversationId } = await pair();
    const socket = await connect(alice);
    const payload = `{"conversationId":"${conversationId}","isTyping":true}`;
    // Allowed typing events are relayed without an ack; only a refusal answers one.
    for (let i = 0; i < 20; i += 1) emitRawEvent(socket, 'typing', payload);
    const ack = await emitRawEventWithAck(socket, 'typing', [payload]);
    expect(ack).toEqual({
      ok: false,
      error: {
        statusCode: 429,
        message: expect.stringMatching(/^Too many "typing" events/),
      },
    });
  });

  it('keeps /api/health answering quickly while one socket floods 20,000 typing events', async () => {
    const { alice, conversationId } = await pair();
    const socket = await connect(alice);
    const payload = `{"conversationId":"${conversationId}","isTyping":true}`;
    for (let i = 0; i < 20_000; i += 1) {
      emitRawEvent(socket, 'typing', payload);
    }
    // Without the guard every event reached the handler and the database, and health took over
    // 20 s here; with it, reading the whole flood costs well under the bound even on a busy CI.
    const startedAt = Date.now();
    await request(app.http).get('/api/health').expect(200);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    // Still answering promptly once the flood has been read.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = Date.now();
    await request(app.http).get('/api/health').expect(200);
    expect(Date.now() - again).toBeLessThan(1_000);
  });
});
