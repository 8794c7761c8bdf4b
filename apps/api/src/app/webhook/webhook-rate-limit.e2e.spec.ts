import request from 'supertest';
import { createTestApp, type TestApp } from '../testing/test-app';
import { WEBHOOK_RATE_LIMIT_PER_MINUTE } from './instagram-webhook.controller';

describe('Webhook intake rate limit (e2e)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it('answers 429 to one address beyond its deliveries per minute, and the rest of the API keeps answering', async () => {
    const deliver = () =>
      fetch(`${testApp.url}/webhook/instagram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      });
    const statuses: number[] = [];
    // In bounded parallel batches: quick, and never more than 50 sockets at once.
    for (let sent = 0; sent < WEBHOOK_RATE_LIMIT_PER_MINUTE; sent += 50) {
      statuses.push(
        ...(await Promise.all(
          Array.from(
            { length: Math.min(50, WEBHOOK_RATE_LIMIT_PER_MINUTE - sent) },
            deliver,
          ),
        )),
      );
    }
    expect(new Set(statuses)).toEqual(new Set([401]));

    expect(await deliver()).toBe(429);
    await request(testApp.http).get('/api/health').expect(200);
  }, 60_000);
});
