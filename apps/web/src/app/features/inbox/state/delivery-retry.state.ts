import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { apiErrorMessage } from '../../../core/api-error';
import { ConversationsService } from '../data/conversations.service';
import type { RetryProgress } from './timeline';
import { ThreadsState } from './threads.state';

/**
 * Failed replies to Instagram sent again through the API, by the stored message's id. The message
 * itself changes in its thread (the answer, and `message:updated` pending → sent or failed); what
 * is held here is only what the message cannot say: a retry on its way, or why the API refused it
 * (e.g. the messaging window has closed since).
 */
@Injectable()
export class DeliveryRetryState {
  private readonly api = inject(ConversationsService);
  private readonly threads = inject(ThreadsState);
  private readonly destroyRef = inject(DestroyRef);

  private readonly progress = signal<Record<string, RetryProgress>>({});

  /** Retries in flight and refusals, by message id. */
  readonly byMessage = this.progress.asReadonly();

  retry(conversationId: string, messageId: string): void {
    if (this.progress()[messageId]?.retrying) {
      return;
    }
    this.set(messageId, { retrying: true, error: null });
    this.api
      .retryDelivery(conversationId, messageId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (message) => {
          this.threads.accept(message);
          this.clear(messageId);
        },
        error: (error: unknown) =>
          this.set(messageId, {
            retrying: false,
            error: apiErrorMessage(error, 'Could not send it again.'),
          }),
      });
  }

  private set(messageId: string, progress: RetryProgress): void {
    this.progress.update((all) => ({ ...all, [messageId]: progress }));
  }

  private clear(messageId: string): void {
    this.progress.update((all) => {
      const rest = { ...all };
      delete rest[messageId];
      return rest;
    });
  }
}
