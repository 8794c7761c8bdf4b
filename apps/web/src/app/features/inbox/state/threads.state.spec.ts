import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { MessageDto, Page } from '@instantchat/contracts';
import { grace, me, message } from '../../../../testing/fixtures';
import { ThreadsState } from './threads.state';

describe('ThreadsState', () => {
  let threads: ThreadsState;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ThreadsState,
      ],
    });
    http = TestBed.inject(HttpTestingController);
    threads = TestBed.inject(ThreadsState);
  });

  afterEach(() => http.verify());

  /** The API answers newest first. */
  function page(
    items: MessageDto[],
    nextCursor: string | null = null,
  ): Page<MessageDto> {
    return { items: [...items].reverse(), nextCursor };
  }

  const newer = message(
    'm-5',
    'c-grace',
    grace.id,
    'Newer',
    '2026-11-20T09:00:00.000Z',
  );
  const older = message(
    'm-4',
    'c-grace',
    grace.id,
    'Older',
    '2026-11-19T09:00:00.000Z',
  );

  const texts = () =>
    threads.get('c-grace')?.messages.map((entry) => entry.text);

  it('loads older messages with the cursor and puts them above', () => {
    threads.loadFirstPage('c-grace');
    http
      .expectOne('/api/conversations/c-grace/messages')
      .flush(page([newer], 'cursor-1'));

    threads.loadOlder('c-grace');
    expect(threads.get('c-grace')?.loadingOlder).toBe(true);
    const request = http.expectOne(
      (req) => req.url === '/api/conversations/c-grace/messages',
    );
    expect(request.request.params.get('before')).toBe('cursor-1');
    request.flush(page([older], null));

    expect(texts()).toEqual(['Older', 'Newer']);
    expect(threads.get('c-grace')?.nextCursor).toBeNull();
  });

  it('catches up from the newest page when the message it would ask after was deleted meanwhile', () => {
    threads.loadFirstPage('c-grace');
    http
      .expectOne('/api/conversations/c-grace/messages')
      .flush(page([older, newer]));
    const caught: MessageDto[][] = [];
    threads.catchUp('c-grace').subscribe((messages) => caught.push(messages));

    const after = http.expectOne(
      (req) => req.url === '/api/conversations/c-grace/messages',
    );
    expect(after.request.params.get('after')).toBe('m-4');
    after.flush(
      {
        statusCode: 400,
        error: 'Bad Request',
        message: 'after must be the id of a message in this conversation',
      },
      { status: 400, statusText: 'Bad Request' },
    );
    const newest = http.expectOne(
      (req) => req.url === '/api/conversations/c-grace/messages',
    );
    expect(newest.request.params.get('after')).toBeNull();
    const missed = message(
      'm-6',
      'c-grace',
      grace.id,
      'Missed',
      '2026-11-20T10:00:00.000Z',
    );
    newest.flush(page([newer, missed]));

    expect(texts()).toEqual(['Older', 'Newer', 'Missed']);
    // As the API answers them, newest first.
    expect(caught.map((found) => found.map((m) => m.id))).toEqual([
      ['m-6', 'm-5'],
    ]);
  });

  it('does not ask for older messages when there are none', () => {
    threads.loadFirstPage('c-grace');
    http.expectOne('/api/conversations/c-grace/messages').flush(page([newer]));

    threads.loadOlder('c-grace');
    http.expectNone((req) => req.url === '/api/conversations/c-grace/messages');
  });

  it('says why a history could not be loaded, and tells a missing conversation apart', () => {
    threads.loadFirstPage('c-grace');
    http
      .expectOne('/api/conversations/c-grace/messages')
      .flush(
        { statusCode: 503, error: 'Service Unavailable', message: 'Try later' },
        { status: 503, statusText: 'Service Unavailable' },
      );
    expect(threads.get('c-grace')).toMatchObject({
      status: 'error',
      error: 'Try later',
    });

    threads.loadFirstPage('c-grace');
    http.expectOne('/api/conversations/c-grace/messages').flush(
      {
        statusCode: 404,
        error: 'Not Found',
        message: 'Conversation not found',
      },
      { status: 404, statusText: 'Not Found' },
    );
    // Trying again cannot help: the page says so instead of offering it.
    expect(threads.get('c-grace')).toMatchObject({
      status: 'missing',
      error: null,
    });
  });

  it('leaves a thread that was never opened alone when a message arrives in it', () => {
    threads.accept(newer);
    expect(threads.get('c-grace')).toBeUndefined();
  });

  it('shows my messages up to the other side’s read time as read', () => {
    const mine = (id: string, at: string) =>
      message(id, 'c-grace', me.id, id, at);
    threads.loadFirstPage('c-grace');
    http
      .expectOne('/api/conversations/c-grace/messages')
      .flush(
        page([
          mine('m-1', '2026-11-20T09:00:00.000Z'),
          mine('m-2', '2026-11-20T09:05:00.000Z'),
        ]),
      );

    threads.applyReadReceipt(
      {
        conversationId: 'c-grace',
        userId: grace.id,
        readAt: '2026-11-20T09:01:00.000Z',
      },
      me.id,
    );

    expect(
      threads.get('c-grace')?.messages.map((entry) => entry.status),
    ).toEqual(['read', 'sent']);
  });
});
