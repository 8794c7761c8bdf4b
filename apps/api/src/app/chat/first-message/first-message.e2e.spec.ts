import type {
  AuthResponseDto,
  ConversationDto,
  FirstMessageResult,
  MessageDto,
} from '@instantchat/contracts';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../testing/test-app';

describe('POST /api/conversations/messages: the first message opens the conversation (e2e)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

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

  const people = (count: number) =>
    Promise.all(Array.from({ length: count }, () => app.register()));

  async function conversationsOf(
    who: AuthResponseDto,
  ): Promise<ConversationDto[]> {
    return (await as(who).get('/api/conversations').expect(200))
      .body as ConversationDto[];
  }

  it('creates the conversation with its first message (201), in both inboxes, unread for the other', async () => {
    const [alice, bob] = await people(2);
    expect(await conversationsOf(bob)).toEqual([]);

    const response = await as(alice).post('/api/conversations/messages', {
      participantId: bob.user.id,
      text: 'Hi Bob, a question about your order',
    });

    expect(response.status).toBe(201);
    const { conversation, message } = response.body as FirstMessageResult;
    expect(message).toMatchObject({
      conversationId: conversation.id,
      senderUserId: alice.user.id,
      text: 'Hi Bob, a question about your order',
    });
    expect(conversation.lastMessage?.text).toBe(
      'Hi Bob, a question about your order',
    );
    const forBob = await conversationsOf(bob);
    expect(forBob.map((c) => [c.id, c.unreadCount])).toEqual([
      [conversation.id, 1],
    ]);
  });

  it('sends into the conversation the two already have instead of opening another', async () => {
    const [alice, bob] = await people(2);
    const existing = (
      await as(bob)
        .post('/api/conversations', { participantId: alice.user.id })
        .expect(201)
    ).body as ConversationDto;

    const response = await as(alice).post('/api/conversations/messages', {
      participantId: bob.user.id,
      text: 'Same thread',
    });

    expect(response.status).toBe(201);
    expect((response.body as FirstMessageResult).conversation.id).toBe(
      existing.id,
    );
    expect((await conversationsOf(alice)).map((c) => c.id)).toEqual([
      existing.id,
    ]);
  });

  it('answers a retry with the same clientMessageId with the stored message (200), storing nothing again', async () => {
    const [alice, bob] = await people(2);
    const body = {
      participantId: bob.user.id,
      text: 'Only once',
      clientMessageId: randomUUID(),
    };

    const first = await as(alice).post('/api/conversations/messages', body);
    const retry = await as(alice).post('/api/conversations/messages', body);

    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect((retry.body as FirstMessageResult).message.id).toBe(
      (first.body as FirstMessageResult).message.id,
    );
    const history = await as(bob)
      .get(
        `/api/conversations/${(first.body as FirstMessageResult).conversation.id}/messages`,
      )
      .expect(200);
    expect((history.body.items as MessageDto[]).map((m) => m.text)).toEqual([
      'Only once',
    ]);
    expect((await conversationsOf(bob))[0].unreadCount).toBe(1);
  });

  it('refuses blank text (400) and leaves no empty conversation behind', async () => {
    const [alice, bob] = await people(2);

    const response = await as(alice).post('/api/conversations/messages', {
      participantId: bob.user.id,
      text: '   ',
    });

    expect(response.status).toBe(400);
    expect(response.body.message).toBe('text must not be empty');
    expect(await conversationsOf(alice)).toEqual([]);
    expect(await conversationsOf(bob)).toEqual([]);
  });

  it('answers 409 for a clientMessageId already used in another conversation', async () => {
    const [alice, bob, carol] = await people(3);
    const clientMessageId = randomUUID();
    await as(alice)
      .post('/api/conversations/messages', {
        participantId: bob.user.id,
        text: 'to Bob',
        clientMessageId,
      })
      .expect(201);

    const response = await as(alice).post('/api/conversations/messages', {
      participantId: carol.user.id,
      text: 'to Carol',
      clientMessageId,
    });

    expect(response.status).toBe(409);
  });

  it.each([
    ['yourself', (me: AuthResponseDto) => me.user.id, 400],
    ['someone who does not exist', () => '6564a1f0c0ffee0000000001', 404],
  ])('refuses a first message to %s', async (_label, participant, status) => {
    const [alice] = await people(1);

    const response = await as(alice).post('/api/conversations/messages', {
      participantId: participant(alice),
      text: 'Hello',
    });

    expect(response.status).toBe(status);
    expect(await conversationsOf(alice)).toEqual([]);
  });

  it.each([
    [
      'a malformed participantId',
      { participantId: 'bob', text: 'hi' },
      'participantId must be a user id',
    ],
    [
      'no text',
      { participantId: '6564a1f0c0ffee0000000001' },
      'text must be a string',
    ],
    [
      'text over 4,000 characters',
      { participantId: '6564a1f0c0ffee0000000001', text: 'x'.repeat(4001) },
      'text must be shorter than or equal to 4000 characters',
    ],
    [
      'a clientMessageId that is not a UUID',
      {
        participantId: '6564a1f0c0ffee0000000001',
        text: 'hi',
        clientMessageId: 'abc',
      },
      'clientMessageId must be a UUID',
    ],
  ])('answers 400 for %s', async (_label, body, message) => {
    const [alice] = await people(1);

    const response = await as(alice).post('/api/conversations/messages', body);

    expect(response.status).toBe(400);
    expect(([] as string[]).concat(response.body.message)).toContain(message);
  });

  it('is documented in OpenAPI beside message search', async () => {
    const docs = await request(app.http).get('/api/docs-json').expect(200);
    const paths = docs.body.paths as Record<string, Record<string, unknown>>;

    expect(Object.keys(paths['/api/conversations/messages'] ?? {})).toEqual([
      'post',
    ]);
    expect(Object.keys(paths['/api/messages/search'] ?? {})).toEqual(['get']);
    expect(JSON.stringify(paths['/api/conversations']['get'])).toContain(
      'search',
    );
  });

  it('requires authentication', async () => {
    await request(app.http)
      .post('/api/conversations/messages')
      .send({ participantId: '6564a1f0c0ffee0000000001', text: 'hi' })
      .expect(401);
  });
});
