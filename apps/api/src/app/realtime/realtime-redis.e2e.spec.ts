import {
  startEmbeddedMongo,
  type EmbeddedMongo,
} from '@instantchat/mongo-embedded';
import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { withDatabaseName } from '../database/database-server';
import { createTestApp, type TestApp } from '../testing/test-app';
import {
  connectSocket,
  nextEvent,
  type TestSocket,
} from './testing/socket-client';
import { describeWithRedis, REDIS_TEST_URL } from './testing/redis-for-tests';

describeWithRedis('Two API instances sharing Redis (e2e)', () => {
  let mongo: EmbeddedMongo;
  let first: TestApp;
  let second: TestApp;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    mongo = await startEmbeddedMongo({ host: '127.0.0.1', port: 0 });
    const shared = {
      MONGO_URI: withDatabaseName(
        mongo.uri,
        `redis_${randomBytes(4).toString('hex')}`,
      ),
      REDIS_URL: REDIS_TEST_URL,
    };
    [first, second] = await Promise.all([
      createTestApp(shared),
      createTestApp(shared),
    ]);
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await Promise.all([first?.close(), second?.close()]);
    await mongo?.stop();
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
