import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { NavigationFailure } from './core/navigation/navigation-failure';

@Component({
  selector: 'ic-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet],
  template: `
    @if (navigation.failedUrl()) {
      <div class="load-failure" role="alert" data-testid="navigation-error">
        <p>
          That page could not be opened: the server cannot be reached. Check
          your connection and try again.
        </p>
        <button
          type="button"
          class="button small"
          data-testid="navigation-retry"
          (click)="navigation.retry()"
        >
          Try again
        </button>
        <button
          type="button"
          class="button secondary small"
          (click)="navigation.dismiss()"
        >
          Dismiss
        </button>
      </div>
    }
    <router-outlet />
  `,
  styles: `
    .load-failure {
      position: fixed;
      left: 50%;
      bottom: 1rem;
      z-index: 30;
      transform: translateX(-50%);
      width: min(calc(100% - 2rem), 32rem);
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
      padding: 0.75rem 1rem;
      border: 1px solid var(--danger);
      border-radius: 0.75rem;
      background: var(--danger-soft);
      color: var(--text);
      box-shadow: 0 6px 20px rgb(15 23 42 / 0.18);
    }
    .load-failure p {
      flex: 1 1 100%;
      margin: 0;
    }
  `,
})
export class App {
  protected readonly navigation = inject(NavigationFailure);
}
