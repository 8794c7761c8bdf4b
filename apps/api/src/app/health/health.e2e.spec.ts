import {
  type EmbeddedMongo,
  startEmbeddedMongo,
} from '@instantchat/mongo-embedded';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { withDatabaseName } from '../database/database-server';
import { createTestApp, type TestApp } from '../testing/test-app';

describe('GET /api/health (e2e)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('is public and reports a connected database', async () => {
    const response = await request(testApp.http).get('/api/health').expect(200);
    expect(response.body).toEqual({
      status: 'ok',
      database: { state: 'connected', embedded: false },
      inbox: { pending: 0, oldestPendingAgeSeconds: null },
      uptimeSeconds: expect.any(Number),
    });
  });

  it('reports the webhook inbox backlog: pending deliveries and the age of the oldest', async () => {
    const events = testApp.app
      .get<Connection>(getConnectionToken())
      .collection('webhookevents');
    const now = Date.now();
    // Deliveries waiting for a retry later on, so the processor leaves them pending meanwhile.
    const waiting = (receivedAgoMs: number, digest: string) => ({
      rawBody: '{"object":"instagram","entry":[]}',
      digest,
      receivedAt: new Date(now - receivedAgoMs),
      status: 'pending',
      attempts: 1,
      lastError: null,
      nextAttemptAt: new Date(now + 3_600_000),
      leaseUntil: null,
      items: [],
      itemsRead: false,
    });
    await events.insertMany([
      waiting(90_000, 'backlog-older'),
      waiting(5_000, 'backlog-newer'),
      { ...waiting(600_000, 'backlog-finished'), status: 'processed' },
    ]);
    try {
      const response = await request(testApp.http)
        .get('/api/health')
        .expect(200);
      expect(response.body.inbox.pending).toBe(2);
      // The older of the two pending ones, not the finished one before it.
      expect(
        response.body.inbox.oldestPendingAgeSeconds,
      ).toBeGreaterThanOrEqual(90);
      expect(response.body.inbox.oldestPendingAgeSeconds).toBeLessThan(600);
    } finally {
      await events.deleteMany({ digest: /^backlog-/ });
    }
  });

  it('describes the inbox backlog in its OpenAPI document', async () => {
    const document = await request(testApp.http)
      .get('/api/docs-json')
      .expect(200);
    const schemas = document.body.components.schemas;
    expect(schemas.HealthResponse.required).toContain('inbox');
    expect(schemas.InboxBacklogResponse.properties).toEqual({
      pending: expect.objectContaining({ type: 'number' }),
      oldestPendingAgeSeconds: expect.objectContaining({
        type: 'number',
        nullable: true,
      }),
    });
  });

  it('stays up but answers 503 "degraded" when the connection is gone', async () => {
    await testApp.app.get<Connection>(getConnectionToken()).close();
    const response = await request(testApp.http).get('/api/health').expect(503);
    expect(response.body.status).toBe('degraded');
    expect(response.body.database.state).toBe('disconnected');
    // Unknown, rather than a query that waits on a connection that is gone.
    expect(response.body.inbox).toBeNull();
  });
});

describe('When the database server goes away (e2e)', () => {
  let mongo: EmbeddedMongo;
  let testApp: TestApp;
  let accessToken: string;

  beforeAll(async () => {
    mongo = await startEmbeddedMongo({ host: '127.0.0.1', port: 0 });
    testApp = await createTestApp({
      MONGO_URI: withDatabaseName(mongo.uri, 'health_outage'),
    });
    ({ accessToken } = await testApp.register());
    await mongo.stop();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('/api/health answers 503 within a couple of seconds', async () => {
    const startedAt = Date.now();
    const response = await request(testApp.http).get('/api/health').expect(503);
    expect(response.body.status).toBe('degraded');
    expect(Date.now() - startedAt).toBeLessThan(2_500);
  });

  it('a request that needs the database fails fast with a 503 that says why, not a 500 after 30 s', async () => {
    const startedAt = Date.now();
    const response = await request(testApp.http)
      .get('/api/conversations')
      .set('Authorization', `Bearer ${accessToken}`)
      .expect(503);
    expect(response.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The database is unavailable, try again shortly',
    });
    expect(Date.now() - startedAt).toBeLessThan(8_000);
  });
});
