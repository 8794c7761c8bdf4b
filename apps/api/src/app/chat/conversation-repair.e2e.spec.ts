import {
  type EmbeddedMongo,
  startEmbeddedMongo,
} from '@instantchat/mongo-embedded';
import type {
  AuthResponseDto,
  ConversationDto,
  MessageDto,
} from '@instantchat/contracts';
import { getModelToken } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import request from 'supertest';
import { withDatabaseName } from '../database/database-server';
import { createTestApp, type TestApp } from '../testing/test-app';
import { ConversationRepairService } from './conversation-repair.service';
import { Conversation } from './schemas/conversation.schema';
import { Message } from './schemas/message.schema';

describe('Conversations repaired after a crash between storing a message and updating its conversation (e2e)', () => {
  let mongo: EmbeddedMongo;
  let mongoUri: string;
  let first: TestApp | undefined;
  let restarted: TestApp | undefined;

  beforeAll(async () => {
    mongo = await startEmbeddedMongo({ host: '127.0.0.1', port: 0 });
    mongoUri = withDatabaseName(mongo.uri, 'repair');
  });

  afterAll(async () => {
    await first?.close();
    await restarted?.close();
    await mongo?.stop();
  });

  function conversationsOf(app: TestApp, who: AuthResponseDto) {
    return request(app.http)
      .get('/api/conversations')
      .set('Authorization', `Bearer ${who.accessToken}`)
      .expect(200)
      .then((response) => response.body as ConversationDto[]);
  }

  it('recomputes the preview and unread counts from the messages at the next start', async () => {
    first = await createTestApp({ MONGO_URI: mongoUri });
    const [alice, bob] = await Promise.all([
      first.register(),
      first.register(),
    ]);
    const conversation = (
      await request(first.http)
        .post('/api/conversations')
        .set('Authorization', `Bearer ${alice.accessToken}`)
        .send({ participantId: bob.user.id })
        .expect(201)
    ).body as ConversationDto;
    await request(first.http)
      .post(`/api/conversations/${conversation.id}/messages`)
      .set('Authorization', `Bearer ${alice.accessToken}`)
      .send({ text: 'stored and counted' })
      .expect(201);

    // Three sends that crashed after the insert: the messages exist, the conversation never heard.
    const messages = first.app.get<Model<Message>>(getModelToken(Message.name));
    for (const text of ['lost one', 'lost two', 'lost three']) {
      await messages.create({
        conversationId: new Types.ObjectId(conversation.id),
        source: 'local',
        senderUserId: new Types.ObjectId(alice.user.id),
        text,
        status: 'sent',
      });
    }
    const before = (await conversationsOf(first, bob))[0];
    expect(before.unreadCount).toBe(1);
    expect(before.lastMessage?.text).toBe('stored and counted');
    await first.close();
    first = undefined;

    restarted = await createTestApp({ MONGO_URI: mongoUri });

    const [forBob] = await conversationsOf(restarted, bob);
    const [forAlice] = await conversationsOf(restarted, alice);
    expect(forBob.unreadCount).toBe(4);
    expect(forBob.lastMessage?.text).toBe('lost three');
    expect(forAlice.unreadCount).toBe(0);
    const history = (
      await request(restarted.http)
        .get(`/api/conversations/${conversation.id}/messages`)
        .set('Authorization', `Bearer ${bob.accessToken}`)
        .expect(200)
    ).body as { items: MessageDto[] };
    expect(history.items[0].text).toBe('lost three');
  });

  it('leaves conversations that are up to date alone, and counts only what was sent after the last read', async () => {
    const app = restarted as TestApp;
    const [carol, dave] = await Promise.all([app.register(), app.register()]);
    const conversation = (
      await request(app.http)
        .post('/api/conversations')
        .set('Authorization', `Bearer ${carol.accessToken}`)
        .send({ participantId: dave.user.id })
        .expect(201)
    ).body as ConversationDto;
    const send = (text: string) =>
      request(app.http)
        .post(`/api/conversations/${conversation.id}/messages`)
        .set('Authorization', `Bearer ${carol.accessToken}`)
        .send({ text })
        .expect(201);
    await send('read already');
    await request(app.http)
      .post(`/api/conversations/${conversation.id}/read`)
      .set('Authorization', `Bearer ${dave.accessToken}`)
      .expect(200);
    await send('unread');

    const repair = app.app.get(ConversationRepairService);
    await expect(repair.repairConversationsBehindTheirMessages()).resolves.toBe(
      0,
    );

    await app.app.get<Model<Message>>(getModelToken(Message.name)).create({
      conversationId: new Types.ObjectId(conversation.id),
      source: 'local',
      senderUserId: new Types.ObjectId(carol.user.id),
      text: 'crashed before the conversation update',
      status: 'sent',
    });
    await expect(repair.repairConversationsBehindTheirMessages()).resolves.toBe(
      1,
    );
    const [forDave] = await conversationsOf(app, dave);
    expect(forDave.unreadCount).toBe(2);
    expect(forDave.lastMessage?.text).toBe(
      'crashed before the conversation update',
    );
  });

  it('repairs unread counts a crash left short after the preview was already written', async () => {
    const app = restarted as TestApp;
    const [erin, frank] = await Promise.all([app.register(), app.register()]);
    const conversation = (
      await request(app.http)
        .post('/api/conversations')
        .set('Authorization', `Bearer ${erin.accessToken}`)
        .send({ participantId: frank.user.id })
        .expect(201)
    ).body as ConversationDto;
    for (const text of ['one', 'two']) {
      await request(app.http)
        .post(`/api/conversations/${conversation.id}/messages`)
        .set('Authorization', `Bearer ${erin.accessToken}`)
        .send({ text })
        .expect(201);
    }
    // The second send crashed between the preview write and the counter increment.
    await app.app
      .get<Model<Conversation>>(getModelToken(Conversation.name))
      .updateOne(
        { _id: new Types.ObjectId(conversation.id) },
        { $inc: { [`unreadCounts.${frank.user.id}`]: -1 } },
      );
    const before = (await conversationsOf(app, frank)).find(
      (item) => item.id === conversation.id,
    );
    expect(before?.unreadCount).toBe(1);

    const repair = app.app.get(ConversationRepairService);
    await expect(repair.repairConversationsBehindTheirMessages()).resolves.toBe(
      1,
    );
    const after = (await conversationsOf(app, frank)).find(
      (item) => item.id === conversation.id,
    );
    expect(after?.unreadCount).toBe(2);
    expect(after?.lastMessage?.text).toBe('two');
  });

  it('counts neither a withdrawn message nor one the business wrote when it recounts', async () => {
    const app = restarted as TestApp;
    const [gina, hal] = await Promise.all([app.register(), app.register()]);
    const conversation = (
      await request(app.http)
        .post('/api/conversations')
        .set('Authorization', `Bearer ${gina.accessToken}`)
        .send({ participantId: hal.user.id })
        .expect(201)
    ).body as ConversationDto;
    await request(app.http)
      .post(`/api/conversations/${conversation.id}/messages`)
      .set('Authorization', `Bearer ${gina.accessToken}`)
      .send({ text: 'counted' })
      .expect(201);
    // Stored by sends that crashed before the conversation update: one since taken back by its
    // author, one going out to Instagram (the business's own words, never unread to it).
    const messages = app.app.get<Model<Message>>(getModelToken(Message.name));
    await messages.create({
      conversationId: new Types.ObjectId(conversation.id),
      source: 'local',
      senderUserId: new Types.ObjectId(gina.user.id),
      text: '',
      status: 'sent',
      deletedAt: new Date(),
    });
    await messages.create({
      conversationId: new Types.ObjectId(conversation.id),
      source: 'instagram',
      senderUserId: null,
      text: 'written in the Instagram app',
      status: 'sent',
      isToInstagram: true,
    });

    const repair = app.app.get(ConversationRepairService);
    await expect(repair.repairConversationsBehindTheirMessages()).resolves.toBe(
      1,
    );
    const [forHal] = await conversationsOf(app, hal);
    expect(forHal.unreadCount).toBe(1);
    expect(forHal.lastMessage?.text).toBe('written in the Instagram app');
  });
});
