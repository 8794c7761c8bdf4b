import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import {
  type MessageDto,
  RECONNECT_REQUIRED_CODE,
} from '@instantchat/contracts';
import { Subject } from 'rxjs';
import { apiErrorMessage } from '../../../core/api-error';
import { newClientMessageId } from '../data/client-message-id';
import { ConversationsService } from '../data/conversations.service';

export interface PendingMessage {
  /** A UUID made for this message and sent with every attempt, so the server stores it once. */
  clientMessageId: string;
  conversationId: string;
  text: string;
  status: 'pending' | 'failed';
  error: string | null;
  /** The failure was the connection or the server, not the message: worth sending again. */
  retryable: boolean;
  /** Refused because the Instagram account must be connected again (`reconnect_required`). */
  reconnectRequired?: boolean;
  createdAt: string;
}

/**
 * Messages on their way out: shown as pending until the server has stored them, as failed (with
 * the reason) when it could not. Stored messages come out of `delivered$`.
 */
@Injectable()
export class Outbox {
  private readonly api = inject(ConversationsService);
  private readonly destroyRef = inject(DestroyRef);

  private readonly items = signal<PendingMessage[]>([]);

  readonly pending = this.items.asReadonly();
  readonly delivered$ = new Subject<MessageDto>();

  send(conversationId: string, text: string): void {
    const item: PendingMessage = {
      clientMessageId: newClientMessageId(),
      conversationId,
      text,
      status: 'pending',
      error: null,
      retryable: false,
      createdAt: new Date().toISOString(),
    };
    this.items.update((items) => [...items, item]);
    this.deliver(item);
  }

  /**
   * Sends a failed message again under the same clientMessageId: if the first attempt reached the
   * server after all, the server answers with that message instead of storing a second one.
   */
  retry(clientMessageId: string): void {
    const item = this.items().find(
      (candidate) => candidate.clientMessageId === clientMessageId,
    );
    if (!item || item.status !== 'failed') {
      return;
    }
    this.update(clientMessageId, { status: 'pending', error: null });
    this.deliver(item);
  }

  /** Once the connection is back: sends again what failed for want of it. */
  retryFailed(): void {
    this.items()
      .filter((item) => item.status === 'failed' && item.retryable)
      .forEach((item) => this.retry(item.clientMessageId));
  }

  discard(clientMessageId: string): void {
    this.items.update((items) =>
      items.filter((item) => item.clientMessageId !== clientMessageId),
    );
  }

  /**
   * The socket can beat the POST's response: the stored message replaces its pending bubble. Only
   * the bubble sent with the same clientMessageId: the same words from another tab are another
   * message, and must not hide this one's outcome. A failed bubble whose message turns up was
   * stored after all.
   */
  settle(message: MessageDto): void {
    const { clientMessageId } = message;
    if (
      clientMessageId &&
      this.items().some((item) => item.clientMessageId === clientMessageId)
    ) {
      this.discard(clientMessageId);
    }
  }

  private deliver(item: PendingMessage): void {
    this.api
      .send(item.conversationId, item.text, item.clientMessageId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (message) => {
          this.discard(item.clientMessageId);
          this.delivered$.next(message);
        },
        error: (error: unknown) =>
          this.update(item.clientMessageId, {
            status: 'failed',
            error: apiErrorMessage(error, 'Not sent.'),
            retryable: isConnectionFailure(error),
            reconnectRequired: needsReconnect(error),
          }),
      });
  }

  private update(clientMessageId: string, patch: Partial<PendingMessage>) {
    this.items.update((items) =>
      items.map((item) =>
        item.clientMessageId === clientMessageId ? { ...item, ...patch } : item,
      ),
    );
  }
}

/** Unreachable, timed out, throttled or failing server: the same request may succeed later. */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof HttpErrorResponse)) {
    return false;
  }
  return (
    error.status === 0 ||
    error.status === 408 ||
    error.status === 429 ||
    error.status >= 500
  );
}

/** The API refused the message because its Instagram account must be connected again. */
function needsReconnect(error: unknown): boolean {
  return (
    error instanceof HttpErrorResponse &&
    (error.error as { code?: unknown } | null)?.code === RECONNECT_REQUIRED_CODE
  );
}
