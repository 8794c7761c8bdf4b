import {
  type ApiErrorBody,
  type AuthResponseDto,
  type ConversationDto,
  INSTAGRAM_TEXT_TOO_LONG_MESSAGE,
  type MessageDto,
  ServerEvent,
} from '@instantchat/contracts';
import { randomUUID } from 'node:crypto';
import {
  emitSend,
  nextEvent,
  pause,
  recordEvents,
  SILENCE_MS,
  TestSockets,
} from '../../realtime/testing/socket-client';
import {
  BLUE_JACKET,
  CORNER_BAKERY,
  type InstagramTestEnv,
  startInstagramTestEnv,
} from '../testing/instagram-test-env';
import {
  ANNA,
  BEN,
  HOUR,
  instagramLoginHosts,
  SendTestKit,
  SOLO_STUDIO,
} from './testing/send-test-kit';

describe('Replies to Instagram (e2e: embedded database, Meta sandbox, real HTTP and sockets)', () => {
  let env: InstagramTestEnv;
  let kit: SendTestKit;
  const sockets = new TestSockets(() => env.testApp.url);

  beforeAll(async () => {
    env = await startInstagramTestEnv(instagramLoginHosts);
    kit = new SendTestKit(env);
  });
  afterAll(async () => {
    sockets.closeAll();
    await env?.close();
  });
  beforeEach(() => kit.startOver());
  afterEach(() => sockets.closeAll());

  const ownerWithFacebookThread = async (contact = ANNA) => {
    const owner = await env.testApp.register();
    await kit.connectWithFacebook(owner);
    const conversationId = await kit.contactWrites(
      owner,
      BLUE_JACKET.accountId,
      contact,
    );
    return { owner, conversationId };
  };
  const conversationOf = async (owner: AuthResponseDto, id: string) =>
    (
      await kit
        .api()
        .get(`/api/conversations/${id}`)
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body as ConversationDto;

  describe('sends that succeed', () => {
    it('Facebook Login: sends to /{page-id}/messages with the Page token, stores Meta’s id and tells only the owner: pending, then sent', async () => {
      const { owner, conversationId } = await ownerWithFacebookThread();
      const stranger = await env.testApp.register();
      const ownerSocket = await sockets.connect(owner.accessToken);
      const strangerSocket = await sockets.connect(stranger.accessToken);
      const ownerHears = recordEvents(ownerSocket, ServerEvent.MessageNew);
      const strangerHears = recordEvents(
        strangerSocket,
        ServerEvent.MessageUpdated,
      );
      const sentUpdate = nextEvent(ownerSocket, ServerEvent.MessageUpdated);

      const response = await kit
        .reply(owner, conversationId, { text: 'Yes, in every size 🧥' })
        .expect(201);

      const message = response.body as MessageDto;
      expect(message).toMatchObject({
        text: 'Yes, in every size 🧥',
        status: 'sent',
        senderUserId: owner.user.id,
      });
      const [sent] = await kit.messagesSentToMeta(ANNA);
      expect(sent).toMatchObject({
        path: `/v26.0/${BLUE_JACKET.pageId}/messages`,
        instagramAccountId: BLUE_JACKET.accountId,
        status: 200,
        body: {
          recipient: { id: ANNA },
          messaging_type: 'RESPONSE',
          message: { text: 'Yes, in every size 🧥' },
        },
      });
      expect(await kit.storedMessage(message.id)).toMatchObject({
        status: 'sent',
        instagramMessageId: sent.response.message_id,
      });
      expect(ownerHears.find((m) => m.id === message.id)?.status).toBe(
        'pending',
      );
      expect(await sentUpdate).toMatchObject({
        id: message.id,
        status: 'sent',
      });
      await pause(SILENCE_MS);
      expect(strangerHears).toEqual([]);
    });

    it('Instagram Login: POST /api/instagram/sendMessage sends by the contact’s id on graph.instagram.com /me/messages', async () => {
      const owner = await env.testApp.register();
      await kit.connectWithInstagramLogin(owner);
      const conversationId = await kit.contactWrites(
        owner,
        SOLO_STUDIO.accountId,
        BEN,
      );

      const response = await kit
        .sendMessage(owner, { recipientId: BEN, message: 'Thanks Ben!' })
        .expect(201);

      expect(response.body).toMatchObject({
        conversationId,
        text: 'Thanks Ben!',
        status: 'sent',
      });
      const [sent] = await kit.messagesSentToMeta(BEN);
      expect(sent).toMatchObject({
        path: '/graph.instagram.com/v26.0/me/messages',
        instagramAccountId: SOLO_STUDIO.accountId,
        status: 200,
        body: { recipient: { id: BEN }, message: { text: 'Thanks Ben!' } },
      });
      // The token is unsealed only in memory: never stored, logged or answered in the clear.
      const stored = JSON.stringify(
        await kit.connectionOf(SOLO_STUDIO.accountId),
      );
      const tokens = env.issuedTokens();
      expect(tokens.length).toBeGreaterThan(0);
      for (const token of tokens) {
        expect(stored).not.toContain(token);
        expect(env.logs.join('\n')).not.toContain(token);
        expect(JSON.stringify(response.body)).not.toContain(token);
      }
    });

    it('answers a retry with the same clientMessageId with 200 and the stored message, and sends once', async () => {
      const { owner } = await ownerWithFacebookThread();
      const clientMessageId = randomUUID();
      const body = {
        recipientId: ANNA,
        message: 'Shipping is free',
        clientMessageId,
      };

      const first = await kit.sendMessage(owner, body).expect(201);
      const retry = await kit.sendMessage(owner, body).expect(200);

      expect(retry.body).toEqual(first.body);
      expect(await kit.messagesSentToMeta(ANNA)).toHaveLength(1);
    });
  });

  describe('over the socket', () => {
    it('message:send in an Instagram conversation sends to Instagram and acks the outcome; a refused one acks its error', async () => {
      const { owner, conversationId } = await ownerWithFacebookThread();
      const socket = await sockets.connect(owner.accessToken);

      const sent = await emitSend(socket, {
        conversationId,
        text: 'Sent from the socket',
        clientMessageId: randomUUID(),
      });
      const refused = await emitSend(socket, {
        conversationId,
        text: 'a'.repeat(1001),
      });

      expect(sent).toMatchObject({
        ok: true,
        data: { status: 'sent', text: 'Sent from the socket' },
      });
      expect(refused).toEqual({
        ok: false,
        error: { statusCode: 400, message: INSTAGRAM_TEXT_TOO_LONG_MESSAGE },
      });
      expect(
        (await kit.messagesSentToMeta(ANNA)).map((m) => m.body.message?.text),
      ).toEqual(['Sent from the socket']);
    });
  });

  describe('text limit', () => {
    it('refuses 1,001 characters with 400 before storing or calling Meta', async () => {
      const { owner, conversationId } = await ownerWithFacebookThread();

      const viaConversation = await kit
        .reply(owner, conversationId, { text: 'a'.repeat(1001) })
        .expect(400);
      const viaSendMessage = await kit
        .sendMessage(owner, { recipientId: ANNA, message: 'a'.repeat(1001) })
        .expect(400);

      expect((viaConversation.body as ApiErrorBody).message).toBe(
        INSTAGRAM_TEXT_TOO_LONG_MESSAGE,
      );
      // The DTO's validation reports one message per invalid field.
      expect((viaSendMessage.body as ApiErrorBody).message).toEqual([
        INSTAGRAM_TEXT_TOO_LONG_MESSAGE,
      ]);
      expect(await kit.sentToMeta(ANNA)).toEqual([]);
      // Only the contact's message is in the history.
      expect(await kit.history(owner, conversationId)).toHaveLength(1);
    });

    it('counts characters, not bytes: 1,000 emoji go out whole', async () => {
      const { owner, conversationId } = await ownerWithFacebookThread();
      const text = '👍'.repeat(1000);

      const response = await kit
        .reply(owner, conversationId, { text })
        .expect(201);

      expect(response.body).toMatchObject({ status: 'sent', text });
      const [sent] = await kit.messagesSentToMeta(ANNA);
      expect(sent.body.message?.text).toBe(text);
    });
  });

  describe('messaging window', () => {
    it('refuses a reply 25 hours after the contact’s last message: 422 window_closed with when it closed; nothing stored or sent', async () => {
      const owner = await env.testApp.register();
      await kit.connectWithFacebook(owner);
      const conversationId = await kit.contactWrites(
        owner,
        BLUE_JACKET.accountId,
        ANNA,
        { hoursAgo: 25 },
      );
      const lastInboundAt = (await kit.history(owner, conversationId))[0]
        .createdAt;
      void lastInboundAt;
      const conversation = await conversationOf(owner, conversationId);

      const response = await kit
        .reply(owner, conversationId, { text: 'Sorry for the delay' })
        .expect(422);

      const body = response.body as ApiErrorBody;
      expect(body.code).toBe('window_closed');
      expect(body.details?.windowClosedAt).toBe(conversation.windowClosesAt);
      expect(
        Date.now() - Date.parse(body.details?.windowClosedAt ?? ''),
      ).toBeGreaterThan(0.9 * HOUR);
      expect(body.message).toContain(body.details?.windowClosedAt);
      expect(await kit.sentToMeta(ANNA)).toEqual([]);
      expect(await kit.history(owner, conversationId)).toHaveLength(1);
    });

    it('does not use HUMAN_AGENT unless configured: 3 days after is closed too', async () => {
      const owner = await env.testApp.register();
      await kit.connectWithFacebook(owner);
      const conversationId = await kit.contactWrites(
        owner,
        BLUE_JACKET.accountId,
        ANNA,
        { hoursAgo: 72 },
      );

      await kit
        .reply(owner, conversationId, { text: 'Still there?' })
        .expect(422);
      expect(await kit.sentToMeta(ANNA)).toEqual([]);
    });

    it('shows each Instagram conversation’s windowClosesAt, 24 hours after the contact wrote (not a human agent’s window)', async () => {
      const { owner, conversationId } = await ownerWithFacebookThread();

      const conversation = await conversationOf(owner, conversationId);

      expect(conversation.windowHumanAgent).toBe(false);
      const closesIn =
        Date.parse(conversation.windowClosesAt ?? '') - Date.now();
      expect(closesIn).toBeGreaterThan(23.9 * HOUR);
      expect(closesIn).toBeLessThanOrEqual(24 * HOUR);
    });
  });

  describe('whose accounts and conversations', () => {
    it('lets nobody else send through an owner’s conversation or account', async () => {
      const { owner, conversationId } = await ownerWithFacebookThread();
      const other = await env.testApp.register();
      await kit.connectWithFacebook(other, CORNER_BAKERY);

      await kit.reply(other, conversationId, { text: 'hijack' }).expect(404);
      await kit
        .sendMessage(other, {
          recipientId: ANNA,
          message: 'hijack',
          accountId: BLUE_JACKET.accountId,
        })
        .expect(404);
      // Their own account has no conversation with Anna.
      await kit
        .sendMessage(other, { recipientId: ANNA, message: 'hello' })
        .expect(404);

      expect(await kit.sentToMeta(ANNA)).toEqual([]);
      expect(await kit.history(owner, conversationId)).toHaveLength(1);
    });

    it('answers 404 to a caller without accounts and 400 without accountId to one with several', async () => {
      const nobody = await env.testApp.register();
      await kit
        .sendMessage(nobody, { recipientId: ANNA, message: 'hi' })
        .expect(404);

      const owner = await env.testApp.register();
      await kit.connectWithFacebook(owner);
      await kit.connectWithInstagramLogin(owner);
      const response = await kit
        .sendMessage(owner, { recipientId: ANNA, message: 'hi' })
        .expect(400);
      expect((response.body as ApiErrorBody).message).toBe(
        'accountId is required: you have several Instagram accounts connected',
      );
    });

    it('refuses a malformed body with 400', async () => {
      const owner = await env.testApp.register();
      for (const body of [
        {},
        { recipientId: 'not-an-id', message: 'hi' },
        { recipientId: ANNA, message: '' },
        { recipientId: ANNA, message: 42 },
        { recipientId: ANNA, message: 'hi', clientMessageId: 'nope' },
      ])
        await kit.sendMessage(owner, body).expect(400);
    });
  });

  describe('OpenAPI', () => {
    it('lists sendMessage with its body and every error it answers', async () => {
      const document = (await kit.api().get('/api/docs-json').expect(200))
        .body as {
        paths: Record<
          string,
          Record<string, { responses: Record<string, unknown> }>
        >;
        components: {
          schemas: Record<string, { properties?: Record<string, unknown> }>;
        };
      };
      const operation = document.paths['/api/instagram/sendMessage'].post;
      expect(Object.keys(operation.responses).sort()).toEqual([
        '200',
        '201',
        '400',
        '401',
        '404',
        '409',
        '413',
        '422',
        '503',
      ]);
      expect(
        Object.keys(
          document.components.schemas['InstagramSendMessageDto'].properties ??
            {},
        ),
      ).toEqual(['recipientId', 'message', 'accountId', 'clientMessageId']);
      expect(
        document.components.schemas['ConversationDto'].properties,
      ).toHaveProperty('windowClosesAt');
      expect(
        document.components.schemas['MessageDto'].properties,
      ).toHaveProperty('deliveryError');
    });
  });

  describe('sender actions', () => {
    it('shows typing_on once per burst of typing events, and mark_seen once when the owner reads what is new', async () => {
      const { owner, conversationId } = await ownerWithFacebookThread();
      const socket = await sockets.connect(owner.accessToken);

      for (let i = 0; i < 3; i++)
        socket.emit('typing', { conversationId, isTyping: true });
      // Read twice with nothing new from the contact in between: one mark_seen.
      for (let i = 0; i < 2; i++)
        await kit
          .api()
          .post(`/api/conversations/${conversationId}/read`)
          .set('Authorization', `Bearer ${owner.accessToken}`)
          .expect(200);

      const actions = async () =>
        (await kit.sentToMeta(ANNA)).map((sent) => sent.body.sender_action);
      for (let i = 0; i < 40 && (await actions()).length < 2; i++)
        await pause(50);
      await pause(SILENCE_MS);
      expect((await actions()).sort()).toEqual(['mark_seen', 'typing_on']);
    });
  });
});
