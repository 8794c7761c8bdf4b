import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMetaSandbox, type MetaSandbox } from './sandbox';
import {
  graphCaller,
  httpJson,
  subscribePage,
  type GraphCaller,
} from '../testing/sandbox-client';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../testing/webhook-receiver';

/**
 * The sandbox must speak Meta's formats: every webhook payload and Graph error it produces has
 * the same shape (keys, nesting, value types) as the documented examples kept in
 * libs/meta-platform/fixtures (copied from ../shared/fixtures/meta).
 */

const FIXTURES = join(__dirname, '../../../meta-platform/fixtures');
const APP_SECRET = 'shape-secret';
const PAGE = '109876543210001';
const ACCOUNT = '17841405822304914';
const ANNA = '1914357145407531';
const BEN = '2045678901234567';

type Shape = string | { [key: string]: Shape } | { array: string[] };

/** Value types and keys, recursively; an array becomes the set of its elements' shapes. */
function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value))
    return {
      array: [...new Set(value.map((v) => JSON.stringify(shapeOf(v))))].sort(),
    };
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, shapeOf((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

function fixture(kind: 'webhooks' | 'graph-errors', name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, kind, name), 'utf8'));
}

describe("shapes match Meta's documented examples", () => {
  let sandbox: MetaSandbox;
  let receiver: WebhookReceiver;
  let graph: GraphCaller;
  let pageToken: string;
  const control = (method: string, path: string, body?: unknown) =>
    httpJson(`${sandbox.url}/_sandbox${path}`, { method, body });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sandbox = await startMetaSandbox({
      appId: 'shape-app',
      appSecret: APP_SECRET,
      redirectUris: [],
      webhookUrl: receiver.url,
    });
    graph = graphCaller(sandbox.graphUrl, APP_SECRET);
  });
  afterAll(async () => {
    await sandbox.stop();
    await receiver.stop();
  });
  beforeEach(async () => {
    await control('POST', '/reset');
    receiver.received.length = 0;
    pageToken = await subscribePage(
      sandbox.url,
      graph,
      PAGE,
      'messages,message_reads,message_reactions,message_edits,messaging_postbacks,messaging_referrals',
    );
  });

  /** Sends events as Anna and returns the body of the last webhook POST. */
  async function delivered(
    events: Record<string, unknown>[],
    batch = false,
  ): Promise<unknown> {
    const res = await control('POST', '/events', {
      batch,
      events: events.map((e) => ({ user: ANNA, account: ACCOUNT, ...e })),
    });
    expect(res.status).toBe(202);
    await sandbox.webhooks.whenIdle();
    return JSON.parse(receiver.received[receiver.received.length - 1].body);
  }

  async function annaMessage(): Promise<string> {
    const res = await control('POST', '/events', {
      type: 'text',
      user: ANNA,
      text: 'earlier',
    });
    return res.json.events[0].mid;
  }

  const webhookCases: [string, () => Promise<unknown>][] = [
    ['01-text.json', () => delivered([{ type: 'text', text: 'Hi!' }])],
    ['02-image.json', () => delivered([{ type: 'image' }])],
    ['03-video-audio-file.json', () => delivered([{ type: 'video' }])],
    ['04-story-mention.json', () => delivered([{ type: 'story_mention' }])],
    [
      '05-story-reply.json',
      () => delivered([{ type: 'story_reply', text: 'Love this look!' }]),
    ],
    [
      '06-reply-to-message.json',
      async () =>
        delivered([
          { type: 'text', text: 'Yes, that one', mid: await annaMessage() },
        ]),
    ],
    [
      '07-echo-from-instagram-app.json',
      () => delivered([{ type: 'echo', text: 'We have it in M' }]),
    ],
    [
      '08-unsend.json',
      async () => delivered([{ type: 'unsend', mid: await annaMessage() }]),
    ],
    [
      '09-reaction.json',
      async () => delivered([{ type: 'reaction', mid: await annaMessage() }]),
    ],
    [
      '10-unreact.json',
      async () => delivered([{ type: 'unreaction', mid: await annaMessage() }]),
    ],
    [
      '11-seen.json',
      async () => delivered([{ type: 'read', mid: await annaMessage() }]),
    ],
    [
      '12-postback.json',
      () =>
        delivered([
          { type: 'postback', title: 'Track my order', payload: 'TRACK_ORDER' },
        ]),
    ],
    [
      '13-quick-reply.json',
      () =>
        delivered([{ type: 'quick_reply', text: 'Size M', payload: 'SIZE_M' }]),
    ],
    ['14-share-post.json', () => delivered([{ type: 'share' }])],
    ['15-reel.json', () => delivered([{ type: 'reel' }])],
    ['16-unsupported.json', () => delivered([{ type: 'unsupported' }])],
    [
      '17-edit.json',
      async () =>
        delivered([
          { type: 'edit', mid: await annaMessage(), text: 'Size L, sorry' },
        ]),
    ],
    [
      '18-referral.json',
      () => delivered([{ type: 'referral', payload: 'autumn-campaign' }]),
    ],
    [
      '19-batch-two-entries.json',
      () =>
        delivered(
          [
            { type: 'text', text: 'first' },
            { type: 'text', text: 'second' },
            { type: 'text', text: 'third', user: BEN },
          ],
          true,
        ),
    ],
  ];

  it.each(webhookCases)('webhook %s', async (name, produce) => {
    expect(shapeOf(await produce())).toEqual(
      shapeOf(fixture('webhooks', name)),
    );
  });

  it('the Send API echo has the shape of an echo', async () => {
    await control('POST', '/events', { type: 'text', user: ANNA, text: 'hi' });
    await graph.post('/me/messages', pageToken, {
      recipient: { id: ANNA },
      message: { text: 'Hello' },
    });
    await sandbox.webhooks.whenIdle();
    const echo = JSON.parse(
      receiver.received[receiver.received.length - 1].body,
    );
    expect(shapeOf(echo)).toEqual(
      shapeOf(fixture('webhooks', '07-echo-from-instagram-app.json')),
    );
  });

  const send = (body: unknown) => graph.post('/me/messages', pageToken, body);
  const annaWrote = () =>
    control('POST', '/events', { type: 'text', user: ANNA, text: 'hi' });
  const text = { recipient: { id: ANNA }, message: { text: 'x' } };

  const errorCases: [string, () => Promise<unknown>][] = [
    [
      '190-463-token-expired.json',
      async () => (
        await control('POST', '/tokens/expire', {}),
        (await send(text)).json
      ),
    ],
    [
      '190-460-password-changed.json',
      async () => (
        await control('POST', '/tokens/expire', { reason: 'password_changed' }),
        (await send(text)).json
      ),
    ],
    [
      '10-2534022-outside-window.json',
      async () => (
        await annaWrote(),
        await control('POST', '/clock', { advanceMs: 25 * 3_600_000 }),
        (await send(text)).json
      ),
    ],
    [
      '10-2018278-outside-window.json',
      async () => (
        await annaWrote(),
        await control('POST', '/clock', { advanceMs: 25 * 3_600_000 }),
        (await send(text)).json
      ),
    ],
    ['100-2018001-no-matching-user.json', async () => (await send(text)).json],
    [
      '100-invalid-parameter.json',
      async () => (await send({ message: { text: 'x' } })).json,
    ],
    [
      '551-user-unavailable.json',
      async () => (
        await annaWrote(),
        await control('PATCH', `/instagram-users/${ANNA}`, {
          available: false,
        }),
        (await send(text)).json
      ),
    ],
    [
      '2-transient.json',
      async () => (
        await annaWrote(),
        await control('POST', '/faults', { kind: 'server_error' }),
        (await send(text)).json
      ),
    ],
    [
      '4-app-rate-limit.json',
      async () => (
        await annaWrote(),
        await control('POST', '/faults', { kind: 'app_rate_limit' }),
        (await send(text)).json
      ),
    ],
    [
      '613-rate-limit.json',
      async () => (
        await annaWrote(),
        await control('POST', '/faults', { kind: 'rate_limit' }),
        (await send(text)).json
      ),
    ],
    [
      '200-permission.json',
      async () => (
        await annaWrote(),
        await control('POST', '/faults', { kind: 'permission' }),
        (await send(text)).json
      ),
    ],
  ];

  it.each(errorCases)('Graph error %s', async (name, produce) => {
    const body = await produce();
    const expected = fixture('graph-errors', name) as {
      error: { code: number; error_subcode?: number };
    };
    expect(shapeOf(body)).toEqual(shapeOf(expected));
    expect((body as typeof expected).error.code).toBe(expected.error.code);
  });
});
