import {
  ChangeDetectionStrategy,
  Component,
  input,
  output,
} from '@angular/core';
import type { ConnectOutcome } from '../../state/connect-outcome';

/** The result of the last trip through Meta's consent page, said plainly. */
@Component({
  selector: 'ic-connect-outcome-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let result = outcome();
    @if (result.kind === 'connected') {
      <div
        class="banner success"
        role="status"
        data-testid="connect-outcome"
        data-outcome="connected"
      >
        <div>
          <p class="title">
            @if (result.username) {
              Connected <strong>&#64;{{ result.username }}</strong
              >.
            } @else {
              Your Instagram account is connected.
            }
          </p>
          <p>Its new direct messages will arrive in your inbox.</p>
        </div>
        <button
          type="button"
          class="icon-button"
          aria-label="Dismiss"
          (click)="dismissed.emit()"
        >
          ✕
        </button>
      </div>
    } @else {
      <div
        class="banner failure"
        role="alert"
        data-testid="connect-outcome"
        data-outcome="failed"
        [attr.data-reason]="result.reason"
      >
        <div>
          <p class="title">{{ result.title }}</p>
          <p>{{ result.advice }}</p>
        </div>
        <button
          type="button"
          class="icon-button"
          aria-label="Dismiss"
          (click)="dismissed.emit()"
        >
          ✕
        </button>
      </div>
    }
  `,
  styles: `
    .banner {
      display: flex;
      align-items: flex-start;
      gap: 0.75rem;
      padding: 0.9rem 1rem;
      border-radius: 0.75rem;
      border: 1px solid;
      background: var(--surface);
    }
    .banner > div {
      flex: 1;
    }
    .success {
      border-color: var(--success);
      background: #ecfdf3;
    }
    .failure {
      border-color: var(--danger);
      background: var(--danger-soft);
    }
    p {
      margin: 0;
    }
    .title {
      font-weight: 600;
      margin-bottom: 0.2rem;
    }
    .success .title {
      color: var(--success);
    }
    .failure .title {
      color: var(--danger);
    }
  `,
})
export class ConnectOutcomeBanner {
  readonly outcome = input.required<ConnectOutcome>();
  readonly dismissed = output<void>();
}
