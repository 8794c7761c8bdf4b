import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import request from 'supertest';
import type { TestApp } from '../testing/test-app';
import { startTwoInstances, type TwoInstances } from '../testing/two-instances';
import {
  connectSocket,
  nextEvent,
  type TestSocket,
} from './testing/socket-client';
import { describeWithRedis, REDIS_TEST_URL } from './testing/redis-for-tests';

describeWithRedis('Two API instances sharing Redis (e2e)', () => {
  let instances: TwoInstances;
  let first: TestApp;
  let second: TestApp;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    instances = await startTwoInstances({ REDIS_URL: REDIS_TEST_URL });
    ({ first, second } = instances);
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await instances?.close();
  });

  it('delivers a message sent through one instance to a socket connected to the other', async () => {
    const alice = await first.register();
    const bob = await first.register();
    const conversation = (
      await request(first.http)
        .post('/api/conversations')
        .set('Authorization', `Bearer ${alice.accessToken}`)
        .send({ participantId: bob.user.id })
        .expect(201)
    ).body as ConversationDto;
    const bobOnSecond = await connectSocket(second.url, bob.accessToken);
    sockets.push(bobOnSecond);
    const received = nextEvent(bobOnSecond, 'message:new');

    const sent = (
      await request(first.http)
        .post(`/api/conversations/${conversation.id}/messages`)
        .set('Authorization', `Bearer ${alice.accessToken}`)
        .send({ text: 'from instance one' })
        .expect(201)
    ).body as MessageDto;

    expect(await received).toEqual(sent);
  });
});
