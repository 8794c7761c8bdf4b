import {
  type ApiErrorBody,
  type AuthResponseDto,
  type MessageDto,
  ServerEvent,
  WINDOW_CLOSED_ERROR_CODE,
  RECONNECT_REQUIRED_CODE,
} from '@instantchat/contracts';
import { Types } from 'mongoose';
import { NOT_RETRYABLE_CODE } from '../../chat/retry/message-retry.service';
import {
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
import { MAY_HAVE_BEEN_DELIVERED } from './instagram-send.service';
import { ANNA, HOUR, SendTestKit } from './testing/send-test-kit';

describe('POST /api/conversations/:id/messages/:messageId/retry (e2e, Meta sandbox)', () => {
  let env: InstagramTestEnv;
  let kit: SendTestKit;
  const sockets = new TestSockets(() => env.testApp.url);

  beforeAll(async () => {
    env = await startInstagramTestEnv();
    kit = new SendTestKit(env);
  });
  afterAll(async () => {
    sockets.closeAll();
    await env?.close();
  });
  beforeEach(() => kit.startOver());
  afterEach(() => sockets.closeAll());

  const retry = (
    caller: AuthResponseDto,
    conversationId: string,
    messageId: string,
  ) =>
    kit
      .api()
      .post(`/api/conversations/${conversationId}/messages/${messageId}/retry`)
      .set('Authorization', `Bearer ${caller.accessToken}`);

  /** An owner whose first reply to Anna failed the way a proxy's bare 502 fails it. */
  const ownerWithFailedReply = async () => {
    const owner = await env.testApp.register();
    await kit.connectWithFacebook(owner);
    const conversationId = await kit.contactWrites(
      owner,
      BLUE_JACKET.accountId,
      ANNA,
    );
    const added = await env.control('POST', '/faults', {
      path: '/messages',
      kind: 'gateway_error',
      status: 502,
    });
    expect(added.status).toBe(201);
    const failed = (
      await kit
        .reply(owner, conversationId, { text: 'Your order ships today' })
        .expect(201)
    ).body as MessageDto;
    expect(failed).toMatchObject({
      status: 'failed',
      error: MAY_HAVE_BEEN_DELIVERED,
      deliveryError: { mayHaveBeenDelivered: true },
    });
    return { owner, conversationId, failed };
  };

  it('sends the same message again after a transient failure: pending, then sent, each announced', async () => {
    const { owner, conversationId, failed } = await ownerWithFailedReply();
    const socket = await sockets.connect(owner.accessToken);
    const updates = recordEvents(socket, ServerEvent.MessageUpdated);

    const response = await retry(owner, conversationId, failed.id).expect(200);

    const sent = response.body as MessageDto;
    expect(sent).toMatchObject({
      id: failed.id,
      status: 'sent',
      error: null,
      text: 'Your order ships today',
    });
    expect(sent.deliveryError).toBeUndefined();
    await pause(SILENCE_MS);
    expect(
      updates.filter((m) => m.id === failed.id).map((m) => m.status),
    ).toEqual(['pending', 'sent']);
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([
      'Your order ships today',
    ]);
    const [accepted] = await kit.messagesSentToMeta(ANNA);
    expect(await kit.storedMessage(failed.id)).toMatchObject({
      status: 'sent',
      instagramMessageId: accepted.response.message_id,
      deliveryError: null,
    });
    // Still one message in the history: the row was retried, not copied.
    expect(
      (await kit.history(owner, conversationId)).filter(
        (m) => m.senderUserId === owner.user.id,
      ),
    ).toHaveLength(1);
  });

  it('reports a retry that fails again as failed, with Meta’s new reason', async () => {
    const { owner, conversationId, failed } = await ownerWithFailedReply();
    const added = await env.control('POST', '/faults', {
      path: '/messages',
      kind: 'permission',
    });
    expect(added.status).toBe(201);

    const response = await retry(owner, conversationId, failed.id).expect(200);

    expect(response.body).toMatchObject({
      id: failed.id,
      status: 'failed',
      deliveryError: { mayHaveBeenDelivered: false },
    });
    expect((response.body as MessageDto).deliveryError?.code).toBeGreaterThan(
      0,
    );
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([]);
  });

  it('refuses to send a message that was sent (409), and sends nothing', async () => {
    const { owner, conversationId, failed } = await ownerWithFailedReply();
    await retry(owner, conversationId, failed.id).expect(200);

    const again = await retry(owner, conversationId, failed.id).expect(409);

    expect(again.body as ApiErrorBody).toMatchObject({
      code: NOT_RETRYABLE_CODE,
      message: 'Only a failed message can be sent again; this one is sent',
    });
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toHaveLength(1);
  });

  it('two retries at once send the message once', async () => {
    const { owner, conversationId, failed } = await ownerWithFailedReply();

    const answers = await Promise.all([
      retry(owner, conversationId, failed.id),
      retry(owner, conversationId, failed.id),
    ]);

    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([
      'Your order ships today',
    ]);
  });

  it('another user’s message is not found (404), through their conversation or one of the caller’s', async () => {
    const { owner, conversationId, failed } = await ownerWithFailedReply();
    const stranger = await env.testApp.register();

    const viaTheirs = await retry(stranger, conversationId, failed.id).expect(
      404,
    );
    expect((viaTheirs.body as ApiErrorBody).message).toBe(
      'Conversation not found',
    );
    const strangersOwn = (
      await kit
        .api()
        .post('/api/conversations')
        .set('Authorization', `Bearer ${stranger.accessToken}`)
        .send({ participantId: owner.user.id })
        .expect(201)
    ).body as { id: string };
    const viaOwn = await retry(stranger, strangersOwn.id, failed.id).expect(
      404,
    );
    expect((viaOwn.body as ApiErrorBody).message).toBe('Message not found');
    expect((await kit.storedMessage(failed.id))?.['status']).toBe('failed');
  });

  it('answers 404 for malformed or unknown ids', async () => {
    const { owner, conversationId } = await ownerWithFailedReply();
    await retry(owner, conversationId, 'not-an-id').expect(404);
    await retry(
      owner,
      conversationId,
      new Types.ObjectId().toHexString(),
    ).expect(404);
    await retry(owner, 'nope', new Types.ObjectId().toHexString()).expect(404);
  });

  it('refuses the contact’s message and local messages (409): only failed replies to Instagram', async () => {
    const { owner, conversationId } = await ownerWithFailedReply();
    const inbound = (await kit.history(owner, conversationId)).find(
      (m) => m.isFromInstagram,
    ) as MessageDto;
    const theirs = await retry(owner, conversationId, inbound.id).expect(409);
    expect((theirs.body as ApiErrorBody).message).toBe(
      'Only your own replies can be sent again',
    );

    const colleague = await env.testApp.register();
    const local = (
      await kit
        .api()
        .post('/api/conversations')
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .send({ participantId: colleague.user.id })
        .expect(201)
    ).body as { id: string };
    const said = (
      await kit.reply(owner, local.id, { text: 'Lunch?' }).expect(201)
    ).body as MessageDto;
    const localRetry = await retry(owner, local.id, said.id).expect(409);
    expect((localRetry.body as ApiErrorBody).code).toBe(NOT_RETRYABLE_CODE);
  });

  it('refuses while the account needs reconnecting (409 reconnect_required), and sends nothing', async () => {
    const { owner, conversationId, failed } = await ownerWithFailedReply();
    await env.control('POST', '/tokens/expire', {
      pageId: BLUE_JACKET.pageId,
    });
    // The next reply finds the token refused, which marks the account.
    await kit.reply(owner, conversationId, { text: 'Hello?' }).expect(201);

    const response = await retry(owner, conversationId, failed.id).expect(409);

    expect((response.body as ApiErrorBody).code).toBe(RECONNECT_REQUIRED_CODE);
    expect(await kit.storedMessage(failed.id)).toMatchObject({
      status: 'failed',
    });
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([]);
  });

  it('is documented in OpenAPI with each answer it gives', async () => {
    const document = (await kit.api().get('/api/docs-json').expect(200))
      .body as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, unknown>; security?: unknown[] }
        >
      >;
    };
    const operation =
      document.paths[
        '/api/conversations/{conversationId}/messages/{messageId}/retry'
      ]?.post;

    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '404',
      '409',
      '413',
      '422',
      '429',
      '503',
    ]);
    expect(operation?.security).not.toEqual([]);
  });

  it('checks Meta’s messaging window again: closed since the failure → 422 window_closed, still failed', async () => {
    const { owner, conversationId, failed } = await ownerWithFailedReply();
    await env
      .database()
      .collection('conversations')
      .updateOne(
        { _id: new Types.ObjectId(conversationId) },
        { $set: { lastInboundAt: new Date(Date.now() - 25 * HOUR) } },
      );

    const response = await retry(owner, conversationId, failed.id).expect(422);

    expect((response.body as ApiErrorBody).code).toBe(WINDOW_CLOSED_ERROR_CODE);
    expect(await kit.storedMessage(failed.id)).toMatchObject({
      status: 'failed',
    });
    expect(await kit.messagesSentToMeta(ANNA)).toEqual([]);
  });
});
