import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import {
  Subject,
  catchError,
  debounceTime,
  distinctUntilChanged,
  forkJoin,
  map,
  of,
  switchMap,
} from 'rxjs';
import { apiErrorMessage } from '../../../core/api-error';
import { ConversationsService } from '../data/conversations.service';
import { MessageSearchService } from '../data/message-search.service';

/** Typing pauses this long before the search goes out, so one word is one request. */
const SEARCH_DEBOUNCE_MS = 250;
/** The API searches words of two characters or more. */
const SEARCH_MIN_LENGTH = 2;

export interface SearchResults {
  conversations: ConversationDto[];
  messages: MessageDto[];
}

/**
 * The inbox search: conversations by the people in them and the person's messages by their words,
 * both asked at once as the person types; the latest query wins.
 */
@Injectable()
export class SearchState {
  private readonly conversationsApi = inject(ConversationsService);
  private readonly messagesApi = inject(MessageSearchService);
  private readonly queries = new Subject<string>();

  /** What is typed in the search box; empty when not searching. */
  readonly query = signal('');
  readonly status = signal<'idle' | 'searching' | 'ready' | 'error'>('idle');
  readonly results = signal<SearchResults>({ conversations: [], messages: [] });
  readonly error = signal<string | null>(null);

  constructor() {
    this.queries
      .pipe(
        map((query) => query.trim()),
        debounceTime(SEARCH_DEBOUNCE_MS),
        distinctUntilChanged(),
        switchMap((query) => {
          if (query.length < SEARCH_MIN_LENGTH) {
            return of(null);
          }
          this.status.set('searching');
          return forkJoin({
            conversations: this.conversationsApi.search(query),
            messages: this.messagesApi
              .search(query)
              .pipe(map((page) => page.items)),
          }).pipe(
            catchError((error: unknown) => {
              this.error.set(apiErrorMessage(error, 'Search failed.'));
              return of('failed' as const);
            }),
          );
        }),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((results) => {
        if (results === null) {
          this.status.set('idle');
          this.results.set({ conversations: [], messages: [] });
        } else if (results === 'failed') {
          this.status.set('error');
        } else {
          this.error.set(null);
          this.results.set(results);
          this.status.set('ready');
        }
      });
  }

  search(query: string): void {
    this.query.set(query);
    this.queries.next(query);
  }

  clear(): void {
    this.search('');
  }
}
