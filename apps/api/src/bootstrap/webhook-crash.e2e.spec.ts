import type { AuthResponseDto, ConversationDto } from '@instantchat/contracts';
import { OAUTH_CALLBACK_PATH } from '@instantchat/meta-platform';
import {
  startMetaSandbox,
  type MetaSandbox,
} from '@instantchat/meta-sandbox-server';
import { startEmbeddedMongo } from '@instantchat/mongo-embedded';
import { MongoClient } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EMBEDDED_DATABASE_NAME,
  withDatabaseName,
} from '../app/database/database-server';
import { ANNA } from '../app/instagram/sending/testing/send-test-kit';
import {
  answerMetaDialog,
  BLUE_JACKET,
  SANDBOX_APP_ID,
  SANDBOX_APP_SECRET,
} from '../app/instagram/testing/instagram-test-env';
import { messagingDelivery } from '../app/webhook/testing/webhook-test-kit';
import {
  freePort,
  type RunningApi,
  startApiProcess,
} from './testing/api-process';
import { fireWebhooks } from './testing/webhook-driver';

const EVENTS = 2_000;
/** Acknowledged events after which the API is killed: twice in the run. */
const KILL_AFTER = [500, 1_200];
/** A crashed processor's claims run out this soon (60 s by default). */
const WEBHOOK_LEASE_MS = 3_000;

/**
 * The API as `npm start` runs it (its own process, the embedded database with its files in a temp
 * folder) takes 2,000 webhook message events from a driver that retries like Meta, and is killed
 * with SIGKILL twice along the way, then restarted on the same data. Every event it acknowledged
 * must end processed exactly once: one stored message per event, none lost, none twice.
 */
describe('Webhook intake under kill -9 (the started API process)', () => {
  let dataDir: string;
  let sandbox: MetaSandbox;
  let api: RunningApi | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'instantchat-webhook-crash-'));
  });
  afterAll(async () => {
    await api?.kill();
    await sandbox?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('2,000 events, two kill -9 and restarts: every acknowledged event stored and processed exactly once', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    sandbox = await startMetaSandbox({
      appId: SANDBOX_APP_ID,
      appSecret: SANDBOX_APP_SECRET,
      redirectUris: [baseUrl + OAUTH_CALLBACK_PATH],
    });
    const env = {
      PUBLIC_URL: baseUrl,
      JWT_SECRET: randomBytes(32).toString('hex'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      META_LOGIN_METHODS: 'facebook',
      META_APP_ID: SANDBOX_APP_ID,
      META_APP_SECRET: SANDBOX_APP_SECRET,
      META_GRAPH_URL: sandbox.graphUrl,
      META_OAUTH_DIALOG_URL: sandbox.oauthDialogUrl,
      WEBHOOK_LEASE_MS: String(WEBHOOK_LEASE_MS),
    };
    const bootsMs: number[] = [];
    const start = async () => {
      const bootingAt = Date.now();
      const started = await startApiProcess({ dataDir, port, env });
      bootsMs.push(Date.now() - bootingAt);
      return started;
    };
    api = await start();
    const owner = await connectedOwner(baseUrl);
    // The contact writes in the sandbox first, so Meta knows the thread (and its profile).
    const wrote = await fetch(`${sandbox.url}/_sandbox/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'text',
        user: ANNA,
        account: BLUE_JACKET.accountId,
        text: 'Hello',
      }),
    });
    expect(wrote.status).toBe(202);

    const run = randomBytes(4).toString('hex');
    const bodies = Array.from({ length: EVENTS }, (_, i) =>
      messagingDelivery(BLUE_JACKET.accountId, [
        {
          sender: { id: ANNA },
          recipient: { id: BLUE_JACKET.accountId },
          timestamp: Date.now(),
          message: { mid: `mid.crash.${run}.${i}`, text: `crash ${i}` },
        },
      ]),
    );
    const kills: Promise<void>[] = [];
    let killed = 0;
    const report = await fireWebhooks(
      bodies,
      { url: () => `${baseUrl}/webhook/instagram`, secret: SANDBOX_APP_SECRET },
      ({ acknowledged }) => {
        if (killed < KILL_AFTER.length && acknowledged >= KILL_AFTER[killed]) {
          killed += 1;
          const dying = api;
          kills.push(
            (async () => {
              await dying?.kill();
              api = await start();
            })(),
          );
        }
      },
    );
    await Promise.all(kills);
    expect(killed).toBe(KILL_AFTER.length);

    const firedAt = Date.now();
    await settled(baseUrl, owner.accessToken, EVENTS, 90_000);
    const settledInMs = Date.now() - firedAt;
    // Stop the API cleanly and read its database files directly.
    api?.process.kill('SIGTERM');
    await api?.exited;
    api = undefined;
    const counts = await countStored(join(dataDir, 'db'), run);

    console.log(
      `kill -9 ×${killed}: ${EVENTS} events, ${report.acknowledged} acknowledged after ${report.posts} POSTs (${report.failures} refused or unanswered, retried); ` +
        `${counts.events} inbox deliveries (${counts.processed} processed), ${counts.messages} messages for ${counts.distinctMids} ids: ` +
        `${EVENTS - counts.distinctMids} lost, ${counts.messages - counts.distinctMids} duplicated (processing settled ${settledInMs} ms after the last acknowledgement; boots took ${bootsMs.join(', ')} ms)`,
    );
    expect(report.acknowledged).toBe(EVENTS);
    expect(report.failures).toBeGreaterThan(0);
    expect(counts).toEqual({
      events: EVENTS,
      processed: EVENTS,
      messages: EVENTS,
      distinctMids: EVENTS,
    });
  }, 240_000);
});

/** Registers the owner and connects Blue Jacket through Meta's dialog (Facebook Login). */
async function connectedOwner(baseUrl: string): Promise<AuthResponseDto> {
  const registered = await fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `owner-${randomBytes(4).toString('hex')}@example.test`,
      password: 'correct horse battery staple',
      displayName: 'Owner',
    }),
  });
  expect(registered.status).toBe(201);
  const owner = (await registered.json()) as AuthResponseDto;
  const started = await fetch(
    `${baseUrl}/api/instagram/auth/instagram?method=facebook`,
    { headers: { authorization: `Bearer ${owner.accessToken}` } },
  );
  expect(started.status).toBe(200);
  const { url } = (await started.json()) as { url: string };
  const callback = await answerMetaDialog(url, { page_id: BLUE_JACKET.pageId });
  // The same browser finishes the flow: it sends back the cookie the start set.
  const browserCookie = (started.headers.get('set-cookie') ?? '').split(';')[0];
  const landing = await fetch(callback, {
    redirect: 'manual',
    headers: { cookie: browserCookie },
  });
  expect(landing.headers.get('location')).toContain('status=connected');
  return owner;
}

/**
 * Waits until the owner's Instagram conversation has counted `expected` unread messages (each
 * stored inbound message counts once), or until `timeoutMs`: the counts below tell what is missing.
 */
async function settled(
  baseUrl: string,
  token: string,
  expected: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/api/conversations`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const conversations = response.ok
      ? ((await response.json()) as ConversationDto[])
      : [];
    const unread = conversations.reduce((sum, c) => sum + c.unreadCount, 0);
    if (unread >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** What the database files hold for this run, read by a fresh embedded server. */
async function countStored(dbPath: string, run: string) {
  const mongo = await startEmbeddedMongo({
    host: '127.0.0.1',
    port: 0,
    dbPath,
  });
  const client = new MongoClient(
    withDatabaseName(mongo.uri, EMBEDDED_DATABASE_NAME),
  );
  try {
    await client.connect();
    const db = client.db();
    const mids = new RegExp(`^mid\\.crash\\.${run}\\.`);
    const messages = await db
      .collection('messages')
      .find(
        { instagramMessageId: mids },
        { projection: { instagramMessageId: 1 } },
      )
      .toArray();
    const events = db.collection('webhookevents');
    const ours = { rawBody: { $regex: `mid\\.crash\\.${run}\\.` } };
    return {
      events: await events.countDocuments(ours),
      processed: await events.countDocuments({ ...ours, status: 'processed' }),
      messages: messages.length,
      distinctMids: new Set(messages.map((m) => m['instagramMessageId'])).size,
    };
  } finally {
    await client.close();
    await mongo.stop();
  }
}
