import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  afterRenderEffect,
  computed,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import type { TimelineEntry } from '../message-list/timeline-entry';

/**
 * Why a message did not go out, and what can be done: a send that never reached the server is
 * retried or discarded on this device; a reply Instagram refused is sent again through the API.
 * When Instagram did not confirm a reply (`mayHaveBeenDelivered`), the customer may already have
 * it, so sending it again is asked first: they would get it twice.
 */
@Component({
  selector: 'ic-delivery-failure',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  template: `
    <div class="failure" role="alert" data-testid="delivery-failure">
      <p class="reason">
        @if (title(); as title) {
          <strong data-testid="failure-title">{{ title }}</strong>
        }
        <span data-testid="message-error">{{ reason() }}</span>
      </p>
      @if (entry().retryError; as retryError) {
        <p class="reason" data-testid="retry-error">{{ retryError }}</p>
      }
      @if (entry().deliveryError?.reconnectRequired) {
        <a class="link" routerLink="/instagram" data-testid="reconnect-account"
          >Reconnect the account</a
        >
      }
      @if (confirming()) {
        <p class="confirm" data-testid="retry-confirmation">
          Instagram didn’t confirm this message, so the customer may already
          have it and would get it twice. Send it again?
        </p>
        <div class="actions">
          <button
            #sendAgain
            type="button"
            class="link"
            (click)="confirmRetry()"
          >
            Send again
          </button>
          <button type="button" class="link" (click)="confirming.set(false)">
            Cancel
          </button>
        </div>
      } @else if (entry().clientId; as clientId) {
        <div class="actions">
          <button
            type="button"
            class="link"
            data-testid="retry-message"
            (click)="retry.emit(clientId)"
          >
            Retry
          </button>
          <button type="button" class="link" (click)="discard.emit(clientId)">
            Discard
          </button>
        </div>
      } @else if (entry().retryableId) {
        <div class="actions">
          <button
            type="button"
            class="link"
            data-testid="retry-message"
            [disabled]="entry().retrying"
            [attr.aria-busy]="entry().retrying"
            (click)="askRetry()"
          >
            Retry
          </button>
          @if (entry().retrying) {
            <span role="status">Sending again…</span>
          }
        </div>
      }
    </div>
  `,
  styles: `
    .failure {
      display: flex;
      flex-direction: column;
      gap: 0.2rem;
      margin-top: 0.2rem;
      font-size: 0.8rem;
      color: var(--danger);
      max-width: 28rem;
    }
    .reason,
    .confirm {
      margin: 0;
    }
    .reason strong {
      margin-right: 0.3rem;
    }
    .confirm {
      color: var(--text);
    }
    .actions {
      display: flex;
      gap: 0.75rem;
      align-items: baseline;
    }
    .link:disabled {
      opacity: 0.6;
      cursor: progress;
    }
  `,
})
export class DeliveryFailure {
  readonly entry = input.required<TimelineEntry>();

  /** A send still on this device: its clientMessageId. */
  readonly retry = output<string>();
  readonly discard = output<string>();
  /** A stored reply Instagram refused: its message id. */
  readonly retryDelivery = output<string>();

  protected readonly confirming = signal(false);
  private readonly sendAgain =
    viewChild<ElementRef<HTMLButtonElement>>('sendAgain');

  constructor() {
    // The question may open below the fold (the last message of a long thread): focus brings it
    // into view, and keyboard users land on the answer.
    afterRenderEffect(() => {
      if (this.confirming()) {
        this.sendAgain()?.nativeElement.focus();
      }
    });
  }

  /** Meta's own heading for the person, when it gave one. */
  protected readonly title = computed(
    () => this.entry().deliveryError?.title ?? null,
  );
  /** Meta's words for the person when it gave them, else InstantChat's. */
  protected readonly reason = computed(
    () =>
      this.entry().deliveryError?.userMessage ??
      this.entry().error ??
      'Not delivered.',
  );

  protected askRetry(): void {
    if (this.entry().deliveryError?.mayHaveBeenDelivered) {
      this.confirming.set(true);
      return;
    }
    this.emitRetryDelivery();
  }

  protected confirmRetry(): void {
    this.confirming.set(false);
    this.emitRetryDelivery();
  }

  private emitRetryDelivery(): void {
    const id = this.entry().retryableId;
    if (id) {
      this.retryDelivery.emit(id);
    }
  }
}
