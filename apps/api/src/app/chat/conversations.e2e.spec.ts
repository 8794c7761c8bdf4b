import type {
  AuthResponseDto,
  ConversationDto,
  MessageDto,
  Page,
} from '@instantchat/contracts';
import request from 'supertest';
import { pause } from '../realtime/testing/socket-client';
import { createTestApp, type TestApp } from '../testing/test-app';

describe('Conversations REST API (e2e)', () => {
  let app: TestApp;
  let alice: AuthResponseDto;
  let bob: AuthResponseDto;
  let carol: AuthResponseDto;

  beforeAll(async () => {
    app = await createTestApp();
    [alice, bob, carol] = await people(3);
  });

  afterAll(async () => {
    await app.close();
  });

  /** Fresh users, for tests whose assertions need conversations nobody else touched. */
  function people(count: number): Promise<AuthResponseDto[]> {
    return Promise.all(Array.from({ length: count }, () => app.register()));
  }

  const as = (who: AuthResponseDto) => ({
    get: (path: string) =>
      request(app.http)
        .get(path)
        .set('Authorization', `Bearer ${who.accessToken}`),
    post: (path: string, body?: object) =>
      request(app.http)
        .post(path)
        .set('Authorization', `Bearer ${who.accessToken}`)
        .send(body),
  });

  async function open(
    who: AuthResponseDto,
    other: AuthResponseDto,
  ): Promise<ConversationDto> {
    const response = await as(who).post('/api/conversations', {
      participantId: other.user.id,
    });
    expect([200, 201]).toContain(response.status);
    return response.body as ConversationDto;
  }

  async function send(
    who: AuthResponseDto,
    conversationId: string,
    text: string,
  ): Promise<MessageDto> {
    const response = await as(who).post(
      `/api/conversations/${conversationId}/messages`,
      { text },
    );
    expect(response.status).toBe(201);
    return response.body as MessageDto;
  }

  describe('POST /api/conversations', () => {
    it('opens a conversation (201) and returns the same one when opened again (200), from either side', async () => {
      const [alice, bob] = await people(2);
      const created = await as(alice).post('/api/conversations', {
        participantId: bob.user.id,
      });
      const again = await as(alice).post('/api/conversations', {
        participantId: bob.user.id,
      });
      const fromBob = await as(bob).post('/api/conversations', {
        participantId: alice.user.id,
      });

      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        kind: 'local',
        lastMessage: null,
        unreadCount: 0,
        participants: expect.arrayContaining([
          { id: alice.user.id, displayName: alice.user.displayName },
          { id: bob.user.id, displayName: bob.user.displayName },
        ]),
      });
      expect(again.status).toBe(200);
      expect(fromBob.status).toBe(200);
      expect(again.body.id).toBe(created.body.id);
      expect(fromBob.body.id).toBe(created.body.id);
    });

    it('refuses a conversation with yourself (400)', async () => {
      const response = await as(alice).post('/api/conversations', {
        participantId: alice.user.id,
      });

      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'You cannot start a conversation with yourself',
      });
    });

    it('reads a user id in capitals as the same id: no second conversation, none with yourself', async () => {
      const [alice, bob] = await people(2);
      const created = await open(alice, bob);

      const again = await as(alice).post('/api/conversations', {
        participantId: bob.user.id.toUpperCase(),
      });
      const withSelf = await as(alice).post('/api/conversations', {
        participantId: alice.user.id.toUpperCase(),
      });

      expect(again.status).toBe(200);
      expect(again.body.id).toBe(created.id);
      expect(withSelf.status).toBe(400);
      const list = (await as(alice).get('/api/conversations').expect(200))
        .body as ConversationDto[];
      expect(list.map((c) => c.id)).toEqual([created.id]);
    });

    it('answers 404 for a user who does not exist', async () => {
      const response = await as(alice).post('/api/conversations', {
        participantId: '6564a1f0c0ffee0000000001',
      });

      expect(response.status).toBe(404);
      expect(response.body.message).toBe('User not found');
    });

    it.each([
      [
        'a malformed participantId',
        { participantId: 'bob' },
        'participantId must be a user id',
      ],
      ['no participantId', {}, 'participantId must be a user id'],
      [
        'a number as participantId',
        { participantId: 42 },
        'participantId must be a user id',
      ],
    ])('answers 400 for %s', async (_label, body, message) => {
      const response = await as(alice).post('/api/conversations', body);

      expect(response.status).toBe(400);
      expect(([] as string[]).concat(response.body.message)).toContain(message);
    });

    it('answers 400 for an unknown field', async () => {
      const response = await as(alice).post('/api/conversations', {
        participantId: bob.user.id,
        kind: 'instagram',
      });

      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(['property kind should not exist']);
    });

    it('requires authentication', async () => {
      const response = await request(app.http)
        .post('/api/conversations')
        .send({ participantId: bob.user.id });

      expect(response.status).toBe(401);
    });
  });

  describe('GET /api/conversations', () => {
    it('lists the caller’s conversations by last activity, with previews and the caller’s unread counts', async () => {
      const [alice, bob, carol] = await people(3);
      const withBob = await open(alice, bob);
      const withCarol = await open(alice, carol);
      const bobAndCarol = await open(bob, carol);
      await send(bob, withBob.id, 'Hi Alice');
      await send(bob, withBob.id, 'Lunch?');
      await send(alice, withCarol.id, 'Report is ready');
      await send(carol, bobAndCarol.id, 'not for Alice');

      const forAlice = (await as(alice).get('/api/conversations').expect(200))
        .body as ConversationDto[];
      const forBob = (await as(bob).get('/api/conversations').expect(200))
        .body as ConversationDto[];

      expect(
        forAlice.map((c) => [c.id, c.lastMessage?.text, c.unreadCount]),
      ).toEqual([
        [withCarol.id, 'Report is ready', 0],
        [withBob.id, 'Lunch?', 2],
      ]);
      expect(forAlice[1].lastMessage?.senderUserId).toBe(bob.user.id);
      expect(forBob.map((c) => [c.id, c.unreadCount])).toEqual([
        [bobAndCarol.id, 1],
        [withBob.id, 0],
      ]);
    });

    it('with updatedSince, returns only the conversations that changed since', async () => {
      const [alice, bob, carol] = await people(3);
      const withCarol = await open(alice, carol);
      await pause(5);
      const withBob = await open(alice, bob);
      const held = (await as(alice).get('/api/conversations').expect(200))
        .body as ConversationDto[];
      // What a reconnecting client passes: the largest updatedAt it holds.
      const since = held
        .map((c) => c.updatedAt)
        .sort()
        .at(-1) as string;
      await pause(5);
      await send(bob, withBob.id, 'while you were offline');

      const changed = (
        await as(alice)
          .get(`/api/conversations?updatedSince=${encodeURIComponent(since)}`)
          .expect(200)
      ).body as ConversationDto[];

      expect(
        changed.map((c) => [c.id, c.lastMessage?.text, c.unreadCount]),
      ).toEqual([[withBob.id, 'while you were offline', 1]]);
      expect(changed.map((c) => c.id)).not.toContain(withCarol.id);
    });

    it('reads updatedSince with any UTC offset as the same instant', async () => {
      const [alice, bob] = await people(2);
      const withBob = await open(alice, bob);
      const { updatedAt } = (
        await as(alice).get(`/api/conversations/${withBob.id}`).expect(200)
      ).body as ConversationDto;
      const at = new Date(updatedAt);
      // The same instant written in India's time (UTC+05:30), then one millisecond later.
      const inIndia = (date: Date) =>
        new Date(date.getTime() + 330 * 60_000)
          .toISOString()
          .replace('Z', '+05:30');
      const listed = async (since: Date) =>
        (
          (
            await as(alice)
              .get(
                `/api/conversations?updatedSince=${encodeURIComponent(inIndia(since))}`,
              )
              .expect(200)
          ).body as ConversationDto[]
        ).map((c) => c.id);

      expect(await listed(at)).toEqual([withBob.id]);
      expect(await listed(new Date(at.getTime() + 1))).toEqual([]);
    });

    it.each([
      ['updatedSince=yesterday', 'updatedSince must be an ISO 8601 date-time'],
      // ISO 8601 week and ordinal dates pass the format check but JavaScript cannot read them.
      ['updatedSince=2026-W05', 'updatedSince must be an ISO 8601 date-time'],
      ['updatedSince=2026-329', 'updatedSince must be an ISO 8601 date-time'],
      [
        'updatedSince=2026-11-25T10:00:00%2B05',
        'updatedSince must be an ISO 8601 date-time',
      ],
      // No offset: read in the server's own time zone, so no one instant.
      ['updatedSince=2026-11-25', 'updatedSince must be an ISO 8601 date-time'],
      [
        'updatedSince=2026-11-25T10:00:00',
        'updatedSince must be an ISO 8601 date-time',
      ],
      ['limit=0', 'limit must not be less than 1'],
      ['limit=101', 'limit must not be greater than 100'],
    ])('answers 400 for %s', async (query, message) => {
      const response = await as(alice).get(`/api/conversations?${query}`);

      expect(response.status).toBe(400);
      expect(([] as string[]).concat(response.body.message)).toContain(message);
    });
  });

  describe('GET /api/conversations/:id', () => {
    it('returns the conversation to a participant', async () => {
      const conversation = await open(alice, bob);

      const response = await as(bob).get(
        `/api/conversations/${conversation.id}`,
      );

      expect(response.status).toBe(200);
      expect(response.body.id).toBe(conversation.id);
    });

    it.each([
      ['someone else’s conversation', (id: string) => id],
      ['a malformed id', () => 'not-an-id'],
      ['an unknown id', () => '6564a1f0c0ffee0000000001'],
    ])('answers 404 for %s', async (_label, idFor) => {
      const conversation = await open(alice, bob);

      const response = await as(carol).get(
        `/api/conversations/${idFor(conversation.id)}`,
      );

      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'Conversation not found',
      });
    });
  });

  describe('messages', () => {
    it('sends a message (201) and shows it in the history', async () => {
      const [alice, bob] = await people(2);
      const conversation = await open(alice, bob);

      const sent = await send(alice, conversation.id, 'Hello Bob');
      const history = (
        await as(bob)
          .get(`/api/conversations/${conversation.id}/messages`)
          .expect(200)
      ).body;

      expect(sent).toMatchObject({
        conversationId: conversation.id,
        senderUserId: alice.user.id,
        text: 'Hello Bob',
        status: 'sent',
      });
      expect(history).toEqual({ items: [sent], nextCursor: null });
    });

    it('pages through 75 messages, newest first, 30 + 30 + 15, without gaps or repeats', async () => {
      const [alice, bob] = await people(2);
      const conversation = await open(alice, bob);
      const sentIds: string[] = [];
      for (let i = 0; i < 75; i++) {
        sentIds.push(
          (await send(i % 2 ? bob : alice, conversation.id, `message ${i}`)).id,
        );
      }

      const pages: MessageDto[][] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor
          ? `?limit=30&before=${encodeURIComponent(cursor)}`
          : '?limit=30';
        const page = (
          await as(alice)
            .get(`/api/conversations/${conversation.id}/messages${query}`)
            .expect(200)
        ).body as Page<MessageDto>;
        pages.push(page.items);
        cursor = page.nextCursor;
      } while (cursor);

      expect(pages.map((p) => p.length)).toEqual([30, 30, 15]);
      expect(pages.flat().map((m) => m.id)).toEqual([...sentIds].reverse());
    });

    it('with after, returns only the messages newer than the one given', async () => {
      const [alice, bob] = await people(2);
      const conversation = await open(alice, bob);
      const first = await send(alice, conversation.id, 'seen');
      const missed = [
        await send(bob, conversation.id, 'missed 1'),
        await send(bob, conversation.id, 'missed 2'),
      ];

      const page = (
        await as(alice)
          .get(
            `/api/conversations/${conversation.id}/messages?after=${first.id}`,
          )
          .expect(200)
      ).body as Page<MessageDto>;

      expect(page.items.map((m) => m.text)).toEqual(
        missed.map((m) => m.text).reverse(),
      );
      expect(page.nextCursor).toBeNull();
    });

    it.each([
      ['limit=0', 'limit must not be less than 1'],
      ['limit=101', 'limit must not be greater than 100'],
      ['limit=abc', 'limit must be an integer number'],
      ['limit=2.5', 'limit must be an integer number'],
      [
        'before=not-a-cursor',
        'before must be a nextCursor returned by this endpoint',
      ],
      ['after=nope', 'after must be a message id'],
      [
        'after=6564a1f0c0ffee0000000001',
        'after must be the id of a message in this conversation',
      ],
      ['page=2', 'property page should not exist'],
    ])('answers 400 for %s', async (query, message) => {
      const conversation = await open(alice, bob);

      const response = await as(alice).get(
        `/api/conversations/${conversation.id}/messages?${query}`,
      );

      expect(response.status).toBe(400);
      expect(([] as string[]).concat(response.body.message)).toContain(message);
    });

    it.each([
      ['empty text', { text: '' }, 'text must not be empty'],
      ['whitespace only', { text: '   ' }, 'text must not be empty'],
      [
        'only zero-width characters',
        { text: '\u200B\u200D\uFEFF' },
        'text must not be empty',
      ],
      ['no text', {}, 'text must be a string'],
      ['text that is not a string', { text: 12 }, 'text must be a string'],
      [
        'text over 4000 characters',
        { text: 'x'.repeat(4001) },
        'text must be shorter than or equal to 4000 characters',
      ],
      [
        'an unknown field',
        { text: 'hi', senderUserId: 'x' },
        'property senderUserId should not exist',
      ],
    ])('refuses to send %s (400)', async (_label, body, message) => {
      const conversation = await open(alice, bob);

      const response = await as(alice).post(
        `/api/conversations/${conversation.id}/messages`,
        body,
      );

      expect(response.status).toBe(400);
      expect(([] as string[]).concat(response.body.message)).toContain(message);
    });

    it('answers 404 to someone who reads or posts into another’s conversation, and stores nothing', async () => {
      const [alice, bob] = await people(2);
      const conversation = await open(alice, bob);
      await send(alice, conversation.id, 'private');

      const read = await as(carol).get(
        `/api/conversations/${conversation.id}/messages`,
      );
      const post = await as(carol).post(
        `/api/conversations/${conversation.id}/messages`,
        { text: 'intrusion' },
      );
      const markRead = await as(carol).post(
        `/api/conversations/${conversation.id}/read`,
      );

      expect([read.status, post.status, markRead.status]).toEqual([
        404, 404, 404,
      ]);
      expect(read.body.message).toBe('Conversation not found');
      const history = (
        await as(alice)
          .get(`/api/conversations/${conversation.id}/messages`)
          .expect(200)
      ).body;
      expect(history.items.map((m: MessageDto) => m.text)).toEqual(['private']);
    });

    it('answers 404 for a malformed conversation id', async () => {
      const response = await as(alice).post('/api/conversations/xyz/messages', {
        text: 'hi',
      });

      expect(response.status).toBe(404);
    });
  });

  describe('POST /api/conversations/:id/read', () => {
    it('resets the caller’s unread count and marks the other person’s messages read', async () => {
      const [alice, bob] = await people(2);
      const conversation = await open(alice, bob);
      const sent = await send(alice, conversation.id, 'one');
      await send(alice, conversation.id, 'two');

      const before = (
        await as(bob).get(`/api/conversations/${conversation.id}`).expect(200)
      ).body as ConversationDto;
      const receipt = await as(bob).post(
        `/api/conversations/${conversation.id}/read`,
      );
      const after = (
        await as(bob).get(`/api/conversations/${conversation.id}`).expect(200)
      ).body as ConversationDto;

      expect(before.unreadCount).toBe(2);
      expect(receipt.status).toBe(200);
      expect(receipt.body).toEqual({
        conversationId: conversation.id,
        userId: bob.user.id,
        readAt: expect.any(String),
      });
      expect(after.unreadCount).toBe(0);
      const history = (
        await as(alice)
          .get(`/api/conversations/${conversation.id}/messages`)
          .expect(200)
      ).body;
      expect(
        history.items.find((m: MessageDto) => m.id === sent.id).status,
      ).toBe('read');
    });
  });

  describe('OpenAPI', () => {
    it('documents every conversation route with its errors', async () => {
      const document = (
        await request(app.http).get('/api/docs-json').expect(200)
      ).body as {
        paths: Record<
          string,
          Record<
            string,
            {
              responses: Record<string, unknown>;
              parameters?: { name: string }[];
            }
          >
        >;
      };

      const list = document.paths['/api/conversations'];
      const messages = document.paths['/api/conversations/{id}/messages'];
      expect(Object.keys(list)).toEqual(
        expect.arrayContaining(['get', 'post']),
      );
      expect(Object.keys(list['post'].responses)).toEqual(
        expect.arrayContaining(['200', '201', '400', '401', '404']),
      );
      expect(list['get'].parameters?.map((p) => p.name)).toEqual(
        expect.arrayContaining(['updatedSince', 'limit']),
      );
      expect(messages['get'].parameters?.map((p) => p.name)).toEqual(
        expect.arrayContaining(['id', 'before', 'after', 'limit']),
      );
      expect(Object.keys(messages['post'].responses)).toEqual(
        expect.arrayContaining(['200', '201', '400', '401', '404', '409']),
      );
      expect(
        document.paths['/api/conversations/{id}/read']['post'].responses,
      ).toHaveProperty('404');
    });

    it('describes the bodies from the shared contracts', async () => {
      const document = (
        await request(app.http).get('/api/docs-json').expect(200)
      ).body as {
        components: {
          schemas: Record<
            string,
            { properties?: Record<string, unknown>; required?: string[] }
          >;
        };
      };
      const { schemas } = document.components;

      expect(Object.keys(schemas['ConversationDto'].properties ?? {})).toEqual(
        expect.arrayContaining([
          'id',
          'participants',
          'lastMessage',
          'unreadCount',
          'updatedAt',
        ]),
      );
      expect(schemas['SendMessageDto'].properties?.['text']).toMatchObject({
        minLength: 1,
        maxLength: 4000,
      });
      expect(schemas['SendMessageDto'].properties).toHaveProperty(
        'clientMessageId',
      );
      expect(schemas['SendMessageDto'].required ?? []).not.toContain(
        'clientMessageId',
      );
      expect(schemas['MessageDto'].properties).toHaveProperty(
        'clientMessageId',
      );
      expect(
        Object.keys(schemas['MessagePageResponse'].properties ?? {}),
      ).toEqual(['items', 'nextCursor']);
    });
  });
});
