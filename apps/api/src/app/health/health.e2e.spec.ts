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
      uptimeSeconds: expect.any(Number),
    });
  });

  it('stays up but answers 503 "degraded" when the connection is gone', async () => {
    await testApp.app.get<Connection>(getConnectionToken()).close();
    const response = await request(testApp.http).get('/api/health').expect(503);
    expect(response.body.status).toBe('degraded');
    expect(response.body.database.state).toBe('disconnected');
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
