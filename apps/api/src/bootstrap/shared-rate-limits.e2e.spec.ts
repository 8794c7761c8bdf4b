import type { AuthResponseDto, ConversationDto } from '@instantchat/contracts';
import request from 'supertest';
import {
  describeWithRedis,
  REDIS_TEST_URL,
} from '../app/realtime/testing/redis-for-tests';
import {
  connectSocket,
  type TestSocket,
} from '../app/realtime/testing/socket-client';
import { WEBHOOK_RATE_LIMIT_PER_MINUTE } from '../app/webhook/instagram-webhook.controller';
import type { TestApp } from '../app/testing/test-app';
import {
  startTwoInstances,
  testRedisKeyPrefix,
  type TwoInstances,
} from '../app/testing/two-instances';
import { RedisRateLimitStore } from '../app/rate-limit/redis-rate-limit-store';

const AUTH_LIMIT = 4;
const MESSAGE_LIMIT = 6;

/**
 * Rate limits with REDIS_URL: two instances on one Redis grant each limit once between them, not
 * once each. Runs where Redis is expected (CI, REDIS_TEST_URL) and fails there without it.
 */
describeWithRedis(
  'Rate limits shared by two API instances through Redis (e2e)',
  () => {
    let instances: TwoInstances;
    let first: TestApp;
    let second: TestApp;
    const sockets: TestSocket[] = [];
    /** Alternates between the instances, as a load balancer would. */
    const through = (i: number) => (i % 2 === 0 ? first : second);

    beforeAll(async () => {
      instances = await startTwoInstances({
        REDIS_URL: REDIS_TEST_URL,
        REDIS_KEY_PREFIX: testRedisKeyPrefix(),
        AUTH_RATE_LIMIT: String(AUTH_LIMIT),
        MESSAGE_RATE_LIMIT: String(MESSAGE_LIMIT),
      });
      ({ first, second } = instances);
    });
    afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));
    afterAll(async () => {
      await instances?.close();
    });

    it(`login: ${AUTH_LIMIT} attempts a minute per client across both instances, then 429 on either`, async () => {
      const statuses: number[] = [];
      for (let i = 0; i < AUTH_LIMIT + 2; i += 1)
        statuses.push(
          (
            await request(through(i).http).post('/api/auth/login').send({
              email: 'nobody@example.test',
              password: 'wrong password',
            })
          ).status,
        );

      expect(statuses.slice(0, AUTH_LIMIT)).toEqual(
        Array.from({ length: AUTH_LIMIT }, () => 401),
      );
      expect(statuses.slice(AUTH_LIMIT)).toEqual([429, 429]);
    });

    describe('for a signed-in user', () => {
      let alice: AuthResponseDto;
      let conversationId: string;

      beforeAll(async () => {
        // Register's own budget (AUTH_LIMIT, shared too): two people.
        alice = await first.register();
        const bob = await second.register();
        conversationId = (
          (
            await request(first.http)
              .post('/api/conversations')
              .set('Authorization', `Bearer ${alice.accessToken}`)
              .send({ participantId: bob.user.id })
              .expect(201)
          ).body as ConversationDto
        ).id;
      });

      it(`sends: ${MESSAGE_LIMIT} a minute per user across both instances and both doors (REST and socket), then refused on each`, async () => {
        const onFirst = await connectSocket(first.url, alice.accessToken);
        const onSecond = await connectSocket(second.url, alice.accessToken);
        sockets.push(onFirst, onSecond);
        const restSend = async (i: number) =>
          (
            await request(through(i).http)
              .post(`/api/conversations/${conversationId}/messages`)
              .set('Authorization', `Bearer ${alice.accessToken}`)
              .send({ text: `rest ${i}` })
          ).status;
        const socketSend = async (i: number) => {
          const ack = await (i % 2 === 0 ? onFirst : onSecond)
            .timeout(5_000)
            .emitWithAck('message:send', { conversationId, text: `s${i}` });
          return ack.ok ? 201 : ack.error.statusCode;
        };

        // REST and socket in turn, each door through both instances.
        const statuses: number[] = [];
        for (let i = 0; i < MESSAGE_LIMIT; i += 1)
          statuses.push(await (i % 4 < 2 ? restSend(i) : socketSend(i)));
        expect(statuses).toEqual(
          Array.from({ length: MESSAGE_LIMIT }, () => 201),
        );

        expect([await restSend(0), await restSend(1)]).toEqual([429, 429]);
        for (const i of [0, 1])
          expect(
            await (i === 0 ? onFirst : onSecond)
              .timeout(5_000)
              .emitWithAck('message:send', { conversationId, text: 'over' }),
          ).toEqual({
            ok: false,
            error: {
              statusCode: 429,
              message: expect.stringMatching(/^Too many "message:send" events/),
            },
          });
      });
    });

    it(`webhook: ${WEBHOOK_RATE_LIMIT_PER_MINUTE} deliveries a minute per source address across both instances, then 429`, async () => {
      // Unsigned: the limit is checked before the signature, so each of these counts (401 otherwise).
      const post = (i: number) =>
        request(through(i).http)
          .post('/webhook/instagram')
          .set('Content-Type', 'application/json')
          .send('{}');
      const statuses: number[] = [];
      const total = WEBHOOK_RATE_LIMIT_PER_MINUTE + 20;
      for (let i = 0; i < total; i += 20)
        statuses.push(
          ...(
            await Promise.all(
              Array.from({ length: Math.min(20, total - i) }, (_, j) =>
                post(i + j),
              ),
            )
          ).map((response) => response.status),
        );

      const refused = statuses.filter((status) => status === 429).length;
      expect(statuses.length - refused).toBe(WEBHOOK_RATE_LIMIT_PER_MINUTE);
      expect(refused).toBe(20);
      expect(new Set(statuses.filter((status) => status !== 429))).toEqual(
        new Set([401]),
      );
    }, 120_000);

    it('counts in the process while Redis does not answer, instead of failing the request', async () => {
      const store = await RedisRateLimitStore.connect(
        REDIS_TEST_URL,
        testRedisKeyPrefix(),
      );
      expect(await store.hit('k', 60_000)).toMatchObject({ count: 1 });
      await store.close();

      const local = [
        await store.hit('k', 60_000),
        await store.hit('k', 60_000),
      ];

      expect(local.map((hit) => hit.count)).toEqual([1, 2]);
    });
  },
);
