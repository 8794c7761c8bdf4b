import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterNextRender,
  inject,
  input,
  output,
  viewChild,
} from '@angular/core';
import type { InstagramAccountDto } from '@instantchat/contracts';

/**
 * Asks before disconnecting, and says what stays: the conversations and their history. Escape
 * or the backdrop cancels; focus starts on Cancel (the safe choice) and stays inside.
 */
@Component({
  selector: 'ic-disconnect-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="backdrop" aria-hidden="true" (click)="cancelled.emit()"></div>
    <section
      class="dialog"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="disconnect-title"
      aria-describedby="disconnect-description"
      data-testid="disconnect-dialog"
    >
      <h2 id="disconnect-title">Disconnect &#64;{{ account().username }}?</h2>
      <div id="disconnect-description">
        <p>
          New direct messages to &#64;{{ account().username }} will stop
          arriving in InstantChat, and replies can no longer be sent from here.
        </p>
        <p>
          <strong
            >Its conversations and their history stay in your inbox.</strong
          >
          You can connect it again at any time.
        </p>
      </div>
      @if (error()) {
        <p class="error" role="alert" data-testid="disconnect-error">
          {{ error() }}
        </p>
      }
      <div class="actions">
        <button
          #cancel
          type="button"
          class="button secondary"
          data-testid="disconnect-cancel"
          (click)="cancelled.emit()"
        >
          Cancel
        </button>
        <button
          type="button"
          class="button danger"
          data-testid="disconnect-confirm"
          [disabled]="busy()"
          (click)="confirmed.emit()"
        >
          @if (busy()) {
            <span class="spinner" aria-hidden="true"></span> Disconnecting…
          } @else {
            Disconnect
          }
        </button>
      </div>
    </section>
  `,
  host: { '(keydown)': 'onKeydown($event)' },
  styles: `
    :host {
      position: fixed;
      inset: 0;
      z-index: 20;
      display: grid;
      place-items: center;
      padding: 1rem;
    }
    .backdrop {
      position: absolute;
      inset: 0;
      background: rgb(15 23 42 / 0.5);
    }
    .dialog {
      position: relative;
      width: min(100%, 28rem);
      padding: 1.25rem;
      border-radius: 1rem;
      background: var(--surface);
      box-shadow: 0 20px 45px rgb(15 23 42 / 0.25);
    }
    h2 {
      margin: 0 0 0.5rem;
      font-size: 1.2rem;
      overflow-wrap: anywhere;
    }
    p {
      margin: 0 0 0.6rem;
    }
    .error {
      color: var(--danger);
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      justify-content: flex-end;
      gap: 0.5rem;
      margin-top: 1rem;
    }
    .danger {
      background: var(--danger);
    }
  `,
})
export class DisconnectDialog {
  private readonly host =
    inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  private readonly cancelButton =
    viewChild.required<ElementRef<HTMLButtonElement>>('cancel');

  readonly account = input.required<InstagramAccountDto>();
  readonly busy = input(false);
  readonly error = input<string | null>(null);

  readonly confirmed = output<void>();
  readonly cancelled = output<void>();

  constructor() {
    afterNextRender(() => this.cancelButton().nativeElement.focus());
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.cancelled.emit();
    } else if (event.key === 'Tab') {
      const buttons = Array.from(
        this.host.querySelectorAll<HTMLElement>('button:not([disabled])'),
      );
      const first = buttons[0];
      const last = buttons[buttons.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last?.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first?.focus();
      }
    }
  }
}
