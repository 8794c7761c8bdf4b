import type {
  AuthResponseDto,
  ConversationDto,
  SocketAck,
} from '@instantchat/contracts';
import fc from 'fast-check';
import request from 'supertest';
import {
  emitRawEvent,
  emitRawEventWithAck,
  nestedArrayJson,
} from '../app/realtime/testing/raw-packets';
import {
  connectSocket,
  type TestSocket,
} from '../app/realtime/testing/socket-client';
import { createTestApp, type TestApp } from '../app/testing/test-app';

/** Each property stops after this long (fast-check counts the runs so far as passed). */
const PROPERTY_TIME_LIMIT_MS = 8_000;
/**
 * Any answer, good or bad, must come within this. A hang never answers; a single answer on a
 * 2-core CI box that is also linting and type-checking other projects took over 3 s once.
 */
const ANSWER_BOUND_MS = 10_000;
/** The test app's BODY_LIMIT default (100 KB), which is also Socket.io's maxHttpBufferSize. */
const FRAME_LIMIT_BYTES = 100 * 1024;

/** JSON text a client could send: valid values of every shape, and hostile ones. */
const jsonText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)),
  },
  fc.integer({ min: 60, max: 6_000 }).map(nestedArrayJson),
  fc
    .integer({ min: 60, max: 6_000 })
    .map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.constantFrom(
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '{"$where":"sleep(10000)"}',
    '{"text":{"$gt":""}}',
    'null',
    '"\\u0000\\u200b\\u202e"',
    '1e309',
    '-0',
  ),
  fc
    .string({ unit: 'binary', maxLength: 2_000 })
    .map((text) => JSON.stringify(text)),
  fc
    // Up to 60 KB of zero-width spaces: within BODY_LIMIT (100 KB), so it reaches the handlers.
    .integer({ min: 1, max: 20_000 })
    .map((length) => JSON.stringify('\u200b'.repeat(length))),
);

/** A payload object for a known event: the right keys with any values, plus stray keys. */
function eventPayload(conversationIds: fc.Arbitrary<string>) {
  return fc
    .record(
      {
        conversationId: fc.oneof(
          conversationIds.map((id) => JSON.stringify(id)),
          jsonText,
        ),
        text: jsonText,
        isTyping: fc.oneof(fc.constantFrom('true', 'false'), jsonText),
        watching: fc.oneof(fc.constantFrom('true', 'false'), jsonText),
        clientMessageId: fc.oneof(
          fc.uuid().map((id) => JSON.stringify(id)),
          jsonText,
        ),
        extra: jsonText,
      },
      { requiredKeys: [] },
    )
    .map(
      (fields) =>
        `{${Object.entries(fields)
          .map(([key, value]) => `${JSON.stringify(key)}:${value}`)
          .join(',')}}`,
    );
}

describe('Fuzzing every client event and every POST route (e2e)', () => {
  let app: TestApp;
  let alice: AuthResponseDto;
  let conversationId: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    // Limits far above the runs: every payload must reach validation and the handlers, not stop
    // at a 429 after the first 60 sends or 10 logins (the limiters have their own tests).
    app = await createTestApp({
      MESSAGE_RATE_LIMIT: '100000',
      AUTH_RATE_LIMIT: '100000',
    });
    let bob: AuthResponseDto;
    [alice, bob] = await Promise.all([app.register(), app.register()]);
    conversationId = (
      (
        await request(app.http)
          .post('/api/conversations')
          .set('Authorization', `Bearer ${alice.accessToken}`)
          .send({ participantId: bob.user.id })
          .expect(201)
      ).body as ConversationDto
    ).id;
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await app?.close();
  });

  const conversationIds = fc.oneof(
    fc.constant('<conversation>'),
    fc.string({
      unit: fc.constantFrom(...'0123456789abcdef'),
      minLength: 24,
      maxLength: 24,
    }),
    fc.string({ maxLength: 40 }),
  );
  const withRealId = (text: string) =>
    text.split('<conversation>').join(conversationId);

  async function expectHealthyWithinBound(): Promise<void> {
    const startedAt = Date.now();
    await request(app.http).get('/api/health').expect(200);
    expect(Date.now() - startedAt).toBeLessThan(ANSWER_BOUND_MS);
  }

  /**
   * A socket per few events: each socket (and user) has its rate limit, and the fuzzer should
   * reach the handlers, not only the limiter. Sockets the server closed are replaced.
   */
  let current: { socket: TestSocket; uses: number } | undefined;
  async function socketForNextEvent(): Promise<TestSocket> {
    if (!current || current.uses >= 10 || !current.socket.connected) {
      const socket = await connectSocket(app.url, alice.accessToken);
      sockets.push(socket);
      current = { socket, uses: 0 };
    }
    current.uses += 1;
    return current.socket;
  }

  function expectNoServerError(ack: SocketAck<unknown>): void {
    if (!ack.ok) {
      expect(ack.error.statusCode).toBeGreaterThanOrEqual(400);
      expect(ack.error.statusCode).toBeLessThan(500);
    }
  }

  it('message:send: every payload is answered within the bound, never with a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(eventPayload(conversationIds), jsonText),
        async (payload) => {
          const socket = await socketForNextEvent();
          const json = withRealId(payload);
          // Several 60 KB fields can add up past the frame limit: Socket.io then closes the
          // connection instead of answering (the last test checks that on its own).
          if (Buffer.byteLength(json) > FRAME_LIMIT_BYTES) {
            const closed = new Promise((resolve) =>
              socket.once('disconnect', resolve),
            );
            emitRawEvent(socket, 'message:send', json);
            await closed;
            return;
          }
          const ack = await emitRawEventWithAck(
            socket,
            'message:send',
            [json],
            ANSWER_BOUND_MS,
          );
          expectNoServerError(ack);
        },
      ),
      { numRuns: 150, interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS },
    );
    await expectHealthyWithinBound();
  });

  it('typing, instagram:events:watch and events nobody handles: the API stays up and answers within the bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom('typing', 'instagram:events:watch'),
          fc.string({ maxLength: 30 }),
          fc.constantFrom('message:new', 'connect', 'disconnect', '__proto__'),
        ),
        fc.array(fc.oneof(eventPayload(conversationIds), jsonText), {
          maxLength: 3,
        }),
        fc.boolean(),
        async (event, args, wantsAck) => {
          const socket = await socketForNextEvent();
          const payloads = args.map(withRealId);
          // The frame as sent: the event and its arguments, plus packet type and ack id.
          const frameBytes =
            Buffer.byteLength(
              `[${[JSON.stringify(event), ...payloads].join(',')}]`,
            ) + 16;
          if (frameBytes > FRAME_LIMIT_BYTES) {
            // Past the frame limit Socket.io closes the connection instead of answering, as for
            // message:send above: no handler sees it.
            const closed = new Promise((resolve) =>
              socket.once('disconnect', resolve),
            );
            emitRawEvent(socket, event, ...payloads);
            await closed;
          } else if (event === 'instagram:events:watch' && wantsAck) {
            // Handled, and always acknowledged: the state now in force, or a 4xx.
            const ack = await emitRawEventWithAck(socket, event, payloads);
            expectNoServerError(ack);
            if (ack.ok) {
              expect(ack.data).toEqual({ watching: expect.any(Boolean) });
            }
          } else if (wantsAck && event !== 'typing') {
            // Nobody handles these events: only the guard answers (a refusal), or nothing does.
            await emitRawEventWithAck(socket, event, payloads, 300).then(
              expectNoServerError,
              () => undefined,
            );
          } else {
            emitRawEvent(socket, event, ...payloads);
          }
          await expectHealthyWithinBound();
        },
      ),
      { numRuns: 150, interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS },
    );
  });

  const postRoutes = [
    { path: '/api/auth/register', auth: false },
    { path: '/api/auth/login', auth: false },
    { path: '/api/conversations', auth: true },
    { path: '/api/conversations/<conversation>/messages', auth: true },
    { path: '/api/conversations/<conversation>/read', auth: true },
    { path: '/api/conversations/<id>/messages', auth: true },
  ];

  it('every POST route: any body is answered within the bound, never with a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...postRoutes),
        fc.oneof(
          {
            weight: 3,
            arbitrary: fc.oneof(eventPayload(conversationIds), jsonText),
          },
          fc.string({ maxLength: 200 }),
        ),
        fc.string({ minLength: 1, maxLength: 30 }),
        async (route, body, randomId) => {
          const path = withRealId(route.path).replace(
            '<id>',
            encodeURIComponent(randomId),
          );
          let call = request(app.http)
            .post(path)
            .set('Content-Type', 'application/json');
          if (route.auth) {
            call = call.set('Authorization', `Bearer ${alice.accessToken}`);
          }
          const startedAt = Date.now();
          const response = await call.send(withRealId(body));
          expect(Date.now() - startedAt).toBeLessThan(ANSWER_BOUND_MS);
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200, interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS },
    );
    await expectHealthyWithinBound();
  });

  it('closes the connection of a message over BODY_LIMIT, and stays up', async () => {
    const socket = await connectSocket(app.url, alice.accessToken);
    sockets.push(socket);
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    emitRawEvent(socket, 'message:send', JSON.stringify('x'.repeat(200_000)));
    await closed;
    await expectHealthyWithinBound();
  });

  it('afterwards still serves a normal send', async () => {
    await request(app.http)
      .post(`/api/conversations/${conversationId}/messages`)
      .set('Authorization', `Bearer ${alice.accessToken}`)
      .send({ text: 'still here' })
      .expect(201);
  });
});
