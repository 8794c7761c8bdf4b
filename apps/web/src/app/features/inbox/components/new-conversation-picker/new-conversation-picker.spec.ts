import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { UserDto } from '@instantchat/contracts';
import {
  alan,
  grace,
  me,
  memoryStorage,
  session,
} from '../../../../../testing/fixtures';
import { SESSION_STORAGE } from '../../../../core/session/session-storage';
import { NewConversationPicker } from './new-conversation-picker';

describe('NewConversationPicker', () => {
  /** Lets the search's debounce elapse (real timers: Angular's own scheduling needs them). */
  const pastDebounce = () => new Promise((resolve) => setTimeout(resolve, 300));

  async function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: SESSION_STORAGE, useValue: memoryStorage(session()) },
      ],
    });
    const fixture = TestBed.createComponent(NewConversationPicker);
    const element = fixture.nativeElement as HTMLElement;
    const http = TestBed.inject(HttpTestingController);
    const picked: UserDto[] = [];
    fixture.componentInstance.picked.subscribe((user) => picked.push(user));
    const settle = async () => {
      await pastDebounce();
      await fixture.whenStable();
    };
    const search = async (term: string) => {
      const input = element.querySelector(
        '[data-testid="user-search"]',
      ) as HTMLInputElement;
      input.value = term;
      input.dispatchEvent(new Event('input'));
      await settle();
    };
    const answer = async (users: UserDto[]) => {
      http.expectOne((req) => req.url === '/api/users').flush(users);
      await fixture.whenStable();
    };
    fixture.detectChanges();
    await settle();
    return { fixture, element, http, picked, search, answer, settle };
  }

  it('lists people (never the searcher) and emits the one picked', async () => {
    const { element, picked, answer } = await setUp();
    await answer([me, grace, alan]);

    const results = Array.from(
      element.querySelectorAll<HTMLButtonElement>(
        '[data-testid="user-result"]',
      ),
    );
    expect(
      results.map((button) => button.querySelector('.name')?.textContent),
    ).toEqual(['Grace Hopper', 'Alan Turing']);
    results[0].click();
    expect(picked).toEqual([grace]);
  });

  it('searches by what is typed, once typing pauses', async () => {
    const { http, search, answer, element, fixture } = await setUp();
    await answer([grace, alan]);

    await search('gra');
    const request = http.expectOne((req) => req.url === '/api/users');
    expect(request.request.params.get('search')).toBe('gra');
    request.flush([]);
    await fixture.whenStable();
    expect(
      element
        .querySelector('[data-testid="user-search-empty"]')
        ?.textContent?.trim(),
    ).toBe('Nobody matches “gra”.');
  });

  it('says when the search failed and tries again on request', async () => {
    const { http, element, fixture, settle, answer } = await setUp();
    http
      .expectOne((req) => req.url === '/api/users')
      .flush(
        {
          statusCode: 500,
          error: 'Internal Server Error',
          message: 'Internal server error',
        },
        { status: 500, statusText: 'Internal Server Error' },
      );
    await fixture.whenStable();
    const error = element.querySelector('[data-testid="user-search-error"]');
    expect(error?.textContent).toContain('Internal server error');

    (error?.querySelector('button') as HTMLButtonElement).click();
    await settle();
    await answer([grace]);
    expect(
      element.querySelectorAll('[data-testid="user-result"]'),
    ).toHaveLength(1);
  });

  it('closes on Escape', async () => {
    const { fixture, element, answer } = await setUp();
    await answer([]);
    let closed = false;
    fixture.componentInstance.closed.subscribe(() => (closed = true));
    element.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
    );
    expect(closed).toBe(true);
  });
});
