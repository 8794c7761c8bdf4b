import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ConversationDto, MessageDto, Page } from '@instantchat/contracts';
import { RealtimeService } from '../../../core/realtime/realtime.service';
import { SESSION_STORAGE } from '../../../core/session/session-storage';
import { FakeRealtime } from '../../../../testing/fake-realtime';
import {
  alan,
  grace,
  instagramConversation,
  localConversation,
  me,
  memoryStorage,
  message,
  session,
} from '../../../../testing/fixtures';
import { DRAFT_STORAGE } from './drafts.state';
import { INBOX_STATE_PROVIDERS } from './inbox-state.providers';
import { InboxStore } from './inbox.store';

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('InboxStore', () => {
  let store: InboxStore;
  let http: HttpTestingController;
  let realtime: FakeRealtime;
  let draftStorage: Storage;
  const signedIn = session();

  const withGrace = localConversation('c-grace', grace, {
    lastMessage: {
      text: 'See you at 3',
      senderUserId: me.id,
      createdAt: '2026-11-20T09:00:00.000Z',
    },
    lastMessageAt: '2026-11-20T09:00:00.000Z',
  });
  const withAlan = localConversation('c-alan', alan, {
    lastMessage: {
      text: 'Ping',
      senderUserId: alan.id,
      createdAt: '2026-11-20T12:00:00.000Z',
    },
    lastMessageAt: '2026-11-20T12:00:00.000Z',
  });
  const fromInstagram = instagramConversation('c-ig');
  /** Grace's conversation, read up to its last message (no divider when opened). */
  const graceRead: ConversationDto = {
    ...withGrace,
    lastReadAt: '2026-11-20T09:00:00.000Z',
  };
  /** Cleo's history: my message, then her two unread ones (fromInstagram counts 2). */
  const cleoHistory = [
    message('m-1', 'c-ig', me.id, 'Hi Cleo', '2026-11-20T10:00:00.000Z'),
    message('m-2', 'c-ig', null, 'Hello!', '2026-11-20T10:30:00.000Z'),
    message(
      'm-3',
      'c-ig',
      null,
      'Do you ship to Lisbon?',
      '2026-11-20T11:00:00.000Z',
    ),
  ];

  /** Creates the store; its first request (the conversation list) is left for the test. */
  function createStore() {
    realtime = new FakeRealtime();
    draftStorage = memoryStorage();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        ...INBOX_STATE_PROVIDERS,
        { provide: RealtimeService, useValue: realtime },
        { provide: SESSION_STORAGE, useValue: memoryStorage(signedIn) },
        { provide: DRAFT_STORAGE, useValue: draftStorage },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    store = TestBed.inject(InboxStore);
  }

  function setUp(
    conversations: ConversationDto[] = [withGrace, withAlan, fromInstagram],
  ) {
    createStore();
    http.expectOne('/api/conversations').flush(conversations);
  }

  function page(
    items: MessageDto[],
    nextCursor: string | null = null,
  ): Page<MessageDto> {
    // The API answers newest first.
    return { items: [...items].reverse(), nextCursor };
  }

  function openWithHistory(
    conversationId: string,
    history: MessageDto[],
    nextCursor: string | null = null,
  ) {
    store.open(conversationId);
    http
      .expectOne(
        (req) => req.url === `/api/conversations/${conversationId}/messages`,
      )
      .flush(page(history, nextCursor));
  }

  afterEach(() => http.verify());

  /**
   * The tab's visibility as the test sets it (jsdom's own says visible): `show` changes it as the
   * browser does, with a `visibilitychange`; `restore` gives the document its own property back.
   */
  function stubVisibility(initial: DocumentVisibilityState) {
    let state = initial;
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => state,
    });
    return {
      show(next: DocumentVisibilityState) {
        state = next;
        document.dispatchEvent(new Event('visibilitychange'));
      },
      restore() {
        delete (document as { visibilityState?: unknown }).visibilityState;
      },
    };
  }

  it('connects the socket with the session token', () => {
    setUp();
    expect(realtime.connectedWith).toBe(signedIn.accessToken);
  });

  it('lists conversations newest activity first, named after the other person or the Instagram contact', () => {
    setUp();
    expect(
      store
        .conversationItems()
        .map((item) => [item.title, item.preview, item.kind]),
    ).toEqual([
      ['Alan Turing', 'Ping', 'local'],
      ['Cleo Customer', 'Do you ship to Lisbon?', 'instagram'],
      ['Grace Hopper', 'You: See you at 3', 'local'],
    ]);
  });

  it('counts a live message in a closed conversation as unread and moves it to the top', () => {
    setUp();
    realtime.messageNew$.next(
      message(
        'm-1',
        'c-grace',
        grace.id,
        'Running late',
        '2026-11-20T13:00:00.000Z',
      ),
    );

    const [top] = store.conversationItems();
    expect(top).toMatchObject({
      id: 'c-grace',
      preview: 'Running late',
      unreadCount: 1,
    });
    expect(store.announcement()).toBe(
      'New message from Grace Hopper: Running late',
    );
  });

  it('does not count a message twice when conversation:updated already carried it', () => {
    setUp();
    const incoming = message(
      'm-1',
      'c-grace',
      grace.id,
      'Running late',
      '2026-11-20T13:00:00.000Z',
    );
    realtime.conversationUpdated$.next({
      ...withGrace,
      lastMessage: {
        text: incoming.text,
        senderUserId: grace.id,
        createdAt: incoming.createdAt,
      },
      lastMessageAt: incoming.createdAt,
      unreadCount: 1,
    });
    realtime.messageNew$.next(incoming);

    expect(
      store.conversationItems().find((item) => item.id === 'c-grace')
        ?.unreadCount,
    ).toBe(1);
  });

  it('keeps the newer conversation when an older conversation:updated arrives late', () => {
    setUp();
    const first = message(
      'm-1',
      'c-grace',
      grace.id,
      'First',
      '2026-11-20T13:00:00.000Z',
    );
    const second = message(
      'm-2',
      'c-grace',
      grace.id,
      'Second',
      '2026-11-20T13:00:01.000Z',
    );
    const snapshotAfter = (
      latest: MessageDto,
      unreadCount: number,
    ): ConversationDto => ({
      ...withGrace,
      lastMessage: {
        text: latest.text,
        senderUserId: grace.id,
        createdAt: latest.createdAt,
      },
      lastMessageAt: latest.createdAt,
      unreadCount,
      updatedAt: latest.createdAt,
    });

    // Two sends finished close together; the server's updates reach this tab in reverse order.
    realtime.conversationUpdated$.next(snapshotAfter(second, 2));
    realtime.conversationUpdated$.next(snapshotAfter(first, 1));

    expect(
      store.conversationItems().find((item) => item.id === 'c-grace'),
    ).toMatchObject({
      preview: 'Second',
      unreadCount: 2,
    });
  });

  it('opening a conversation loads its history oldest first, far enough back for its unread messages, and marks it read', () => {
    setUp();
    store.open('c-ig');
    http.expectOne('/api/conversations/c-ig/read').flush({});
    http
      .expectOne(
        (req) =>
          req.url === '/api/conversations/c-ig/messages' &&
          req.params.get('limit') === '100',
      )
      .flush(
        page([
          message('m-1', 'c-ig', null, 'Hi!', '2026-11-20T10:59:00.000Z'),
          message(
            'm-2',
            'c-ig',
            null,
            'Do you ship to Lisbon?',
            '2026-11-20T11:00:00.000Z',
          ),
        ]),
      );

    expect(
      store
        .activeTimeline()
        .map((entry) => [entry.text, entry.senderName, entry.isMine]),
    ).toEqual([
      ['Hi!', 'Cleo Customer', false],
      ['Do you ship to Lisbon?', 'Cleo Customer', false],
    ]);
    expect(
      store.conversationItems().find((item) => item.id === 'c-ig')?.unreadCount,
    ).toBe(0);
    // The divider stays where the unread messages began, though they are now read.
    expect(store.activeFirstUnreadId()).toBe('m-1');
  });

  it('marks a live message in the open conversation read instead of counting it', () => {
    setUp();
    openWithHistory('c-grace', []);
    realtime.messageNew$.next(
      message(
        'm-9',
        'c-grace',
        grace.id,
        'Are you there?',
        '2026-11-20T13:00:00.000Z',
      ),
    );

    http.expectOne('/api/conversations/c-grace/read').flush({});
    expect(store.activeTimeline().map((entry) => entry.text)).toEqual([
      'Are you there?',
    ]);
    expect(
      store.conversationItems().find((item) => item.id === 'c-grace')
        ?.unreadCount,
    ).toBe(0);
    // Seen as it came: no "New messages" divider above it.
    expect(store.activeFirstUnreadId()).toBeNull();
  });

  it('shows my messages read once the other person’s receipt comes, and not for a receipt in my own name', () => {
    setUp();
    const mine = [
      message('m-1', 'c-alan', me.id, 'Lunch?', '2026-11-20T11:00:00.000Z'),
      message('m-2', 'c-alan', me.id, 'At noon', '2026-11-20T11:30:00.000Z'),
    ];
    openWithHistory('c-alan', mine);
    const statuses = () =>
      store.activeTimeline().map((entry) => [entry.key, entry.status]);

    realtime.messageRead$.next({
      conversationId: 'c-alan',
      userId: me.id,
      readAt: '2026-11-20T12:00:00.000Z',
    });
    expect(statuses()).toEqual([
      ['m-1', 'sent'],
      ['m-2', 'sent'],
    ]);
    // Nor does one in my name read anything for me: what I read comes as conversation:updated.
    realtime.messageRead$.next({
      conversationId: 'c-ig',
      userId: me.id,
      readAt: '2026-11-20T12:00:00.000Z',
    });
    expect(
      store.conversationItems().find((item) => item.id === 'c-ig')?.unreadCount,
    ).toBe(2);

    realtime.messageRead$.next({
      conversationId: 'c-alan',
      userId: alan.id,
      readAt: '2026-11-20T11:00:00.000Z',
    });
    expect(statuses()).toEqual([
      ['m-1', 'read'],
      ['m-2', 'sent'],
    ]);
  });

  it('counts a live message in the open conversation as unread while the tab is hidden, and reads it once the tab is shown', () => {
    // Grace's conversation, read up to her last message (no divider when opened).
    const seen = message(
      'm-1',
      'c-grace',
      grace.id,
      'Lunch?',
      '2026-11-20T08:00:00.000Z',
    );
    setUp([graceRead, withAlan, fromInstagram]);
    openWithHistory('c-grace', [seen]);
    expect(store.activeFirstUnreadId()).toBeNull();
    const tab = stubVisibility('hidden');
    // The conversation as held (the list shows no badge on the open one).
    const unread = () => store.activeConversation()?.unreadCount;
    const elsewhere = store.unreadTotal();
    try {
      realtime.messageNew$.next(
        message(
          'm-9',
          'c-grace',
          grace.id,
          'Are you there?',
          '2026-11-20T13:00:00.000Z',
        ),
      );

      http.expectNone('/api/conversations/c-grace/read');
      expect(store.activeTimeline().map((entry) => entry.text)).toEqual([
        'Lunch?',
        'Are you there?',
      ]);
      expect(unread()).toBe(1);
      // The hidden tab's title counts it.
      expect(store.unreadTotal()).toBe(elsewhere + 1);
      expect(store.activeFirstUnreadId()).toBeNull();

      tab.show('visible');

      http.expectOne('/api/conversations/c-grace/read').flush({});
      expect(unread()).toBe(0);
      expect(store.unreadTotal()).toBe(elsewhere);
      // Shown again, it sits under the "New messages" divider, as if the conversation were opened now.
      expect(store.activeFirstUnreadId()).toBe('m-9');

      // Seen as it comes, the next one leaves the divider where it is.
      realtime.messageNew$.next(
        message(
          'm-10',
          'c-grace',
          grace.id,
          'Ah, there you are',
          '2026-11-20T13:01:00.000Z',
        ),
      );
      http.expectOne('/api/conversations/c-grace/read').flush({});
      expect(store.activeFirstUnreadId()).toBe('m-9');
    } finally {
      tab.restore();
    }
  });

  it('keeps a message read as it came read when its own conversation:updated, made before the read landed, arrives with the tab hidden', () => {
    setUp([graceRead, withAlan, fromInstagram]);
    openWithHistory('c-grace', []);
    const elsewhere = store.unreadTotal();
    const tab = stubVisibility('visible');
    try {
      const at = '2026-11-20T13:00:00.000Z';
      realtime.messageNew$.next(
        message('m-9', 'c-grace', grace.id, 'Are you there?', at),
      );
      const read = http.expectOne('/api/conversations/c-grace/read');
      tab.show('hidden');

      // The server stored the message before the read: its copy still counts it.
      realtime.conversationUpdated$.next({
        ...graceRead,
        lastMessage: {
          text: 'Are you there?',
          senderUserId: grace.id,
          createdAt: at,
        },
        lastMessageAt: at,
        unreadCount: 1,
        updatedAt: at,
      });

      expect(store.activeConversation()?.unreadCount).toBe(0);
      expect(store.unreadTotal()).toBe(elsewhere);
      read.flush({
        conversationId: 'c-grace',
        userId: me.id,
        readAt: '2026-11-20T13:00:01.000Z',
      });
      http.expectNone('/api/conversations/c-grace/read');
      tab.show('visible');
      http.expectNone('/api/conversations/c-grace/read');
      expect(store.activeFirstUnreadId()).toBeNull();
    } finally {
      tab.restore();
    }
  });

  it('keeps the opening divider when the first catch-up still counts the conversation unread', () => {
    setUp();
    openWithHistory('c-ig', cleoHistory);
    const read = http.expectOne('/api/conversations/c-ig/read');
    expect(store.activeFirstUnreadId()).toBe('m-2');

    // The socket joins; the list's catch-up answers before the read has landed.
    realtime.connected$.next({ isReconnect: false });
    http
      .expectOne((req) => req.url === '/api/conversations')
      .flush([fromInstagram]);
    http
      .expectOne((req) => req.url === '/api/conversations/c-ig/messages')
      .flush(page([]));
    read.flush({});
    http
      .match('/api/conversations/c-ig/read')
      .forEach((again) => again.flush({}));

    expect(store.activeFirstUnreadId()).toBe('m-2');
  });

  it('keeps the divider where the conversation opened as new messages arrive', () => {
    setUp();
    openWithHistory('c-ig', cleoHistory);
    http.expectOne('/api/conversations/c-ig/read').flush({});
    expect(store.activeFirstUnreadId()).toBe('m-2');

    realtime.messageNew$.next(
      message('m-4', 'c-ig', null, 'Or Porto?', '2026-11-20T11:05:00.000Z'),
    );
    http.expectOne('/api/conversations/c-ig/read').flush({});
    expect(store.activeFirstUnreadId()).toBe('m-2');
  });

  it('drops a message the server removed (an echo merged into the reply) from its thread, and only that one', () => {
    setUp();
    const reply = message(
      'm-reply',
      'c-ig',
      me.id,
      'Pick-up at noon',
      '2026-11-20T13:00:00.000Z',
    );
    const echo = message(
      'm-echo',
      'c-ig',
      null,
      'Pick-up at noon.',
      '2026-11-20T13:00:01.000Z',
      { isFromInstagram: false },
    );
    openWithHistory('c-ig', [reply, echo]);
    http.expectOne('/api/conversations/c-ig/read').flush({});
    expect(store.activeTimeline().map((entry) => entry.text)).toEqual([
      'Pick-up at noon',
      'Pick-up at noon.',
    ]);

    // An id from another conversation leaves this thread alone.
    realtime.messageRemoved$.next({
      conversationId: 'c-grace',
      messageId: 'm-echo',
    });
    expect(store.activeTimeline()).toHaveLength(2);

    realtime.messageRemoved$.next({
      conversationId: 'c-ig',
      messageId: 'm-echo',
    });
    expect(store.activeTimeline().map((entry) => entry.text)).toEqual([
      'Pick-up at noon',
    ]);
  });

  it('marks the open conversation read again when a message arrives after the request in flight was stamped', () => {
    setUp();
    openWithHistory('c-grace', []);
    realtime.messageNew$.next(
      message('m-1', 'c-grace', grace.id, 'One', '2026-11-20T13:00:00.000Z'),
    );
    const firstRead = http.expectOne('/api/conversations/c-grace/read');
    realtime.messageNew$.next(
      message('m-2', 'c-grace', grace.id, 'Two', '2026-11-20T13:00:05.000Z'),
    );
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

  it('does not mark read again, once the request in flight ends, what came while the tab was hidden', () => {
    setUp();
    openWithHistory('c-grace', []);
    const tab = stubVisibility('visible');
    const elsewhere = store.unreadTotal();
    try {
      realtime.messageNew$.next(
        message('m-1', 'c-grace', grace.id, 'One', '2026-11-20T13:00:00.000Z'),
      );
      const firstRead = http.expectOne('/api/conversations/c-grace/read');
      realtime.messageNew$.next(
        message('m-2', 'c-grace', grace.id, 'Two', '2026-11-20T13:00:05.000Z'),
      );
      tab.show('hidden');
      realtime.messageNew$.next(
        message(
          'm-3',
          'c-grace',
          grace.id,
          'Three',
          '2026-11-20T13:00:09.000Z',
        ),
      );

      firstRead.flush({
        conversationId: 'c-grace',
        userId: me.id,
        readAt: '2026-11-20T13:00:02.000Z',
      });

      // The repeat asked for by "Two" would mark "Three" read too: it waits for the tab.
      http.expectNone('/api/conversations/c-grace/read');
      expect(store.unreadTotal()).toBe(elsewhere + 1);
      tab.show('visible');
      http.expectOne('/api/conversations/c-grace/read').flush({
        conversationId: 'c-grace',
        userId: me.id,
        readAt: '2026-11-20T13:00:10.000Z',
      });
      expect(store.unreadTotal()).toBe(elsewhere);
    } finally {
      tab.restore();
    }
  });

  it('does not mark read again for news the request in flight already covered', () => {
    setUp();
    openWithHistory('c-grace', []);
    const incoming = message(
      'm-1',
      'c-grace',
      grace.id,
      'One',
      '2026-11-20T13:00:00.000Z',
    );
    realtime.messageNew$.next(incoming);
    const read = http.expectOne('/api/conversations/c-grace/read');
    // The server's list update for the same message, sent before it saw the read.
    realtime.conversationUpdated$.next({
      ...withGrace,
      lastMessage: {
        text: incoming.text,
        senderUserId: grace.id,
        createdAt: incoming.createdAt,
      },
      lastMessageAt: incoming.createdAt,
      unreadCount: 1,
      updatedAt: incoming.createdAt,
    });

    read.flush({
      conversationId: 'c-grace',
      userId: me.id,
      readAt: '2026-11-20T13:00:01.000Z',
    });

    http.expectNone('/api/conversations/c-grace/read');
  });

  it('shows a sent message as pending, then as the server stored it', () => {
    setUp();
    openWithHistory('c-grace', []);
    store.send('  Hello Grace  ');

    expect(store.activeTimeline()).toEqual([
      expect.objectContaining({
        text: 'Hello Grace',
        status: 'pending',
        isMine: true,
      }),
    ]);
    const request = http.expectOne('/api/conversations/c-grace/messages');
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toEqual({
      text: 'Hello Grace',
      clientMessageId: expect.stringMatching(UUID),
    });
    request.flush(
      message(
        'm-10',
        'c-grace',
        me.id,
        'Hello Grace',
        '2026-11-20T13:00:00.000Z',
        { clientMessageId: request.request.body.clientMessageId },
      ),
    );

    expect(store.activeTimeline()).toEqual([
      expect.objectContaining({ key: 'm-10', status: 'sent' }),
    ]);
    expect(store.conversationItems()[0]).toMatchObject({
      id: 'c-grace',
      preview: 'You: Hello Grace',
    });
  });

  it('shows a message once when the socket echoes it before the POST answers', () => {
    setUp();
    openWithHistory('c-grace', []);
    store.send('Hello Grace');
    const post = http.expectOne('/api/conversations/c-grace/messages');
    const stored = message(
      'm-10',
      'c-grace',
      me.id,
      'Hello Grace',
      '2026-11-20T13:00:00.000Z',
      { clientMessageId: post.request.body.clientMessageId },
    );

    realtime.messageNew$.next(stored);
    expect(store.activeTimeline().map((entry) => entry.key)).toEqual(['m-10']);
    post.flush(stored);

    expect(store.activeTimeline().map((entry) => entry.key)).toEqual(['m-10']);
  });

  it('keeps its pending bubble when another tab’s message with the same words is echoed, and shows its own failure', () => {
    setUp();
    openWithHistory('c-grace', []);
    store.send('On my way');
    const post = http.expectOne('/api/conversations/c-grace/messages');

    realtime.messageNew$.next(
      message(
        'm-20',
        'c-grace',
        me.id,
        'On my way',
        '2026-11-20T13:00:00.000Z',
        { clientMessageId: crypto.randomUUID() },
      ),
    );
    expect(
      store.activeTimeline().map((entry) => [entry.key, entry.status]),
    ).toEqual([
      ['m-20', 'sent'],
      [`pending:${post.request.body.clientMessageId}`, 'pending'],
    ]);

    post.flush(
      { statusCode: 0, error: 'x', message: 'x' },
      { status: 0, statusText: 'Unknown Error' },
    );
    expect(store.activeTimeline().map((entry) => entry.status)).toEqual([
      'sent',
      'failed',
    ]);
  });

  it('ignores the echo of a message sent without a clientMessageId when settling its pending bubble', () => {
    setUp();
    openWithHistory('c-grace', []);
    store.send('On my way');
    const post = http.expectOne('/api/conversations/c-grace/messages');

    realtime.messageNew$.next(
      message(
        'm-21',
        'c-grace',
        me.id,
        'On my way',
        '2026-11-20T13:00:00.000Z',
        { clientMessageId: null },
      ),
    );

    expect(store.activeTimeline().map((entry) => entry.status)).toEqual([
      'sent',
      'pending',
    ]);
    post.flush(
      message(
        'm-22',
        'c-grace',
        me.id,
        'On my way',
        '2026-11-20T13:00:01.000Z',
        { clientMessageId: post.request.body.clientMessageId },
      ),
    );
    expect(store.activeTimeline().map((entry) => entry.key)).toEqual([
      'm-21',
      'm-22',
    ]);
  });

  it('puts what the open conversation missed while the connection was down under the divider, and reads it', () => {
    setUp([graceRead, withAlan, fromInstagram]);
    openWithHistory('c-grace', [
      message(
        'm-1',
        'c-grace',
        grace.id,
        'Before the outage',
        '2026-11-20T08:00:00.000Z',
      ),
    ]);
    expect(store.activeFirstUnreadId()).toBeNull();

    realtime.connected$.next({ isReconnect: true });
    http
      .expectOne((req) => req.url === '/api/conversations')
      .flush([
        {
          ...graceRead,
          lastMessageAt: '2026-11-20T14:00:00.000Z',
          updatedAt: '2026-11-20T14:00:00.000Z',
          unreadCount: 1,
        },
      ]);
    http.expectOne('/api/conversations/c-grace/read').flush({});
    http
      .expectOne((req) => req.url === '/api/conversations/c-grace/messages')
      .flush(
        page([
          message(
            'm-2',
            'c-grace',
            grace.id,
            'During the outage',
            '2026-11-20T14:00:00.000Z',
          ),
        ]),
      );

    expect(store.activeFirstUnreadId()).toBe('m-2');
    expect(store.activeConversation()?.unreadCount).toBe(0);
  });

  it('puts no divider above a message the person saw arrive, though the catch-up still counts it unread', () => {
    setUp([graceRead, withAlan, fromInstagram]);
    openWithHistory('c-grace', []);
    const seen = message(
      'm-9',
      'c-grace',
      grace.id,
      'Are you there?',
      '2026-11-20T13:00:00.000Z',
    );
    realtime.messageNew$.next(seen);
    // Read on screen; the request has not landed when the connection drops and comes back.
    const read = http.expectOne('/api/conversations/c-grace/read');

    realtime.connected$.next({ isReconnect: true });
    http
      .expectOne((req) => req.url === '/api/conversations')
      .flush([
        {
          ...graceRead,
          lastMessageAt: seen.createdAt,
          updatedAt: seen.createdAt,
          unreadCount: 1,
        },
      ]);
    http
      .expectOne((req) => req.url === '/api/conversations/c-grace/messages')
      .flush(page([seen]));
    read.flush({ readAt: seen.createdAt });
    http
      .match('/api/conversations/c-grace/read')
      .forEach((again) => again.flush({ readAt: seen.createdAt }));

    expect(store.activeFirstUnreadId()).toBeNull();
  });

  it('catches up after a reconnect with only what changed and what the open conversation missed', () => {
    setUp();
    const seen = message(
      'm-1',
      'c-grace',
      grace.id,
      'Before the outage',
      '2026-11-20T09:00:00.000Z',
    );
    openWithHistory('c-grace', [seen]);

    realtime.connected$.next({ isReconnect: true });
    const listRequest = http.expectOne(
      (req) => req.url === '/api/conversations',
    );
    // The newest updatedAt held (11:00), less the catch-up's overlap.
    expect(listRequest.request.params.get('updatedSince')).toBe(
      '2026-11-20T10:59:50.000Z',
    );
    listRequest.flush([
      {
        ...withGrace,
        lastMessage: {
          text: 'During the outage',
          senderUserId: grace.id,
          createdAt: '2026-11-20T14:00:00.000Z',
        },
        lastMessageAt: '2026-11-20T14:00:00.000Z',
        updatedAt: '2026-11-20T14:00:00.000Z',
      },
    ]);

    const firstPage = http.expectOne(
      (req) => req.url === '/api/conversations/c-grace/messages',
    );
    expect(firstPage.request.params.get('after')).toBe('m-1');
    expect(firstPage.request.params.get('before')).toBeNull();
    firstPage.flush(
      page(
        [
          message(
            'm-2',
            'c-grace',
            grace.id,
            'During the outage',
            '2026-11-20T14:00:00.000Z',
          ),
        ],
        'cursor-2',
      ),
    );
    const secondPage = http.expectOne(
      (req) => req.url === '/api/conversations/c-grace/messages',
    );
    expect(secondPage.request.params.get('after')).toBe('m-1');
    expect(secondPage.request.params.get('before')).toBe('cursor-2');
    secondPage.flush(
      page([
        message(
          'm-1b',
          'c-grace',
          grace.id,
          'Also missed',
          '2026-11-20T13:00:00.000Z',
        ),
      ]),
    );

    expect(store.activeTimeline().map((entry) => entry.text)).toEqual([
      'Before the outage',
      'Also missed',
      'During the outage',
    ]);
    expect(store.conversationItems().map((item) => item.id)).toEqual([
      'c-grace',
      'c-alan',
      'c-ig',
    ]);
  });

  it('looks again once the first load lands when the socket connected while it was running', () => {
    createStore();

    realtime.connected$.next({ isReconnect: false });
    http.expectOne('/api/conversations').flush([withGrace]);
    const recheck = http.expectOne((req) => req.url === '/api/conversations');
    // Its updatedAt (10:00), less the catch-up's overlap.
    expect(recheck.request.params.get('updatedSince')).toBe(
      '2026-11-20T09:59:50.000Z',
    );
    recheck.flush([]);
  });

  it('looks again for a conversation opened by its address that was not there last time', () => {
    setUp();
    const notFound = [
      {
        statusCode: 404,
        error: 'Not Found',
        message: 'Conversation not found',
      },
      { status: 404, statusText: 'Not Found' },
    ] as const;
    const openByAddress = () => {
      store.open('c-new');
      http.expectOne('/api/conversations/c-new').flush(...notFound);
      return http.expectOne(
        (req) => req.url === '/api/conversations/c-new/messages',
      );
    };
    openByAddress().flush(...notFound);
    expect(store.activeThread()?.status).toBe('missing');
    store.open(null);

    openByAddress().flush(page([]));
    expect(store.activeThread()?.status).toBe('ready');
  });

  it('fetches a conversation it has never seen when a message arrives in it', () => {
    setUp([]);
    realtime.messageNew$.next(
      message(
        'm-1',
        'c-new',
        grace.id,
        'Hi, new here',
        '2026-11-20T13:00:00.000Z',
      ),
    );

    http.expectOne('/api/conversations/c-new').flush(
      localConversation('c-new', grace, {
        lastMessage: {
          text: 'Hi, new here',
          senderUserId: grace.id,
          createdAt: '2026-11-20T13:00:00.000Z',
        },
        unreadCount: 1,
      }),
    );
    expect(store.conversationItems()).toEqual([
      expect.objectContaining({ title: 'Grace Hopper', unreadCount: 1 }),
    ]);
  });

  describe('typing', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('shows who is typing in the open conversation until they stop or go quiet', () => {
      setUp();
      openWithHistory('c-grace', []);
      realtime.typing$.next({
        conversationId: 'c-grace',
        userId: grace.id,
        isTyping: true,
      });
      realtime.typing$.next({
        conversationId: 'c-grace',
        userId: me.id,
        isTyping: true,
      });
      expect(store.activeTypingNames()).toEqual(['Grace Hopper']);

      jest.advanceTimersByTime(6_000);
      expect(store.activeTypingNames()).toEqual([]);
    });

    it('tells the other side once per burst of keystrokes and again when idle', () => {
      setUp();
      openWithHistory('c-grace', []);
      store.noteTyping();
      store.noteTyping();
      store.noteTyping();
      expect(realtime.typingSent).toEqual([
        { conversationId: 'c-grace', isTyping: true },
      ]);

      jest.advanceTimersByTime(3_000);
      expect(realtime.typingSent).toEqual([
        { conversationId: 'c-grace', isTyping: true },
        { conversationId: 'c-grace', isTyping: false },
      ]);
    });
  });

  it('disconnects the socket when the inbox goes away', () => {
    setUp();
    TestBed.resetTestingModule();
    expect(realtime.connectedWith).toBeNull();
  });

  it('keeps a draft with its conversation: switching never carries it over, sending clears it', () => {
    setUp();
    openWithHistory('c-grace', []);
    store.saveDraft('Only for Grace');
    openWithHistory('c-alan', []);
    expect(store.activeDraft()).toBe('');

    store.open('c-grace');
    expect(store.activeDraft()).toBe('Only for Grace');
    store.send('Only for Grace');
    http.expectOne('/api/conversations/c-grace/messages');
    expect(store.activeDraft()).toBe('');
    expect(draftStorage.length).toBe(0);
  });

  it('sends again what failed while offline once the connection is back, with the same clientMessageId', () => {
    setUp();
    openWithHistory('c-grace', []);
    store.send('Written in the tunnel');
    const offline = http.expectOne('/api/conversations/c-grace/messages');
    const { clientMessageId } = offline.request.body;
    offline.flush(null, { status: 0, statusText: 'Unknown Error' });
    expect(store.activeTimeline()[0].status).toBe('failed');

    realtime.connected$.next({ isReconnect: true });

    const again = http.expectOne(
      (req) =>
        req.method === 'POST' &&
        req.url === '/api/conversations/c-grace/messages',
    );
    expect(again.request.body.clientMessageId).toBe(clientMessageId);
    expect(store.activeTimeline()[0].status).toBe('pending');
    again.flush(
      message(
        'm-1',
        'c-grace',
        me.id,
        'Written in the tunnel',
        '2026-11-20T13:00:00.000Z',
        { clientMessageId },
      ),
    );
    http.expectOne((req) => req.url === '/api/conversations').flush([]);
    http
      .expectOne(
        (req) =>
          req.method === 'GET' &&
          req.url === '/api/conversations/c-grace/messages',
      )
      .flush(page([]));
    expect(store.activeTimeline().map((entry) => entry.key)).toEqual(['m-1']);
  });

  it('counts unread messages outside the open conversation', () => {
    setUp();
    expect(store.unreadTotal()).toBe(2);
    openWithHistory('c-ig', []);
    http.expectOne('/api/conversations/c-ig/read').flush({});
    expect(store.unreadTotal()).toBe(0);
  });

  describe('a draft thread with someone new', () => {
    const newcomer = {
      id: 'u-nia',
      email: 'nia@example.com',
      displayName: 'Nia Newcomer',
      createdAt: '2026-11-20T08:00:00.000Z',
    };

    it('finds the conversation the person already has instead of starting a draft', () => {
      setUp();
      expect(store.conversationWith(grace.id)?.id).toBe('c-grace');
      expect(store.conversationWith(newcomer.id)).toBeUndefined();
    });

    it('creates nothing until the first message, which opens the conversation and lands in the list', () => {
      setUp();
      store.beginDraftWith(newcomer);
      store.saveDraftRecipientText('Welcome!');
      expect(store.draftRecipientText()).toBe('Welcome!');
      http.expectNone('/api/conversations');

      let opened: ConversationDto | undefined;
      store.sendFirstMessage('Welcome!').subscribe((c) => (opened = c));
      const request = http.expectOne('/api/conversations/messages');
      expect(request.request.method).toBe('POST');
      expect(request.request.body).toEqual({
        participantId: newcomer.id,
        text: 'Welcome!',
        clientMessageId: expect.stringMatching(UUID),
      });
      const created = localConversation('c-nia', newcomer, {
        lastMessageAt: '2026-11-20T13:00:00.000Z',
      });
      request.flush({
        conversation: created,
        message: message(
          'm-nia',
          'c-nia',
          me.id,
          'Welcome!',
          '2026-11-20T13:00:00.000Z',
        ),
      });

      expect(opened?.id).toBe('c-nia');
      expect(store.conversationItems()[0].id).toBe('c-nia');
      expect(store.draftRecipient()).toBeNull();
      store.beginDraftWith(newcomer);
      expect(store.draftRecipientText()).toBe('');
    });

    it('retries a failed first message under the same clientMessageId, so it is stored once', () => {
      setUp();
      store.beginDraftWith(newcomer);
      store.sendFirstMessage('Hello?').subscribe({ error: () => undefined });
      const first = http.expectOne('/api/conversations/messages');
      first.flush(null, { status: 503, statusText: 'Service Unavailable' });

      store.sendFirstMessage('Hello?').subscribe();
      const retry = http.expectOne('/api/conversations/messages');
      expect(retry.request.body.clientMessageId).toBe(
        first.request.body.clientMessageId,
      );
      retry.flush({
        conversation: localConversation('c-nia', newcomer),
        message: message(
          'm-1',
          'c-nia',
          me.id,
          'Hello?',
          '2026-11-20T13:00:00.000Z',
        ),
      });
    });
  });

  it('filters the list to unread or team (local) conversations', () => {
    setUp();
    const ids = () => store.visibleConversationItems().map((item) => item.id);
    expect(ids()).toEqual(['c-alan', 'c-ig', 'c-grace']);

    store.listFilter.set('unread');
    expect(ids()).toEqual(['c-ig']);

    store.listFilter.set('local');
    expect(ids()).toEqual(['c-alan', 'c-grace']);

    store.listFilter.set('instagram');
    expect(ids()).toEqual(['c-ig']);
  });

  it('adds an account filter live when a second account’s conversation arrives, and falls back to All when it goes', () => {
    const shopOne = { id: '17841400000000001', username: 'shop_one' };
    const shopTwo = { id: '17841400000000002', username: 'shop_two' };
    setUp([
      withGrace,
      instagramConversation('c-ig', { instagramAccount: shopOne }),
    ]);
    const values = () => store.filterOptions().map((option) => option.value);
    expect(values()).toEqual(['all', 'unread', 'local', 'instagram']);

    realtime.conversationUpdated$.next(
      instagramConversation('c-ig2', {
        instagramAccount: shopTwo,
        lastMessageAt: '2026-11-20T13:00:00.000Z',
      }),
    );
    expect(values()).toContain(`account:${shopTwo.id}`);
    expect(
      store.filterOptions().find((o) => o.value === 'instagram')?.count,
    ).toBe(2);
    store.listFilter.set(`account:${shopTwo.id}`);
    expect(store.visibleConversationItems().map((item) => item.id)).toEqual([
      'c-ig2',
    ]);
    expect(store.activeFilter()).toBe(`account:${shopTwo.id}`);

    store.listFilter.set('account:17841400000000009');
    expect(store.activeFilter()).toBe('all');
  });
});
