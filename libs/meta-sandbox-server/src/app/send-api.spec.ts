import { createHmac } from 'node:crypto';
import { startMetaSandbox, type MetaSandbox } from './sandbox';
import {
  graphCaller,
  httpJson,
  type GraphCaller,
} from '../testing/sandbox-client';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../testing/webhook-receiver';

const APP_ID = 'test-app-id';
const APP_SECRET = 'test-app-secret';
const ACCOUNT = '17841405822304914';
const PAGE = '109876543210001';
const ANNA = '1914357145407531';
const HOUR = 3_600_000;

describe('Send API', () => {
  let sandbox: MetaSandbox;
  let receiver: WebhookReceiver;
  let graph: GraphCaller;
  let pageToken: string;

  const control = (method: string, path: string, body?: unknown) =>
    httpJson(`${sandbox.url}/_sandbox${path}`, { method, body });
  const send = (body: unknown, token = pageToken) =>
    graph.post('/me/messages', token, body);

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    sandbox = await startMetaSandbox({
      appId: APP_ID,
      appSecret: APP_SECRET,
      redirectUris: [],
      webhookUrl: receiver.url,
      webhookRetryDelaysMs: [10],
    });
    graph = graphCaller(sandbox.graphUrl, APP_SECRET);
    const user = await control('POST', '/tokens', { pageIds: [PAGE] });
    const pages = await graph.get('/me/accounts', user.json.access_token);
    pageToken = pages.json.data[0].access_token;
    await graph.post(`/${PAGE}/subscribed_apps`, pageToken, undefined, {
      subscribed_fields: 'messages,message_reads',
    });
  });

  afterEach(async () => {
    await sandbox.stop();
    await receiver.stop();
  });

  async function annaWrites(text = 'Hi!') {
    const res = await control('POST', '/events', {
      type: 'text',
      user: ANNA,
      account: ACCOUNT,
      text,
    });
    expect(res.status).toBe(202);
    return res.json.events[0].mid as string;
  }

  it('answers recipient_id and message_id, records the request and delivers the signed echo', async () => {
    await annaWrites();
    await receiver.waitFor(1);

    const res = await send({
      recipient: { id: ANNA },
      messaging_type: 'RESPONSE',
      message: { text: 'Hello Anna' },
    });

    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      recipient_id: ANNA,
      message_id: expect.any(String),
    });
    const [echo] = (await receiver.waitFor(2)).slice(1);
    const payload = JSON.parse(echo.body);
    expect(payload.entry[0].messaging[0]).toEqual({
      sender: { id: ACCOUNT },
      recipient: { id: ANNA },
      timestamp: expect.any(Number),
      message: { mid: res.json.message_id, text: 'Hello Anna', is_echo: true },
    });
    expect(echo.headers['x-hub-signature-256']).toBe(
      'sha256=' +
        createHmac('sha256', APP_SECRET).update(echo.body).digest('hex'),
    );
    const log = await control('GET', `/sent-messages?recipient=${ANNA}`);
    expect(log.json.data).toHaveLength(1);
    expect(log.json.data[0]).toMatchObject({
      status: 200,
      instagramAccountId: ACCOUNT,
      body: { message: { text: 'Hello Anna' } },
    });
    expect(JSON.stringify(log.json)).not.toContain(pageToken);
  });

  it('sends a like_heart, which has no payload, and echoes it', async () => {
    await annaWrites();
    await receiver.waitFor(1);

    const res = await send({
      recipient: { id: ANNA },
      message: { attachment: { type: 'like_heart' } },
    });

    expect(res.status).toBe(200);
    expect(res.json.message_id).toEqual(expect.any(String));
    const [echo] = (await receiver.waitFor(2)).slice(1);
    const message = JSON.parse(echo.body).entry[0].messaging[0].message;
    expect(message).toMatchObject({
      mid: res.json.message_id,
      is_echo: true,
      attachments: [{ type: 'like_heart' }],
    });
  });

  it('accepts the form-encoded body with JSON-encoded fields, as Meta does', async () => {
    await annaWrites();
    const url = new URL(`${sandbox.graphUrl}/me/messages`);
    url.searchParams.set(
      'appsecret_proof',
      createHmac('sha256', APP_SECRET).update(pageToken).digest('hex'),
    );
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        access_token: pageToken,
        recipient: JSON.stringify({ id: ANNA }),
        message: JSON.stringify({ text: 'hi' }),
      }).toString(),
    });
    expect(res.status).toBe(200);
  });

  it.each([
    [
      'no recipient',
      { message: { text: 'x' } },
      'The parameter recipient is required',
    ],
    [
      'a recipient without id',
      { recipient: {}, message: { text: 'x' } },
      'recipient[id]',
    ],
    [
      'neither message nor sender action',
      { recipient: { id: ANNA } },
      'Must send either message or sender action',
    ],
    [
      'an empty message',
      { recipient: { id: ANNA }, message: {} },
      'either text or attachment',
    ],
    [
      'text and attachment',
      {
        recipient: { id: ANNA },
        message: {
          text: 'x',
          attachment: {
            type: 'image',
            payload: { url: 'https://x.test/a.png' },
          },
        },
      },
      'only one of text or attachment',
    ],
    [
      'text over 1000 characters',
      { recipient: { id: ANNA }, message: { text: 'a'.repeat(1001) } },
      'less than or equal to 1000',
    ],
    [
      'blank text',
      { recipient: { id: ANNA }, message: { text: '   ' } },
      'non-empty',
    ],
    [
      'an unknown messaging_type',
      {
        recipient: { id: ANNA },
        messaging_type: 'PROMO',
        message: { text: 'x' },
      },
      'messaging_type must be one of',
    ],
    [
      'a tag Instagram does not support',
      {
        recipient: { id: ANNA },
        messaging_type: 'MESSAGE_TAG',
        tag: 'CONFIRMED_EVENT_UPDATE',
        message: { text: 'x' },
      },
      'tag must be one of',
    ],
    [
      'MESSAGE_TAG without a tag',
      {
        recipient: { id: ANNA },
        messaging_type: 'MESSAGE_TAG',
        message: { text: 'x' },
      },
      'tag is required',
    ],
    [
      'an attachment URL that is not a URL',
      {
        recipient: { id: ANNA },
        message: {
          attachment: { type: 'image', payload: { url: 'not a url' } },
        },
      },
      'must be a valid URL',
    ],
    [
      'an unknown attachment type',
      {
        recipient: { id: ANNA },
        message: { attachment: { type: 'sticker', payload: {} } },
      },
      'attachment][type]',
    ],
    [
      'an unknown sender_action',
      { recipient: { id: ANNA }, sender_action: 'dance' },
      'sender_action must be one of',
    ],
  ])('rejects a body with %s with error #100', async (_case, body, message) => {
    await annaWrites();
    const res = await send(body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      type: 'OAuthException',
      code: 100,
      fbtrace_id: expect.any(String),
    });
    expect(res.json.error.message).toContain(message);
  });

  it('answers "No matching user found" (#100/2018001) for someone who never wrote to the business', async () => {
    const res = await send({
      recipient: { id: ANNA },
      message: { text: 'Cold outreach' },
    });
    expect(res.json.error).toMatchObject({ code: 100, error_subcode: 2018001 });
    const unknown = await send({
      recipient: { id: '999999999' },
      message: { text: 'x' },
    });
    expect(unknown.json.error).toMatchObject({
      code: 100,
      error_subcode: 2018001,
    });
  });

  it('enforces the 24-hour window, and 7 days with the HUMAN_AGENT tag', async () => {
    await annaWrites();
    await control('POST', '/clock', { advanceMs: 25 * HOUR });

    const closed = await send({
      recipient: { id: ANNA },
      message: { text: 'late' },
    });
    expect(closed.json.error).toMatchObject({
      code: 10,
      error_subcode: 2534022,
    });

    const agent = await send({
      recipient: { id: ANNA },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'a human here' },
    });
    expect(agent.status).toBe(200);

    await control('POST', '/clock', { advanceMs: 7 * 24 * HOUR });
    const tooLate = await send({
      recipient: { id: ANNA },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'too late' },
    });
    expect(tooLate.json.error).toMatchObject({
      code: 10,
      error_subcode: 2534022,
    });
  });

  it('reopens the window when the person writes again', async () => {
    await annaWrites();
    await control('POST', '/clock', { advanceMs: 30 * HOUR });
    await annaWrites('Still there?');
    expect(
      (await send({ recipient: { id: ANNA }, message: { text: 'Yes!' } }))
        .status,
    ).toBe(200);
  });

  it('answers #551 for a person who is not available', async () => {
    await annaWrites();
    await control('PATCH', `/instagram-users/${ANNA}`, { available: false });
    const res = await send({ recipient: { id: ANNA }, message: { text: 'x' } });
    expect(res.json.error).toMatchObject({ code: 551, error_subcode: 1545041 });
  });

  it('rejects bad, expired and invalidated tokens with #190 and its subcode', async () => {
    await annaWrites();
    const bad = await send(
      { recipient: { id: ANNA }, message: { text: 'x' } },
      'EAAnot-a-token',
    );
    expect(bad.json.error).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(bad.json.error.error_subcode).toBeUndefined();

    await control('POST', '/tokens/expire', {
      pageId: PAGE,
      reason: 'password_changed',
    });
    expect(
      (await send({ recipient: { id: ANNA }, message: { text: 'x' } })).json
        .error,
    ).toMatchObject({ code: 190, error_subcode: 460 });
  });

  it('answers #190/463 once a token has expired', async () => {
    await annaWrites();
    await control('POST', '/tokens/expire', { pageId: PAGE });
    const res = await send({ recipient: { id: ANNA }, message: { text: 'x' } });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 190, error_subcode: 463 });
    expect(res.json.error.message).toMatch(
      /^Error validating access token: Session has expired on /,
    );
  });

  it('requires a valid appsecret_proof', async () => {
    await annaWrites();
    const body = JSON.stringify({
      recipient: { id: ANNA },
      message: { text: 'x' },
    });
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${pageToken}`,
    };
    const missing = await httpJson(`${sandbox.graphUrl}/me/messages`, {
      method: 'POST',
      headers,
      body: JSON.parse(body),
    });
    expect(missing.json.error).toMatchObject({
      code: 100,
      message: 'API calls from the server require an appsecret_proof argument',
    });
    const wrong = await httpJson(
      `${sandbox.graphUrl}/me/messages?appsecret_proof=${'0'.repeat(64)}`,
      { method: 'POST', headers, body: JSON.parse(body) },
    );
    expect(wrong.json.error).toMatchObject({
      code: 100,
      message: 'Invalid appsecret_proof provided in the API argument',
    });
  });

  it('answers injected rate limits with the usage header and then recovers', async () => {
    await annaWrites();
    await control('POST', '/faults', {
      kind: 'rate_limit',
      path: '/messages',
      retryAfterMinutes: 3,
    });
    const limited = await send({
      recipient: { id: ANNA },
      message: { text: 'x' },
    });
    expect(limited.json.error).toMatchObject({ code: 613 });
    const usage = JSON.parse(
      limited.headers.get('x-business-use-case-usage') as string,
    );
    expect(Object.values(usage)[0]).toEqual([
      expect.objectContaining({ estimated_time_to_regain_access: 3 }),
    ]);
    expect(
      (await send({ recipient: { id: ANNA }, message: { text: 'x' } })).status,
    ).toBe(200);
  });

  it('answers an injected 5xx with the transient error body', async () => {
    await annaWrites();
    await control('POST', '/faults', { kind: 'server_error', status: 503 });
    const res = await send({ recipient: { id: ANNA }, message: { text: 'x' } });
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({ code: 2, is_transient: true });
  });

  it('holds the answer back for an injected slow fault', async () => {
    await annaWrites();
    await control('POST', '/faults', { kind: 'slow', delayMs: 300 });
    const started = Date.now();
    const res = await send({ recipient: { id: ANNA }, message: { text: 'x' } });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('sends through /{ig-id}/messages with the same rules', async () => {
    await annaWrites();
    expect(
      (
        await graph.post(`/${ACCOUNT}/messages`, pageToken, {
          recipient: { id: ANNA },
          message: { text: 'x' },
        })
      ).status,
    ).toBe(200);
    const other = await graph.post('/17841405822304915/messages', pageToken, {
      recipient: { id: ANNA },
      message: { text: 'x' },
    });
    expect(other.json.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('requires a Page token with instagram_manage_messages', async () => {
    await annaWrites();
    const user = await control('POST', '/tokens', {
      pageIds: [PAGE],
      scopes: ['pages_show_list'],
    });
    const pages = await graph.get('/me/accounts', user.json.access_token);
    const res = await send(
      { recipient: { id: ANNA }, message: { text: 'x' } },
      pages.json.data[0].access_token,
    );
    expect(res.status).toBe(403);
    expect(res.json.error).toMatchObject({
      code: 200,
      message:
        '(#200) Requires instagram_manage_messages permission to manage the object',
    });
  });
});
