import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ConversationDto } from '@instantchat/contracts';
import { grace, localConversation, me } from '../../../../testing/fixtures';
import { ConversationListState } from './conversation-list.state';

describe('ConversationListState', () => {
  let list: ConversationListState;
  let http: HttpTestingController;

  const withGrace = localConversation('c-grace', grace, { unreadCount: 3 });

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ConversationListState,
      ],
    });
    http = TestBed.inject(HttpTestingController);
    list = TestBed.inject(ConversationListState);
  });

  afterEach(() => http.verify());

  function loaded(conversations: ConversationDto[] = [withGrace]) {
    list.load().subscribe();
    http.expectOne('/api/conversations').flush(conversations);
  }

  it('shows an error state when the list cannot be loaded, and recovers on retry', () => {
    const landed = jest.fn();
    list.load().subscribe(landed);
    http.expectOne('/api/conversations').flush(
      {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'database is starting',
      },
      { status: 503, statusText: 'Service Unavailable' },
    );

    expect(list.status()).toBe('error');
    expect(list.error()).toBe('Database is starting');
    expect(landed).not.toHaveBeenCalled();

    list.load().subscribe(landed);
    expect(list.status()).toBe('loading');
    http.expectOne('/api/conversations').flush([withGrace]);
    expect(list.status()).toBe('ready');
    expect(list.conversations()).toEqual([withGrace]);
    expect(landed).toHaveBeenCalledTimes(1);
  });

  it('keeps what it holds when a refresh fails, and says so', () => {
    loaded();
    list.syncChanges().subscribe();
    http
      .expectOne((req) => req.url === '/api/conversations')
      .flush(null, { status: 0, statusText: 'Unknown Error' });

    expect(list.status()).toBe('ready');
    expect(list.conversations()).toEqual([withGrace]);
    expect(list.error()).toBe(
      'Cannot reach the server. Check your connection and try again.',
    );
  });

  it('keeps the newer conversation when an older snapshot arrives late', () => {
    loaded();
    const at = (second: number) => `2026-11-20T13:00:0${second}.000Z`;
    const snapshot = (text: string, second: number, unreadCount: number) => ({
      ...withGrace,
      lastMessage: { text, senderUserId: grace.id, createdAt: at(second) },
      lastMessageAt: at(second),
      unreadCount,
      updatedAt: at(second),
    });

    list.upsert(snapshot('Second', 1, 2));
    list.upsert(snapshot('First', 0, 1));

    expect(list.find('c-grace')).toMatchObject({
      lastMessage: { text: 'Second' },
      unreadCount: 2,
    });
  });

  it('clears the badge at once, and marks read again when asked while the request in flight was stamped before the news', () => {
    loaded();
    list.markRead('c-grace');
    expect(list.find('c-grace')?.unreadCount).toBe(0);
    const firstRead = http.expectOne('/api/conversations/c-grace/read');

    list.patch('c-grace', { lastMessageAt: '2026-11-20T13:00:05.000Z' });
    list.markRead('c-grace');
    http.expectNone('/api/conversations/c-grace/read');

    firstRead.flush({
      conversationId: 'c-grace',
      userId: me.id,
      readAt: '2026-11-20T13:00:02.000Z',
    });
    http.expectOne('/api/conversations/c-grace/read').flush({
      conversationId: 'c-grace',
      userId: me.id,
      readAt: '2026-11-20T13:00:06.000Z',
    });
  });

  it('does not mark read again for news the request in flight already covered', () => {
    loaded();
    list.patch('c-grace', { lastMessageAt: '2026-11-20T13:00:00.000Z' });
    list.markRead('c-grace');
    const read = http.expectOne('/api/conversations/c-grace/read');
    list.markRead('c-grace');

    read.flush({
      conversationId: 'c-grace',
      userId: me.id,
      readAt: '2026-11-20T13:00:01.000Z',
    });

    http.expectNone('/api/conversations/c-grace/read');
  });
});
