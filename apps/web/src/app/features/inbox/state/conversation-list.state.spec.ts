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

  describe('server copies made before a read here landed', () => {
    const at = (second: number) => `2026-11-20T13:00:0${second}.000Z`;
    /** Grace's conversation as the server sends it: `unreadCount` and `lastReadAt` as it counts. */
    const copy = (
      lastMessageSecond: number,
      unreadCount: number,
      lastReadSecond: number | null,
      updatedSecond = lastMessageSecond,
    ): ConversationDto => ({
      ...withGrace,
      lastMessage: {
        text: `at ${lastMessageSecond}`,
        senderUserId: grace.id,
        createdAt: at(lastMessageSecond),
      },
      lastMessageAt: at(lastMessageSecond),
      unreadCount,
      lastReadAt: lastReadSecond === null ? null : at(lastReadSecond),
      updatedAt: at(updatedSecond),
    });
    /** The list holds Grace's conversation with 3 unread up to second 2, and reads it here. */
    function readHere() {
      loaded([copy(2, 3, null)]);
      list.markRead('c-grace');
      return http.expectOne('/api/conversations/c-grace/read');
    }

    it('keep the read: a copy with the same updatedAt (a catch-up) or a newer one (the message’s own update) does not raise the badge again', () => {
      const read = readHere();

      list.upsert(copy(2, 3, null));
      expect(list.find('c-grace')?.unreadCount).toBe(0);
      list.upsert(copy(2, 3, null, 3));
      expect(list.find('c-grace')).toMatchObject({
        unreadCount: 0,
        updatedAt: at(3),
      });
      read.flush({ conversationId: 'c-grace', userId: me.id, readAt: at(4) });
    });

    it('take the server’s count once a copy shows the read, or a message newer than what was read', () => {
      const read = readHere();
      read.flush({ conversationId: 'c-grace', userId: me.id, readAt: at(4) });
      list.upsert(copy(2, 0, 4, 4));
      // Confirmed: what the server says from now on stands, even a count it raises again.
      list.upsert(copy(2, 1, 4, 5));
      expect(list.find('c-grace')?.unreadCount).toBe(1);

      list.markRead('c-grace');
      http
        .expectOne('/api/conversations/c-grace/read')
        .flush({ conversationId: 'c-grace', userId: me.id, readAt: at(6) });
      // A newer message than the one read here, in a copy made before the read landed: counted
      // as the server counts it.
      list.upsert(copy(7, 2, null, 7));
      expect(list.find('c-grace')).toMatchObject({
        unreadCount: 2,
        lastMessageAt: at(7),
      });
    });

    it('count what came unseen after the read, and keep its preview, over a copy made before it', () => {
      const read = readHere();
      // Then the tab was hidden and a message came: counted here, shown as the preview.
      list.showLatest(message('m-5', 'c-grace', grace.id, 'at 5', at(5)));
      list.countUnread('c-grace');

      list.upsert(copy(2, 3, null, 4));

      expect(list.find('c-grace')).toMatchObject({
        unreadCount: 1,
        lastMessageAt: at(5),
        lastMessage: { text: 'at 5' },
        updatedAt: at(4),
      });
      read.flush({ conversationId: 'c-grace', userId: me.id, readAt: at(4) });
    });

    it('raise the badge again when the read failed: the server still counts those messages', () => {
      const read = readHere();
      read.flush(
        { statusCode: 503, message: 'database is starting' },
        { status: 503, statusText: 'Service Unavailable' },
      );

      list.upsert(copy(2, 3, null, 3));

      expect(list.find('c-grace')?.unreadCount).toBe(3);
    });

    it('take the server’s count once a copy shows the read as the server stamped it, behind the message’s time', () => {
      // Two API instances: the message was stored by one whose clock runs ahead (second 5), the
      // read by one whose clock is behind (second 4).
      loaded([copy(5, 3, null)]);
      list.markRead('c-grace');
      http
        .expectOne('/api/conversations/c-grace/read')
        .flush({ conversationId: 'c-grace', userId: me.id, readAt: at(4) });
      // The read's own copy never came (missed while reconnecting); the server then stored
      // another message (at 4.5 by its clock) and counts it unread.
      list.load().subscribe();
      http.expectOne('/api/conversations').flush([copy(5, 1, 4, 6)]);

      expect(list.find('c-grace')?.unreadCount).toBe(1);
    });

    it('do not take the stamp of a read for a newer one asked for while it was on its way', () => {
      loaded([copy(5, 3, null)]);
      list.markRead('c-grace');
      const first = http.expectOne('/api/conversations/c-grace/read');
      // A newer message, read as it came, while the first request is on its way.
      list.showLatest(message('m-7', 'c-grace', grace.id, 'at 7', at(7)));
      list.markRead('c-grace');
      first.flush({ conversationId: 'c-grace', userId: me.id, readAt: at(6) });
      const second = http.expectOne('/api/conversations/c-grace/read');

      // Stamped by the first read, so made before the second landed: it still counts 'at 7'.
      list.upsert(copy(7, 1, 6, 8));
      expect(list.find('c-grace')?.unreadCount).toBe(0);
      second.flush({ conversationId: 'c-grace', userId: me.id, readAt: at(9) });
    });

    it('take a late copy that shows the read as the end of it', () => {
      loaded([copy(5, 3, null)]);
      list.markRead('c-grace');
      const read = http.expectOne('/api/conversations/c-grace/read');
      // Dropped as late (stamped by an instance whose clock is behind), yet it counts nothing
      // unread: the read landed, and later copies are the server's word, before the answer comes.
      list.upsert(copy(5, 0, 4, 4));
      list.upsert(copy(5, 1, 4, 6));
      expect(list.find('c-grace')?.unreadCount).toBe(1);
      read.flush({ conversationId: 'c-grace', userId: me.id, readAt: at(4) });
    });

    it('judge a whole list asked for before the read landed, though answered after a copy showed it', () => {
      const read = readHere();
      // A whole list is asked for (the server reads it before the read lands)…
      list.load().subscribe();
      const slowList = http.expectOne('/api/conversations');
      // … the read lands and its own copy shows it …
      read.flush({ conversationId: 'c-grace', userId: me.id, readAt: at(4) });
      list.upsert(copy(2, 0, 4, 4));
      // … then the list answers, with the count from before the read.
      slowList.flush([copy(2, 3, null, 3)]);
      expect(list.find('c-grace')?.unreadCount).toBe(0);

      // A list asked for after that is the server's word again, whatever it says.
      list.load().subscribe();
      http.expectOne('/api/conversations').flush([copy(2, 1, null, 5)]);
      expect(list.find('c-grace')?.unreadCount).toBe(1);
    });

    it('keep judging a whole list asked for before the read ended, though another copy came first', () => {
      const read = readHere();
      list.load().subscribe();
      const slowList = http.expectOne('/api/conversations');
      read.flush({ conversationId: 'c-grace', userId: me.id, readAt: at(4) });
      list.upsert(copy(2, 0, 4, 4));
      // Another copy (a read in a second tab, a profile change) before the slow list answers.
      list.upsert(copy(2, 0, 4, 5));

      slowList.flush([copy(2, 3, null, 3)]);

      expect(list.find('c-grace')?.unreadCount).toBe(0);
    });

    it('apply to a whole new list too', () => {
      const read = readHere();
      list.load().subscribe();
      http.expectOne('/api/conversations').flush([copy(2, 3, null, 3)]);
      expect(list.find('c-grace')?.unreadCount).toBe(0);

      read.flush({ conversationId: 'c-grace', userId: me.id, readAt: at(4) });
      // Another tab read it later still: the server's copy shows a read past this one's.
      list.load().subscribe();
      http.expectOne('/api/conversations').flush([copy(2, 0, 8, 8)]);
      expect(list.find('c-grace')).toMatchObject({
        unreadCount: 0,
        lastReadAt: at(8),
      });
    });
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

  it('previews a live message of attachments only as the server would, naming what came', () => {
    loaded();
    list.showLatest(
      message('m-9', 'c-grace', null, '', '2026-11-20T13:00:09.000Z', {
        attachments: [{ type: 'ig_story', url: 'https://cdn.example/s' }],
      }),
    );
    expect(list.find('c-grace')?.lastMessage).toEqual({
      text: '',
      senderUserId: null,
      createdAt: '2026-11-20T13:00:09.000Z',
      attachmentTypes: ['ig_story'],
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
