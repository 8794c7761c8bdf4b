import type { AuthResponseDto, MessageDto, Page } from '@instantchat/contracts';
import { getModelToken } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import request from 'supertest';
import {
  type ExplainedQuery,
  explainQuery,
} from '../../testing/explained-query';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { Conversation } from '../schemas/conversation.schema';
import { Message } from '../schemas/message.schema';
import {
  MESSAGE_SEARCH_SORT,
  messageSearchFilter,
} from './message-search-filter';
import { messageSearchTerms, searchQueryTerms } from './search-terms';

/** Enough messages that a full scan would show in both the examined count and the time. */
const MESSAGE_COUNT = 100_000;
const CONVERSATION_COUNT = 200;
/** The caller takes part in every tenth conversation. */
const CALLERS_EVERY = 10;
/** A word in every 997th message (about 100 in all), spread over everyone's conversations. */
const RARE_EVERY = 997;
/**
 * Short words keep the seeding quick (few prefixes per message); the index work per term is the
 * same as for long words.
 */
const COMMON_WORDS = ['ok', 'yes', 'hi', 'size', 'ship', 'no', 'red', 'blue'];

describe(`Message search at ${MESSAGE_COUNT.toLocaleString('en')} messages (e2e)`, () => {
  let app: TestApp;
  let caller: AuthResponseDto;
  let messages: Model<Message>;
  let callersConversationIds: Types.ObjectId[];
  let rareHitsForCaller: number;

  beforeAll(async () => {
    app = await createTestApp();
    caller = await app.register();
    messages = app.app.get(getModelToken(Message.name));
    const conversations: Model<Conversation> = app.app.get(
      getModelToken(Conversation.name),
    );
    const callerId = new Types.ObjectId(caller.user.id);
    const conversationDocs = Array.from(
      { length: CONVERSATION_COUNT },
      (_, i) => ({
        _id: new Types.ObjectId(),
        kind: 'local',
        participantIds: [
          i % CALLERS_EVERY === 0 ? callerId : new Types.ObjectId(),
          new Types.ObjectId(),
        ],
        lastMessageAt: new Date(),
        lastMessage: null,
        unreadCounts: {},
        lastReadAt: {},
        createdAt: new Date(),
        updatedAt: new Date(),
      }),
    );
    await conversations.collection.insertMany(conversationDocs);
    callersConversationIds = conversationDocs
      .filter((_, i) => i % CALLERS_EVERY === 0)
      .map((doc) => doc._id);

    const start = Date.UTC(2026, 0, 1);
    rareHitsForCaller = 0;
    const batchSize = 5_000;
    for (let offset = 0; offset < MESSAGE_COUNT; offset += batchSize) {
      const batch = Array.from({ length: batchSize }, (_, k) => {
        const i = offset + k;
        const conversationIndex = i % CONVERSATION_COUNT;
        const rare = i % RARE_EVERY === 0;
        if (rare && conversationIndex % CALLERS_EVERY === 0) {
          rareHitsForCaller += 1;
        }
        // Chosen by the conversation's round, not its index, so every conversation gets every word.
        const round = Math.floor(i / CONVERSATION_COUNT);
        const text = [
          COMMON_WORDS[round % COMMON_WORDS.length],
          ...(rare ? ['zanzibar'] : []),
        ].join(' ');
        return {
          conversationId: conversationDocs[conversationIndex]._id,
          source: 'local',
          senderUserId: conversationDocs[conversationIndex].participantIds[1],
          text,
          searchTerms: messageSearchTerms(text),
          attachments: [],
          status: 'sent',
          reactions: [],
          deletedAt: null,
          createdAt: new Date(start + i * 1000),
          updatedAt: new Date(start + i * 1000),
        };
      });
      await messages.collection.insertMany(batch, { ordered: false });
    }
  }, 300_000);

  afterAll(async () => {
    await app?.close();
  });

  function explainSearch(q: string): Promise<ExplainedQuery> {
    return explainQuery(
      messages
        .find(messageSearchFilter(searchQueryTerms(q), callersConversationIds))
        .sort(MESSAGE_SEARCH_SORT)
        .limit(21),
    );
  }

  it('reads only the caller’s matching messages through the index, not the collection', async () => {
    const rare = await explainSearch('zanzibar');

    expect(rare.plan).toContain('IXSCAN');
    expect(rare.plan).toContain('searchTerms');
    // About 100 messages hold the word; only the caller's tenth of them is read.
    expect(rareHitsForCaller).toBeGreaterThan(0);
    expect(rareHitsForCaller).toBeLessThan(MESSAGE_COUNT / RARE_EVERY / 2);
    expect(rare.docsExamined).toBe(rareHitsForCaller);
    expect(rare.returned).toBe(rareHitsForCaller);
  });

  it('bounds a common word by the caller’s share, far below a full scan', async () => {
    const common = await explainSearch('SHIP');

    // "ship" is in an eighth of all messages; the caller has a tenth of the conversations.
    expect(common.docsExamined).toBeLessThanOrEqual(
      MESSAGE_COUNT / COMMON_WORDS.length / CALLERS_EVERY,
    );
    expect(common.returned).toBe(21);
  });

  it('answers the HTTP search quickly', async () => {
    const started = performance.now();
    const response = await request(app.http)
      .get('/api/messages/search')
      .query({ q: 'zanzibar' })
      .set('Authorization', `Bearer ${caller.accessToken}`)
      .expect(200);
    const elapsedMs = performance.now() - started;

    expect((response.body as Page<MessageDto>).items).toHaveLength(
      Math.min(rareHitsForCaller, 20),
    );
    // Generous for a shared CI machine; a full scan of 100k documents takes seconds here.
    expect(elapsedMs).toBeLessThan(1500);
  });
});
