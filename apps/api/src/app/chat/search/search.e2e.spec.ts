import type {
  AuthResponseDto,
  ConversationDto,
  MessageDto,
  Page,
} from '@instantchat/contracts';
import { Types } from 'mongoose';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { ChannelInbox } from '../channels/channel-inbox.service';

describe('Search (e2e)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  const as = (who: AuthResponseDto) => ({
    get: (path: string, query: Record<string, string | number> = {}) =>
      request(app.http)
        .get(path)
        .query(query)
        .set('Authorization', `Bearer ${who.accessToken}`),
    post: (path: string, body?: object) =>
      request(app.http)
        .post(path)
        .set('Authorization', `Bearer ${who.accessToken}`)
        .send(body),
  });

  async function person(displayName: string): Promise<AuthResponseDto> {
    return app.register(undefined, displayName);
  }

  async function open(
    who: AuthResponseDto,
    other: AuthResponseDto,
  ): Promise<ConversationDto> {
    return (
      await as(who).post('/api/conversations', { participantId: other.user.id })
    ).body as ConversationDto;
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

  async function searchMessages(
    who: AuthResponseDto,
    query: Record<string, string | number>,
  ): Promise<Page<MessageDto>> {
    const response = await as(who).get('/api/messages/search', query);
    expect(response.status).toBe(200);
    return response.body as Page<MessageDto>;
  }

  describe('GET /api/messages/search', () => {
    it('finds the caller’s messages by word prefix, any case and without diacritics, newest first', async () => {
      const [alice, bob] = await Promise.all([person('Alice'), person('Bob')]);
      const chat = await open(alice, bob);
      const first = await send(bob, chat.id, 'The Café order #4521 is late');
      await send(alice, chat.id, 'Unrelated words here');
      const second = await send(alice, chat.id, 'cafe refund approved');

      const page = await searchMessages(alice, { q: 'CAF' });

      expect(page.items.map((m) => m.id)).toEqual([second.id, first.id]);
      expect(page.nextCursor).toBeNull();
      expect(page.items[1]).toMatchObject({
        conversationId: chat.id,
        text: 'The Café order #4521 is late',
      });
    });

    it('needs every word of the query', async () => {
      const [alice, bob] = await Promise.all([person('Alice'), person('Bob')]);
      const chat = await open(alice, bob);
      const both = await send(bob, chat.id, 'refund for the blue jacket');
      await send(bob, chat.id, 'refund for the red scarf');

      const page = await searchMessages(alice, { q: 'jacket refund' });

      expect(page.items.map((m) => m.id)).toEqual([both.id]);
    });

    it('never returns another person’s messages, even with the same words', async () => {
      const [alice, bob, carol, dave] = await Promise.all([
        person('Alice'),
        person('Bob'),
        person('Carol'),
        person('Dave'),
      ]);
      const mine = await open(alice, bob);
      const theirs = await open(carol, dave);
      const visible = await send(bob, mine.id, 'secretword for alice');
      await send(carol, theirs.id, 'secretword between carol and dave');

      const forAlice = await searchMessages(alice, { q: 'secretword' });
      const forBob = await searchMessages(bob, { q: 'secretword' });
      const forDave = await searchMessages(dave, { q: 'secretword' });

      expect(forAlice.items.map((m) => m.id)).toEqual([visible.id]);
      expect(forBob.items.map((m) => m.id)).toEqual([visible.id]);
      expect(forDave.items.map((m) => m.text)).toEqual([
        'secretword between carol and dave',
      ]);
    });

    it('answers an empty page to someone with no conversations', async () => {
      const loner = await person('Loner');

      expect(await searchMessages(loner, { q: 'anything' })).toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('pages back with nextCursor without repeating or skipping a hit', async () => {
      const [alice, bob] = await Promise.all([person('Alice'), person('Bob')]);
      const chat = await open(alice, bob);
      const sent: MessageDto[] = [];
      for (let i = 0; i < 5; i++) {
        sent.push(await send(bob, chat.id, `invoice number ${i}`));
      }

      const first = await searchMessages(alice, { q: 'invoice', limit: 2 });
      const second = await searchMessages(alice, {
        q: 'invoice',
        limit: 2,
        before: first.nextCursor as string,
      });
      const third = await searchMessages(alice, {
        q: 'invoice',
        limit: 2,
        before: second.nextCursor as string,
      });

      expect(
        [...first.items, ...second.items, ...third.items].map((m) => m.id),
      ).toEqual(sent.map((m) => m.id).reverse());
      expect(third.nextCursor).toBeNull();
    });

    it('finds inbound Instagram messages by their edited text, and an unsent one no more', async () => {
      const owner = await person('Owner');
      const inbox = app.app.get(ChannelInbox);
      const thread = await inbox.openThread({
        kind: 'instagram',
        participantIds: [owner.user.id],
        instagram: {
          connectionId: new Types.ObjectId().toHexString(),
          accountId: '17841400000000001',
          contactIgsid: `igsid-${Date.now()}`,
        },
      });
      const recorded = await inbox.recordInbound({
        conversationId: thread.id,
        externalMessageId: `mid-${Date.now()}-a`,
        externalSenderId: thread.instagram?.contactIgsid as string,
        text: 'Do you ship to Lisbon?',
        sentAt: new Date(),
      });
      const other = await inbox.recordInbound({
        conversationId: thread.id,
        externalMessageId: `mid-${Date.now()}-b`,
        externalSenderId: thread.instagram?.contactIgsid as string,
        text: 'Also to Porto?',
        sentAt: new Date(),
      });

      expect(
        (await searchMessages(owner, { q: 'lisbon' })).items.map((m) => m.id),
      ).toEqual([recorded.message.id]);

      await inbox.updateMessage(
        { messageId: recorded.message.id },
        { kind: 'edit', text: 'Do you ship to Madrid?', at: new Date() },
      );
      expect((await searchMessages(owner, { q: 'lisbon' })).items).toEqual([]);
      expect(
        (await searchMessages(owner, { q: 'madrid' })).items.map((m) => m.id),
      ).toEqual([recorded.message.id]);

      await inbox.updateMessage(
        { messageId: other.message.id },
        { kind: 'delete', at: new Date() },
      );
      expect((await searchMessages(owner, { q: 'porto' })).items).toEqual([]);
    });

    it.each([
      ['no q', {}, 'q must be text'],
      ['an empty q', { q: '' }, 'q must not be empty'],
      [
        'a q with no word of two characters',
        { q: 'a ! ?' },
        'q must contain a word of at least 2 letters or digits',
      ],
      [
        'a q over 200 characters',
        { q: 'x'.repeat(201) },
        'q must be shorter than or equal to 200 characters',
      ],
      [
        'a limit above 50',
        { q: 'hello', limit: 51 },
        'limit must not be greater than 50',
      ],
      [
        'a limit that is not a number',
        { q: 'hello', limit: 'ten' },
        'limit must be an integer number',
      ],
      [
        'a before that is not a cursor',
        { q: 'hello', before: 'not-a-cursor' },
        'before must be a nextCursor returned by this endpoint',
      ],
    ])('answers 400 for %s', async (_label, query, message) => {
      const alice = await person('Alice');
      await open(alice, await person('Bob'));

      const response = await as(alice).get('/api/messages/search', query);

      expect(response.status).toBe(400);
      expect(([] as string[]).concat(response.body.message)).toContain(message);
    });

    it('requires authentication', async () => {
      await request(app.http)
        .get('/api/messages/search')
        .query({ q: 'hello' })
        .expect(401);
    });
  });

  describe('GET /api/conversations?search=', () => {
    it('finds the caller’s conversations by the other person’s name, any case, diacritics ignored', async () => {
      const me = await person('Searcher');
      const [zoe, zoltan, mark] = await Promise.all([
        person('Zoë Martín'),
        person('Zoltan Kovacs'),
        person('Mark Zoeller'),
      ]);
      const withZoe = await open(me, zoe);
      const withZoltan = await open(me, zoltan);
      const withMark = await open(me, mark);
      await send(me, withZoltan.id, 'newest');

      const byFirstName = (
        await as(me).get('/api/conversations', { search: 'ZO' }).expect(200)
      ).body as ConversationDto[];
      const byTwoWords = (
        await as(me)
          .get('/api/conversations', { search: 'zoe martin' })
          .expect(200)
      ).body as ConversationDto[];

      expect(byFirstName.map((c) => c.id)).toEqual([
        withZoltan.id,
        withMark.id,
        withZoe.id,
      ]);
      expect(byTwoWords.map((c) => c.id)).toEqual([withZoe.id]);
    });

    it('does not match on the caller’s own name, nor show others’ conversations', async () => {
      const me = await person('Quentin Unique');
      const other = await person('Olga');
      const stranger = await person('Quentin Stranger');
      await open(me, other);
      await open(stranger, other);

      const response = await as(me)
        .get('/api/conversations', { search: 'quentin' })
        .expect(200);

      expect(response.body).toEqual([]);
    });

    it('finds Instagram threads by the contact’s username or name', async () => {
      const owner = await person('Shop Owner');
      const inbox = app.app.get(ChannelInbox);
      const thread = await inbox.openThread({
        kind: 'instagram',
        participantIds: [owner.user.id],
        instagram: {
          connectionId: new Types.ObjectId().toHexString(),
          accountId: '17841400000000002',
          contactIgsid: `igsid-${Date.now()}`,
        },
        contactProfile: { username: 'jane.doe', name: 'Jane Doé' },
      });

      for (const search of ['jane.doe', 'DOE', 'jane doe']) {
        const found = (
          await as(owner).get('/api/conversations', { search }).expect(200)
        ).body as ConversationDto[];
        expect(found.map((c) => c.id)).toEqual([thread.id]);
      }
    });

    it('answers 400 for a search over 200 characters', async () => {
      const me = await person('Long');
      const response = await as(me).get('/api/conversations', {
        search: 'y'.repeat(201),
      });

      expect(response.status).toBe(400);
      expect(response.body.message).toContain(
        'search must be shorter than or equal to 200 characters',
      );
    });
  });
});
