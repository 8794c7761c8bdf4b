import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import {
  grace,
  localConversation,
  message,
} from '../../../../testing/fixtures';
import { SearchState } from './search.state';

describe('SearchState', () => {
  let search: SearchState;
  let http: HttpTestingController;

  beforeEach(() => {
    jest.useFakeTimers();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), SearchState],
    });
    search = TestBed.inject(SearchState);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
    jest.useRealTimers();
  });

  const conversationSearch = (q: string) =>
    http.expectOne(
      (req) =>
        req.url === '/api/conversations' && req.params.get('search') === q,
    );
  const messageSearch = (q: string) =>
    http.expectOne(
      (req) => req.url === '/api/messages/search' && req.params.get('q') === q,
    );

  it('asks for conversations and messages once the person pauses, the latest query only', () => {
    search.search('gr');
    jest.advanceTimersByTime(100);
    search.search('grace');
    jest.advanceTimersByTime(250);

    conversationSearch('grace').flush([localConversation('c-grace', grace)]);
    messageSearch('grace').flush({
      items: [
        message(
          'm-1',
          'c-grace',
          grace.id,
          'Grace here',
          '2026-11-20T10:00:00.000Z',
        ),
      ],
      nextCursor: null,
    });

    expect(search.status()).toBe('ready');
    expect(search.results().conversations.map((c) => c.id)).toEqual([
      'c-grace',
    ]);
    expect(search.results().messages.map((m) => m.id)).toEqual(['m-1']);
  });

  it('sends nothing for fewer than two characters, and clears what was shown', () => {
    search.search('x');
    jest.advanceTimersByTime(300);
    expect(search.status()).toBe('idle');

    search.search('');
    jest.advanceTimersByTime(300);
    expect(search.results()).toEqual({ conversations: [], messages: [] });
  });

  it('says so when the search fails, and recovers on the next query', () => {
    search.search('lisbon');
    jest.advanceTimersByTime(250);
    conversationSearch('lisbon').flush([]);
    messageSearch('lisbon').flush(null, {
      status: 500,
      statusText: 'Server Error',
    });
    expect(search.status()).toBe('error');
    expect(search.error()).toBeTruthy();

    search.search('porto');
    jest.advanceTimersByTime(250);
    conversationSearch('porto').flush([]);
    messageSearch('porto').flush({ items: [], nextCursor: null });
    expect(search.status()).toBe('ready');
  });
});
