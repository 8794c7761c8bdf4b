import type { AuthResponseDto, ConversationDto } from '@instantchat/contracts';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA } from '@nestjs/websockets/constants';
import request from 'supertest';
import { createTestApp, type TestApp } from '../testing/test-app';
import { SocketExceptionFilter } from './socket-exception.filter';
import {
  emitRawEvent,
  emitRawEventWithAck,
  nestedArrayJson,
} from './testing/raw-packets';
import {
  connectSocket,
  nextEvent,
  pause,
  type TestSocket,
} from './testing/socket-client';

const DEEP = nestedArrayJson(5_000);

describe('Socket client events: payload bounds and handler errors (e2e)', () => {
  let app: TestApp;
  let alice: AuthResponseDto;
  let bob: AuthResponseDto;
  let conversationId: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    app = await createTestApp();
    [alice, bob] = await Promise.all([app.register(), app.register()]);
    const response = await request(app.http)
      .post('/api/conversations')
      .set('Authorization', `Bearer ${alice.accessToken}`)
      .send({ participantId: bob.user.id })
      .expect(201);
    conversationId = (response.body as ConversationDto).id;
  });

  afterEach(() => {
    sockets.splice(0).forEach((socket) => socket.close());
  });

  afterAll(async () => {
    await app?.close();
  });

  async function connect(who: AuthResponseDto): Promise<TestSocket> {
    const socket = await connectSocket(app.url, who.accessToken);
    sockets.push(socket);
    return socket;
  }

  it('survives a typing event whose isTyping is an array nested 5,000 deep, and keeps serving', async () => {
    const socket = await connect(alice);
    const received: unknown[] = [];
    socket.io.engine.on('message', (data) => received.push(data));

    emitRawEvent(
      socket,
      'typing',
      `{"conversationId":"${conversationId}","isTyping":${DEEP}}`,
    );
    await pause(300);

    await request(app.http).get('/api/health').expect(200);
    expect(socket.connected).toBe(true);
    // Nothing about the payload comes back: no echo of what was sent.
    expect(received.join('')).not.toContain('[[[[');
  });

  it('answers a deeply nested typing event that asks for an ack with a 400 ack', async () => {
    const socket = await connect(alice);
    const ack = await emitRawEventWithAck(socket, 'typing', [
      `{"conversationId":"${conversationId}","isTyping":${DEEP}}`,
    ]);
    expect(ack).toEqual({
      ok: false,
      error: { statusCode: 400, message: 'payload is nested too deeply' },
    });
  });

  it('answers a deeply nested message:send with a 400 ack and stores nothing', async () => {
    const socket = await connect(alice);
    const ack = await emitRawEventWithAck(socket, 'message:send', [
      `{"conversationId":"${conversationId}","text":${DEEP}}`,
    ]);
    expect(ack).toEqual({
      ok: false,
      error: { statusCode: 400, message: 'payload is nested too deeply' },
    });
    const history = await request(app.http)
      .get(`/api/conversations/${conversationId}/messages`)
      .set('Authorization', `Bearer ${alice.accessToken}`)
      .expect(200);
    expect(history.body.items).toEqual([]);
  });

  it('refuses a deeply nested payload on an event nobody handles, too', async () => {
    const socket = await connect(alice);
    const ack = await emitRawEventWithAck(socket, 'no-such-event', [DEEP]);
    expect(ack).toEqual({
      ok: false,
      error: { statusCode: 400, message: 'payload is nested too deeply' },
    });
  });

  it('answers a payload with a nested "constructor" key with a 400 ack, not a 500 (found by the fuzz suite)', async () => {
    const socket = await connect(alice);
    const ack = await emitRawEventWithAck(socket, 'message:send', [
      `{"conversationId":"${conversationId}","text":"hi","extra":{"constructor":{"prototype":{"admin":true}}}}`,
    ]);
    expect(ack).toEqual({
      ok: false,
      error: {
        statusCode: 400,
        message: 'payload must not contain the key "constructor"',
      },
    });
  });

  it('refuses the same body over REST with a 400', async () => {
    const response = await request(app.http)
      .post(`/api/conversations/${conversationId}/messages`)
      .set('Authorization', `Bearer ${alice.accessToken}`)
      .set('Content-Type', 'application/json')
      .send(
        '{"text":"hi","extra":{"constructor":{"prototype":{"admin":true}}}}',
      )
      .expect(400);
    expect(response.body.message).toBe(
      'Request body must not contain the key "constructor"',
    );
  });

  it('still relays a well-formed typing event', async () => {
    const [aliceSocket, bobSocket] = await Promise.all([
      connect(alice),
      connect(bob),
    ]);
    const relayed = nextEvent(bobSocket, 'typing');
    aliceSocket.emit('typing', { conversationId, isTyping: true });
    await expect(relayed).resolves.toEqual({
      conversationId,
      userId: alice.user.id,
      isTyping: true,
    });
  });

  it('every gateway of the app answers handler errors through SocketExceptionFilter', () => {
    const gateways = [...app.app.get(ModulesContainer).values()]
      .flatMap((module) => [...module.providers.values()])
      .map((provider) => provider.metatype)
      .filter(
        (type): type is NonNullable<typeof type> =>
          typeof type === 'function' &&
          Reflect.getMetadata(GATEWAY_METADATA, type) === true,
      );
    expect(gateways.length).toBeGreaterThan(0);
    for (const gateway of gateways) {
      expect({
        gateway: gateway.name,
        filters: Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, gateway),
      }).toEqual({ gateway: gateway.name, filters: [SocketExceptionFilter] });
    }
  });
});
