import {
  ChangeDetectionStrategy,
  Component,
  input,
  output,
} from '@angular/core';

/**
 * The frame both auth pages share: brand, heading, the fields (projected), the server's answer
 * when it refused, the submit button with its busy wording, and a way to the other page
 * (projected with the `switch` attribute).
 */
@Component({
  selector: 'ic-auth-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="auth-card">
      <p class="brand" aria-hidden="true">InstantChat</p>
      <h1>{{ heading() }}</h1>
      <ng-content select="[notice]" />
      <form novalidate (submit)="$event.preventDefault(); submitted.emit()">
        <ng-content />
        @if (error()) {
          <p class="form-error" role="alert" data-testid="auth-error">
            {{ error() }}
          </p>
        }
        <button
          type="submit"
          class="button wide"
          data-testid="submit-button"
          [disabled]="submitting()"
        >
          {{ submitting() ? busyLabel() : submitLabel() }}
        </button>
      </form>
      <p class="switch"><ng-content select="[switch]" /></p>
    </main>
  `,
  styleUrl: './auth-card.css',
})
export class AuthCard {
  readonly heading = input.required<string>();
  readonly submitLabel = input.required<string>();
  /** What the button says while the request is on its way. */
  readonly busyLabel = input.required<string>();
  readonly submitting = input(false);
  readonly error = input<string | null>(null);

  readonly submitted = output<void>();
}
