import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Connection } from 'mongoose';
import request from 'supertest';

/** Meta's payload examples, shared with the sandbox (libs/meta-platform/fixtures/webhooks). */
export const FIXTURES_DIR = join(
  __dirname,
  '../../../../../../libs/meta-platform/fixtures/webhooks',
);

export interface WebhookFixture {
  name: string;
  /** The file's exact bytes. */
  body: string;
}

export function loadWebhookFixtures(): WebhookFixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({
      name,
      body: readFileSync(join(FIXTURES_DIR, name), 'utf8'),
    }));
}

export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** POSTs a body to the webhook as Meta does: JSON, signed with `secret` (unsigned with none). */
export function postWebhook(
  http: Server,
  body: string | Buffer,
  secret?: string,
  signature = secret === undefined ? undefined : signBody(body, secret),
) {
  const call = request(http)
    .post('/webhook/instagram')
    .set('Content-Type', 'application/json')
    .set('Facebook-API-Version', 'v19.0');
  if (signature !== undefined) call.set('X-Hub-Signature-256', signature);
  return call.send(typeof body === 'string' ? body : body);
}

/** Waits until no stored delivery is pending (or fails after `timeoutMs`). */
export async function inboxSettled(
  database: Connection,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await database
      .collection('webhookevents')
      .countDocuments({ status: 'pending' });
    if (pending === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${pending} webhook deliveries still pending`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A delivery of one messaging event, in Meta's form (milliseconds, string ids). */
export function messagingDelivery(
  accountId: string,
  events: Record<string, unknown>[],
): string {
  return JSON.stringify({
    object: 'instagram',
    entry: [{ id: accountId, time: Date.now(), messaging: events }],
  });
}
