import {
  type AuthResponseDto,
  type ConversationDto,
  type MessageDto,
  ServerEvent,
} from '@instantchat/contracts';
import { Types } from 'mongoose';
import {
  nextEvent,
  pause,
  recordEvents,
  SILENCE_MS,
  TestSockets,
} from '../realtime/testing/socket-client';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import {
  inboxSettled,
  messagingDelivery,
  postWebhook,
} from './testing/webhook-test-kit';
import { MAY_HAVE_BEEN_DELIVERED } from '../instagram/sending/instagram-send.service';
import { ANNA, SendTestKit } from '../instagram/sending/testing/send-test-kit';

/** Meta's answer takes longer than this and the send counts as timed out. */
const META_TIMEOUT_MS = 3_000;
/** A Send API answer slow enough for the echo to be processed first, yet inside the timeout. */
const SLOW_ANSWER_MS = 1_500;

/**
 * Meta echoes every message an app sends (`is_echo`), and the echo may be processed before the
 * Send API's answer names the message, after it, or after that answer never came (a timeout).
 * In every order the contact's thread shows the reply once, `sent` with Meta's id.
 */
describe('The echo of a reply sent from InstantChat (e2e)', () => {
  let env: InstagramTestEnv;
  let kit: SendTestKit;
  const sockets = new TestSockets(() => env.testApp.url);

  beforeAll(async () => {
    env = await startInstagramTestEnv(() => ({
      META_REQUEST_TIMEOUT_MS: String(META_TIMEOUT_MS),
    }));
    kit = new SendTestKit(env);
  });
  afterAll(async () => {
    sockets.closeAll();
    await env?.close();
  });
  beforeEach(async () => {
    await env.control('POST', '/reset');
    const db = env.database();
    await Promise.all(
      ['instagramusers', 'conversations', 'messages', 'webhookevents'].map(
        (name) => db.collection(name).deleteMany({}),
      ),
    );
  });
  afterEach(() => sockets.closeAll());

  const ownerWithThread = async () => {
    const owner = await env.testApp.register();
    await kit.connectWithFacebook(owner);
    const conversationId = await kit.contactWrites(
      owner,
      BLUE_JACKET.accountId,
      ANNA,
    );
    return { owner, conversationId };
  };
  const slowSendApi = async (delayMs: number) => {
    const added = await env.control('POST', '/faults', {
      path: '/messages',
      kind: 'slow',
      delayMs,
    });
    expect(added.status).toBe(201);
  };
  /** Starts a reply over HTTP without waiting for its answer. */
  const startReply = (
    owner: AuthResponseDto,
    conversationId: string,
    text: string,
  ): Promise<MessageDto> =>
    kit
      .reply(owner, conversationId, { text })
      .expect(201)
      .then((response) => response.body as MessageDto);
  /**
   * Meta's id of the business's message with this text, once Meta has it (the sandbox stores it
   * before a slow answer leaves).
   */
  const midOnMeta = async (text: string): Promise<string> => {
    const deadline = Date.now() + META_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const { json } = await env.control(
        'GET',
        `/conversations/${BLUE_JACKET.accountId}/${ANNA}`,
      );
      const sent = (
        json as { data: { direction: string; text?: string; mid: string }[] }
      ).data.find((m) => m.direction === 'outbound' && m.text === text);
      if (sent) return sent.mid;
      await pause(25);
    }
    throw new Error(`Meta never received "${text}"`);
  };
  /** Meta's echo webhook of a message the business sent, signed and processed. */
  const echo = async (mid: string, text: string) => {
    await postWebhook(
      env.testApp.http,
      messagingDelivery(BLUE_JACKET.accountId, [
        {
          sender: { id: BLUE_JACKET.accountId },
          recipient: { id: ANNA },
          timestamp: Date.now(),
          message: { mid, text, is_echo: true },
        },
      ]),
      SANDBOX_APP_SECRET,
    ).expect(200);
    await inboxSettled(env.database());
  };
  const businessMessages = async (
    owner: AuthResponseDto,
    conversationId: string,
  ) =>
    (await kit.history(owner, conversationId)).filter(
      (m) => !m.isFromInstagram,
    );
  const outboundRows = (conversationId: string) =>
    env
      .database()
      .collection('messages')
      .find({
        conversationId: new Types.ObjectId(conversationId),
        isFromInstagram: false,
      })
      .toArray();

  it('the echo processed before the Send API answers becomes the reply: one message, sent, no error', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const socket = await sockets.connect(owner.accessToken);
    const created = recordEvents(socket, ServerEvent.MessageNew);
    const text = 'Your order ships today';
    await slowSendApi(SLOW_ANSWER_MS);

    const answered = startReply(owner, conversationId, text);
    const mid = await midOnMeta(text);
    await echo(mid, text);
    // Processed while Meta's answer is still on its way: the pending reply took the echo's id.
    const stored = await outboundRows(conversationId);
    expect(stored.map((m) => [m.status, m.instagramMessageId])).toEqual([
      ['sent', mid],
    ]);
    const message = await answered;

    expect(message).toMatchObject({ text, status: 'sent', error: null });
    expect(await businessMessages(owner, conversationId)).toEqual([
      expect.objectContaining({ id: message.id, status: 'sent' }),
    ]);
    expect((await kit.storedMessage(message.id))?.instagramMessageId).toBe(mid);
    await pause(SILENCE_MS);
    expect(created.filter((m) => m.text === text)).toHaveLength(1);
    expect(await kit.receivedBy(BLUE_JACKET.accountId, ANNA)).toEqual([text]);
  });

  it('the echo processed after the Send API answered changes nothing: one message, announced once', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const text = 'We open at 10';
    const message = await startReply(owner, conversationId, text);
    expect(message.status).toBe('sent');
    const socket = await sockets.connect(owner.accessToken);
    const created = recordEvents(socket, ServerEvent.MessageNew);

    await echo(await midOnMeta(text), text);

    expect(await businessMessages(owner, conversationId)).toEqual([
      expect.objectContaining({ id: message.id, text, status: 'sent' }),
    ]);
    await pause(SILENCE_MS);
    expect(created).toEqual([]);
  });

  it('a timed-out reply, failed as "may have been delivered", is turned sent by its echo: one message', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const text = 'Refund is on its way';
    await slowSendApi(META_TIMEOUT_MS * 2);
    const message = await startReply(owner, conversationId, text);
    expect(message).toMatchObject({
      status: 'failed',
      error: MAY_HAVE_BEEN_DELIVERED,
      deliveryError: { mayHaveBeenDelivered: true },
    });
    const socket = await sockets.connect(owner.accessToken);
    const updated = recordEvents(socket, ServerEvent.MessageUpdated);
    const created = recordEvents(socket, ServerEvent.MessageNew);

    const mid = await midOnMeta(text);
    await echo(mid, text);

    expect(await businessMessages(owner, conversationId)).toEqual([
      expect.objectContaining({
        id: message.id,
        status: 'sent',
        error: null,
      }),
    ]);
    const [history] = await businessMessages(owner, conversationId);
    expect(history.deliveryError ?? null).toBeNull();
    expect((await kit.storedMessage(message.id))?.instagramMessageId).toBe(mid);
    expect(updated).toEqual([
      expect.objectContaining({ id: message.id, status: 'sent' }),
    ]);
    await pause(SILENCE_MS);
    expect(created).toEqual([]);
  });

  it('an echo stored as its own message before the answer (its text did not match) is merged into the reply', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const text = 'See you Sunday';
    await slowSendApi(SLOW_ANSWER_MS);

    const answered = startReply(owner, conversationId, text);
    const mid = await midOnMeta(text);
    // Meta's echo does not always carry the text as sent (e.g. normalised), so it is not claimed.
    await echo(mid, `${text}!`);
    expect(await outboundRows(conversationId)).toHaveLength(2);
    const message = await answered;

    expect(message).toMatchObject({ status: 'sent', error: null });
    const rows = await outboundRows(conversationId);
    expect(
      rows.map((m) => [m._id.toHexString(), m.instagramMessageId]),
    ).toEqual([[message.id, mid]]);
    expect(await businessMessages(owner, conversationId)).toEqual([
      expect.objectContaining({ id: message.id, senderUserId: owner.user.id }),
    ]);
    // The echo was the conversation's preview: the reply kept takes its place.
    const list = await kit
      .api()
      .get('/api/conversations')
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    const listed = (list.body as ConversationDto[]).find(
      (c) => c.id === conversationId,
    );
    expect(listed?.lastMessage).toMatchObject({
      text,
      senderUserId: owner.user.id,
    });
  });

  it('the owner’s open tabs drop the merged echo (message:removed), and nobody else hears of it', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const stranger = await env.testApp.register();
    const ownerSocket = await sockets.connect(owner.accessToken);
    const strangerSocket = await sockets.connect(stranger.accessToken);
    const created = recordEvents(ownerSocket, ServerEvent.MessageNew);
    const removed = recordEvents(ownerSocket, ServerEvent.MessageRemoved);
    const strangerRemoved = recordEvents(
      strangerSocket,
      ServerEvent.MessageRemoved,
    );
    const removal = nextEvent(
      ownerSocket,
      ServerEvent.MessageRemoved,
      () => true,
      10_000,
    );
    const text = 'Pick-up is at noon';
    await slowSendApi(SLOW_ANSWER_MS);

    const answered = startReply(owner, conversationId, text);
    const mid = await midOnMeta(text);
    await echo(mid, `${text}.`);
    const message = await answered;
    expect(message.status).toBe('sent');

    // The echo reached the tab as a message of its own, then its removal.
    const echoShown = created.find((m) => m.text === `${text}.`);
    expect(echoShown).toBeDefined();
    expect(await removal).toEqual({
      conversationId,
      messageId: echoShown?.id,
    });
    expect(removed).toEqual([
      { conversationId, messageId: echoShown?.id as string },
    ]);
    expect(await outboundRows(conversationId)).toHaveLength(1);
    await pause(SILENCE_MS);
    expect(removed).toHaveLength(1);
    expect(strangerRemoved).toEqual([]);
  });

  it('an echo of a message written in Instagram’s app with the text of an older sent reply stays its own message', async () => {
    const { owner, conversationId } = await ownerWithThread();
    const text = 'Thanks!';
    const message = await startReply(owner, conversationId, text);
    expect(message.status).toBe('sent');

    const socket = await sockets.connect(owner.accessToken);
    const removed = recordEvents(socket, ServerEvent.MessageRemoved);
    await echo('mid.written-in-the-app', text);

    const rows = await businessMessages(owner, conversationId);
    expect(rows.map((m) => [m.text, m.senderUserId, m.status])).toEqual([
      [text, null, 'sent'],
      [text, owner.user.id, 'sent'],
    ]);
    await pause(SILENCE_MS);
    expect(removed).toEqual([]);
  });
});
