import {
  type EmbeddedMongo,
  startEmbeddedMongo,
} from '@instantchat/mongo-embedded';
import type { ConversationDto, MessageDto, Page } from '@instantchat/contracts';
import { getModelToken } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import request from 'supertest';
import { withDatabaseName } from '../database/database-server';
import { createTestApp, type TestApp } from '../testing/test-app';
import {
  MessageUpgradesService,
  SEARCH_TERMS_BATCH,
} from './message-upgrades.service';
import { Message } from './schemas/message.schema';

describe('A database from an earlier version is upgraded at start (e2e)', () => {
  let mongo: EmbeddedMongo;
  let mongoUri: string;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    mongo = await startEmbeddedMongo({ host: '127.0.0.1', port: 0 });
    mongoUri = withDatabaseName(mongo.uri, 'upgrades');
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await mongo?.stop();
  });

  async function boot(): Promise<TestApp> {
    const app = await createTestApp({ MONGO_URI: mongoUri });
    apps.push(app);
    return app;
  }
  const messagesOf = (app: TestApp) =>
    app.app.get<Model<Message>>(getModelToken(Message.name));

  it('drops the global instagramMessageId index and gives old messages their search terms', async () => {
    const old = await boot();
    const [alice, bob] = await Promise.all([old.register(), old.register()]);
    const conversation = (
      await request(old.http)
        .post('/api/conversations')
        .set('Authorization', `Bearer ${alice.accessToken}`)
        .send({ participantId: bob.user.id })
        .expect(201)
    ).body as ConversationDto;

    // What phase 1 left behind: its global unique index, and messages without search terms
    // (written raw, as the old code stored them), more than one batch of them.
    const collection = messagesOf(old).collection;
    await collection.createIndex(
      { instagramMessageId: 1 },
      {
        unique: true,
        partialFilterExpression: { instagramMessageId: { $type: 'string' } },
      },
    );
    const count = SEARCH_TERMS_BATCH * 2 + 7;
    await collection.insertMany(
      Array.from({ length: count }, (_, i) => ({
        conversationId: new Types.ObjectId(conversation.id),
        source: 'local',
        senderUserId: new Types.ObjectId(alice.user.id),
        text: i === 3 ? 'Rendez-vous au Café Lumière' : `old message ${i}`,
        attachments: [],
        status: 'sent',
        isFromInstagram: false,
        isToInstagram: false,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
        updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      })),
    );
    const search = (app: TestApp, q: string) =>
      request(app.http)
        .get('/api/messages/search')
        .query({ q })
        .set('Authorization', `Bearer ${bob.accessToken}`)
        .expect(200)
        .then((response) => response.body as Page<MessageDto>);
    expect((await search(old, 'lumiere')).items).toEqual([]);
    await old.close();
    apps.pop();

    const upgraded = await boot();
    const upgrades = upgraded.app.get(MessageUpgradesService);
    expect(await upgrades.backfillDone()).toBe(count);

    const indexNames = (await messagesOf(upgraded).collection.indexes()).map(
      (index) => index.name,
    );
    expect(indexNames).not.toContain('instagramMessageId_1');
    expect(indexNames).toContain('conversationId_1_instagramMessageId_1');
    expect(
      await messagesOf(upgraded).countDocuments({
        searchTerms: { $exists: false },
      }),
    ).toBe(0);
    const hits = await search(upgraded, 'cafe lum');
    expect(hits.items.map((message) => message.text)).toEqual([
      'Rendez-vous au Café Lumière',
    ]);

    // Running again finds nothing left to do.
    expect(await upgrades.dropObsoleteIndexes()).toEqual([]);
    expect(await upgrades.backfillSearchTerms()).toBe(0);

    // The same Meta message id in two conversations (an echo and its recipient's copy) now fits.
    const mid = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDA';
    await messagesOf(upgraded).collection.insertMany([
      { conversationId: new Types.ObjectId(), instagramMessageId: mid },
      { conversationId: new Types.ObjectId(), instagramMessageId: mid },
    ]);
  });

  it('starts on an empty database without complaint', async () => {
    const fresh = await createTestApp();
    apps.push(fresh);
    const upgrades = fresh.app.get(MessageUpgradesService);
    expect(await upgrades.backfillDone()).toBe(0);
    expect(await upgrades.dropObsoleteIndexes()).toEqual([]);
  });
});
