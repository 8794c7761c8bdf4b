import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
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

  it('stays up but reports "degraded" when the database is gone', async () => {
    await testApp.app.get<Connection>(getConnectionToken()).close();
    const response = await request(testApp.http).get('/api/health').expect(200);
    expect(response.body.status).toBe('degraded');
    expect(response.body.database.state).toBe('disconnected');
  });
});
