import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { MessageDto, ReadReceiptDto } from '@instantchat/contracts';
import { EMPTY, Observable, catchError, map, tap, throwError } from 'rxjs';
import { apiErrorMessage } from '../../../core/api-error';
import type { LoadStatus } from '../../../core/load-status';
import { ConversationsService } from '../data/conversations.service';
import { catchUpAnchor } from './catch-up';

/** A history's load status; `missing`: the API knows no such conversation of the caller's. */
export type ThreadStatus = LoadStatus | 'missing';

export interface Thread {
  /** Oldest first, as the chat window shows them. */
  messages: MessageDto[];
  nextCursor: string | null;
  status: ThreadStatus;
  error: string | null;
  loadingOlder: boolean;
  olderError: string | null;
}

const emptyThread = (): Thread => ({
  messages: [],
  nextCursor: null,
  status: 'loading',
  error: null,
  loadingOlder: false,
  olderError: null,
});

/**
 * The histories opened so far, with their paging and read receipts. A thread not loaded is left
 * alone by live events: it is fetched fresh when opened.
 */
@Injectable()
export class ThreadsState {
  private readonly api = inject(ConversationsService);
  private readonly destroyRef = inject(DestroyRef);

  private readonly threads = signal<Record<string, Thread>>({});

  /** Threads by conversation id. */
  readonly byConversation = this.threads.asReadonly();

  get(conversationId: string): Thread | undefined {
    return this.threads()[conversationId];
  }

  /**
   * Loads the newest page; with `reachesFarEnough`, pages further back until it holds what it
   * must show (the first unread message, a search hit), within the API client's bound.
   */
  loadFirstPage(
    conversationId: string,
    reachesFarEnough?: (newestFirst: MessageDto[]) => boolean,
  ): void {
    this.threads.update((threads) => ({
      ...threads,
      [conversationId]: emptyThread(),
    }));
    (reachesFarEnough
      ? this.api.messagesReaching(conversationId, reachesFarEnough)
      : this.api.messages(conversationId)
    )
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) =>
          this.update(conversationId, (thread) => ({
            ...thread,
            messages: mergeById(thread.messages, page.items),
            nextCursor: page.nextCursor,
            status: 'ready',
          })),
        error: (error: unknown) =>
          this.patch(
            conversationId,
            // Trying again cannot find it: no such conversation, or not the caller's.
            error instanceof HttpErrorResponse && error.status === 404
              ? { status: 'missing', error: null }
              : {
                  status: 'error',
                  error: apiErrorMessage(
                    error,
                    'Could not load this conversation.',
                  ),
                },
          ),
      });
  }

  loadOlder(conversationId: string): void {
    const thread = this.get(conversationId);
    if (!thread?.nextCursor || thread.loadingOlder) {
      return;
    }
    this.patch(conversationId, { loadingOlder: true, olderError: null });
    this.api
      .messages(conversationId, { before: thread.nextCursor })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) =>
          this.update(conversationId, (current) => ({
            ...current,
            messages: mergeById(current.messages, page.items),
            nextCursor: page.nextCursor,
            loadingOlder: false,
          })),
        error: (error: unknown) =>
          this.patch(conversationId, {
            loadingOlder: false,
            olderError: apiErrorMessage(
              error,
              'Could not load older messages.',
            ),
          }),
      });
  }

  /**
   * Fetches what a loaded thread missed (after a reconnect) and merges it; emits the messages
   * found. The thread keeps what it has on failure; the next reconnect or reopen tries again.
   */
  catchUp(conversationId: string): Observable<MessageDto[]> {
    const thread = this.get(conversationId);
    if (thread?.status !== 'ready') {
      return EMPTY;
    }
    // From a little before the newest held (catch-up.ts), so a write stamped just before it is not missed.
    const anchorId = catchUpAnchor(thread.messages);
    const newestPage = () =>
      this.api.messages(conversationId).pipe(map((page) => page.items));
    const missed = anchorId
      ? this.api.messagesAfter(conversationId, anchorId).pipe(
          // The anchor was deleted meanwhile (the API no longer knows it): the newest page instead.
          catchError((error: unknown) =>
            error instanceof HttpErrorResponse && error.status === 400
              ? newestPage()
              : throwError(() => error),
          ),
        )
      : newestPage();
    return missed.pipe(
      tap((messages) =>
        this.update(conversationId, (current) => ({
          ...current,
          messages: mergeById(current.messages, messages),
        })),
      ),
      catchError(() => EMPTY),
    );
  }

  /** Adds or replaces a message in its thread, if that thread is loaded. */
  accept(message: MessageDto): void {
    this.update(message.conversationId, (thread) => ({
      ...thread,
      messages: mergeById(thread.messages, [message]),
    }));
  }

  /** Drops a message the server deleted (a duplicate merged into another), if its thread is loaded. */
  remove(conversationId: string, messageId: string): void {
    this.update(conversationId, (thread) => ({
      ...thread,
      messages: thread.messages.filter((message) => message.id !== messageId),
    }));
  }

  /** The other side read up to `readAt`: my messages until then show as read. */
  applyReadReceipt(receipt: ReadReceiptDto, myId: string | null): void {
    this.update(receipt.conversationId, (thread) => ({
      ...thread,
      messages: thread.messages.map((message) =>
        message.senderUserId === myId &&
        message.createdAt <= receipt.readAt &&
        message.status !== 'failed'
          ? { ...message, status: 'read' }
          : message,
      ),
    }));
  }

  /** Drops every history but the one on screen (the others are fetched fresh when opened). */
  keepOnly(conversationId: string | null): void {
    this.threads.update((threads) =>
      conversationId && threads[conversationId]
        ? { [conversationId]: threads[conversationId] }
        : {},
    );
  }

  private update(
    conversationId: string,
    change: (thread: Thread) => Thread,
  ): void {
    this.threads.update((threads) => {
      const thread = threads[conversationId];
      return thread
        ? { ...threads, [conversationId]: change(thread) }
        : threads;
    });
  }

  private patch(conversationId: string, patch: Partial<Thread>): void {
    this.update(conversationId, (thread) => ({ ...thread, ...patch }));
  }
}

/** Adds or replaces messages by id and keeps the thread oldest-first. */
export function mergeById(
  existing: MessageDto[],
  incoming: MessageDto[],
): MessageDto[] {
  if (incoming.length === 0) {
    return existing;
  }
  const byId = new Map(existing.map((message) => [message.id, message]));
  for (const message of incoming) {
    byId.set(message.id, message);
  }
  return [...byId.values()].sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
}
