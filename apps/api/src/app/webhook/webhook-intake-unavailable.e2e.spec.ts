import {
  startEmbeddedMongo,
  type EmbeddedMongo,
} from '@instantchat/mongo-embedded';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDatabaseName } from '../database/database-server';
import { createTestApp, type TestApp } from '../testing/test-app';
import { postWebhook } from './testing/webhook-test-kit';
import { WEBHOOK_STORE_TIMEOUT_MS } from './webhook-inbox.service';

const APP_SECRET = 'unavailable-e2e-secret';
const ACCOUNT = '17841405822304914';

/**
 * The inbox's database goes away: Meta must hear 503 (never 200 for a delivery that was not
 * stored), and its retry, once the database is back, must be stored.
 */
describe('Webhook intake while the database is down (e2e)', () => {
  let dbPath: string;
  let mongo: EmbeddedMongo;
  let testApp: TestApp;

  const events = () =>
    testApp.app
      .get<Connection>(getConnectionToken())
      .collection('webhookevents');

  beforeAll(async () => {
    dbPath = mkdtempSync(join(tmpdir(), 'webhook-unavailable-'));
    mongo = await startEmbeddedMongo({ dbPath });
    testApp = await createTestApp({
      MONGO_URI: withDatabaseName(mongo.uri, 'webhook_unavailable'),
      META_APP_SECRET: APP_SECRET,
    });
  });
  afterAll(async () => {
    await testApp?.close();
    await mongo?.stop();
    rmSync(dbPath, { recursive: true, force: true });
  });

  it(
    'answers 503 while the database is down, and stores Meta’s retry once it is back',
    async () => {
      const body = JSON.stringify({
        object: 'instagram',
        entry: [{ id: ACCOUNT, time: Date.now(), messaging: [] }],
      });
      await mongo.stop();

      const refused = await postWebhook(testApp.http, body, APP_SECRET);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({
        statusCode: 503,
        message: 'The delivery could not be stored; send it again later',
      });

      mongo = await startEmbeddedMongo({ dbPath, port: mongo.port });
      // Meta retries the same bytes until one answer is 2xx.
      const deadline = Date.now() + 20_000;
      let retried = await postWebhook(testApp.http, body, APP_SECRET);
      while (retried.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        retried = await postWebhook(testApp.http, body, APP_SECRET);
      }
      expect(retried.status).toBe(200);
      expect(await events().countDocuments({ rawBody: body })).toBe(1);
    },
    WEBHOOK_STORE_TIMEOUT_MS + 40_000,
  );
});
