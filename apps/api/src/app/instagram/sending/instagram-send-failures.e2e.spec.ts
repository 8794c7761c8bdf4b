import {
  type ApiErrorBody,
  type AuthResponseDto,
  type MessageDto,
  ServerEvent,
  RECONNECT_REQUIRED_CODE,
} from '@instantchat/contracts';
import {
  nextEvent,
  pause,
  recordEvents,
  SILENCE_MS,
  TestSockets,
} from '../../realtime/testing/socket-client';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  startInstagramTestEnv,
} from '../testing/instagram-test-env';
import {
  MAY_HAVE_BEEN_DELIVERED,
  RATE_LIMITED,
  RECONNECT_TO_REPLY,
} from './instagram-send.service';
import {
  ANNA,
  instagramLoginHosts,
  SendTestKit,
  SOLO_STUDIO,
} from './testing/send-test-kit';

/** Meta's answer takes longer than this and the send counts as timed out. */
const META_TIMEOUT_MS = 1_000;

describe('Replies to Instagram when Meta fails (e2e)', () => {
  let env: InstagramTestEnv;
  let kit: SendTestKit;
  const sockets = new TestSockets(() => env.testApp.url);

  beforeAll(async () => {
    env = await startInstagramTestEnv((sandbox) => ({
      ...instagramLoginHosts(sandbox),
      META_REQUEST_TIMEOUT_MS: String(META_TIMEOUT_MS),
    }));
    kit = new SendTestKit(env);
    kit.replyQueue().retryPolicy = {
      maxAttempts: 3,
      baseDelayMs: 20,
      maxDelayMs: 100,
    };
  });
  afterAll(async () => {
    sockets.closeAll();
    await env?.close();
  });
  beforeEach(() => kit.startOver());
  afterEach(() => sockets.closeAll());

  const ownerWithThread = () => kit.ownerWithThread();
  const fault = (body: object) => kit.fault(body);
  const reply = async (
    owner: AuthResponseDto,
    conversationId: string,
    text = 'Your order ships today',
  ) =>
    (await kit.reply(owner, conversationId, { text }).expect(201))
      .body as MessageDto;

  it('expired token (190): the reply fails with Meta’s code, the account needs reconnecting and its owner hears instagram:status', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const socket = await sockets.connect(owner.accessToken);
    const status = nextEvent(
      socket,
      ServerEvent.InstagramStatus,
      (payload) => payload.account?.state === 'needs_reconnect',
    );
    const expired = await env.control('POST', '/tokens/expire', {
      pageId: BLUE_JACKET.pageId,
    });
    expect(expired.status).toBe(200);

    const message = await reply(owner, conversationId);

    expect(message).toMatchObject({
      status: 'failed',
      error: RECONNECT_TO_REPLY,
      deliveryError: {
        code: 190,
        subcode: 463,
        mayHaveBeenDelivered: false,
        // For the dashboard: the way out is connecting the account again.
        reconnectRequired: true,
      },
    });
    expect(await status).toMatchObject({
      connected: false,
      reason: 'token_invalid',
      account: { id: BLUE_JACKET.accountId, state: 'needs_reconnect' },
    });
    expect(await kit.connectionOf(BLUE_JACKET.accountId)).toMatchObject({
      state: 'needs_reconnect',
    });

    // The next reply is refused before anything is stored or sent.
    const next = await kit
      .reply(owner, conversationId, { text: 'Hello?' })
      .expect(409);
    expect((next.body as ApiErrorBody).code).toBe(RECONNECT_REQUIRED_CODE);
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([]);
  });

  it('Instagram Login token revoked: the same, through graph.instagram.com', async () => {
    const owner = await env.testApp.register();
    await kit.connectWithInstagramLogin(owner);
    await kit.contactWrites(owner, SOLO_STUDIO.accountId, ANNA);
    await env.control('POST', '/tokens/revoke', {
      instagramAccountId: SOLO_STUDIO.accountId,
    });

    const response = await kit
      .sendMessage(owner, { recipientId: ANNA, message: 'Hi' })
      .expect(201);

    expect(response.body).toMatchObject({
      status: 'failed',
      deliveryError: { code: 190, reconnectRequired: true },
    });
    expect(await kit.connectionOf(SOLO_STUDIO.accountId)).toMatchObject({
      state: 'needs_reconnect',
    });
  });

  it('rate limit (613): stays pending, is tried again after Meta’s pause, then sent', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const socket = await sockets.connect(owner.accessToken);
    await fault({ kind: 'rate_limit', times: 1 });

    const message = await reply(owner, conversationId);
    expect(message.status).toBe('pending');
    const updated = await nextEvent(
      socket,
      ServerEvent.MessageUpdated,
      (m) => m.id === message.id,
    );

    expect(updated.status).toBe('sent');
    // The throttled try was answered by the fault; the second reached the Send API.
    expect(await kit.faultsLeft()).toBe(0);
    const [accepted] = await kit.messagesSentToMeta(ANNA);
    expect(accepted.status).toBe(200);
    expect(await kit.storedMessage(message.id)).toMatchObject({
      status: 'sent',
      instagramMessageId: accepted.response.message_id,
    });
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([
      message.text,
    ]);
  });

  it('rate limit that does not lift: failed as not delivered once the tries are spent', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const socket = await sockets.connect(owner.accessToken);
    await fault({ kind: 'app_rate_limit', times: 10 });

    const message = await reply(owner, conversationId);
    const updated = await nextEvent(
      socket,
      ServerEvent.MessageUpdated,
      (m) => m.id === message.id,
    );

    expect(updated).toMatchObject({
      status: 'failed',
      error: RATE_LIMITED,
      deliveryError: { code: 4, mayHaveBeenDelivered: false },
    });
    // Reconnecting would not help here.
    expect(updated.deliveryError).not.toHaveProperty('reconnectRequired');
    // Three tries (the policy's maxAttempts), each answered "limit reached".
    expect(await kit.faultsLeft()).toBe(10 - 3);
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([]);
  });

  it('timeout: failed with "may have been delivered", and never sent twice', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const socket = await sockets.connect(owner.accessToken);
    const updates = recordEvents(socket, ServerEvent.MessageUpdated);
    await fault({ kind: 'slow', delayMs: META_TIMEOUT_MS * 2.5 });

    const message = await reply(owner, conversationId);

    expect(message).toMatchObject({
      status: 'failed',
      error: MAY_HAVE_BEEN_DELIVERED,
      deliveryError: { mayHaveBeenDelivered: true },
    });
    await pause(META_TIMEOUT_MS * 2);
    // Meta did deliver it, once: the contact sees one message.
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([
      message.text,
    ]);
    expect(updates.filter((m) => m.id === message.id)).toEqual([
      expect.objectContaining({ status: 'failed' }),
    ]);
  });

  it('a bare 502 from a proxy in front of Meta is ambiguous too: not repeated', async () => {
    const { owner, conversationId } = await ownerWithThread();
    await fault({ kind: 'gateway_error', status: 502 });

    const message = await reply(owner, conversationId);

    expect(message).toMatchObject({
      status: 'failed',
      error: MAY_HAVE_BEEN_DELIVERED,
    });
    await pause(SILENCE_MS);
    expect(await kit.faultsLeft()).toBe(0);
    expect(await kit.messagesSentToMeta(ANNA)).toEqual([]);
  });

  it('Meta’s own transient error (code 2) means not delivered: the client repeats it and it is sent', async () => {
    const { owner, conversationId } = await ownerWithThread();
    await fault({ kind: 'server_error', status: 500 });

    const message = await reply(owner, conversationId);

    expect(message.status).toBe('sent');
    expect(await kit.faultsLeft()).toBe(0);
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([
      message.text,
    ]);
  });
});
