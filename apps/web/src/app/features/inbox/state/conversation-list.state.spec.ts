import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ConversationDto } from '@instantchat/contracts';
import {
  alan,
  grace,
  instagramConversation,
  localConversation,
  me,
  message,
} from '../../../../testing/fixtures';
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

  it('shows a message as the preview only when it is at least as new as the one shown', () => {
    const shown = '2026-11-20T13:00:05.000Z';
    loaded([{ ...withGrace, lastMessageAt: shown }]);

    list.showLatest(
      message(
        'm-old',
        'c-grace',
        grace.id,
        'Older',
        '2026-11-20T13:00:01.000Z',
      ),
    );
    expect(list.find('c-grace')?.lastMessageAt).toBe(shown);

    list.showLatest(
      message(
        'm-new',
        'c-grace',
        grace.id,
        'Newer',
        '2026-11-20T13:00:09.000Z',
      ),
    );
    expect(list.find('c-grace')).toMatchObject({
      lastMessageAt: '2026-11-20T13:00:09.000Z',
      lastMessage: { text: 'Newer', senderUserId: grace.id },
    });
  });

  it('ignores a message or an unread count for a conversation it does not hold', () => {
    loaded();
    list.showLatest(
      message('m-1', 'c-other', grace.id, 'Hi', '2026-11-20T13:00:09.000Z'),
    );
    list.countUnread('c-other');

    expect(list.conversations()).toEqual([withGrace]);
  });

  it('counts one more unread message on top of the badge shown', () => {
    loaded();
    list.countUnread('c-grace');

    expect(list.find('c-grace')?.unreadCount).toBe(4);
  });

  it('finds the local conversation with someone, never an Instagram one', () => {
    // Grace also answers this Instagram conversation; it is listed first.
    const answeredByGrace = instagramConversation('c-ig', {
      participants: [
        { id: me.id, displayName: me.displayName },
        { id: grace.id, displayName: grace.displayName },
      ],
    });
    loaded([answeredByGrace, withGrace]);

    expect(list.localConversationWith(grace.id)?.id).toBe('c-grace');
    expect(list.localConversationWith(alan.id)).toBeUndefined();
  });
});
