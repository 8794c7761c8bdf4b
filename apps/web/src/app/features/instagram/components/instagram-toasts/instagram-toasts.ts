import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { InstagramConnectionStore } from '../../state/instagram-connection.store';

/** The store's toasts, bottom centre: errors stay until dismissed, successes fade on their own. */
@Component({
  selector: 'ic-instagram-toasts',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @for (toast of store.toasts(); track toast.id) {
      <div
        class="toast"
        [class]="toast.tone"
        [attr.role]="toast.tone === 'error' ? 'alert' : 'status'"
        data-testid="instagram-toast"
      >
        <p>{{ toast.text }}</p>
        <button
          type="button"
          class="icon-button"
          aria-label="Dismiss"
          (click)="store.dismissToast(toast.id)"
        >
          ✕
        </button>
      </div>
    }
  `,
  styles: `
    :host {
      position: fixed;
      left: 50%;
      bottom: 1rem;
      z-index: 30;
      transform: translateX(-50%);
      width: min(calc(100% - 2rem), 30rem);
      display: grid;
      gap: 0.5rem;
    }
    .toast {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      padding: 0.7rem 0.9rem;
      border-radius: 0.75rem;
      border: 1px solid var(--border-strong);
      background: var(--surface);
      box-shadow: 0 6px 20px rgb(15 23 42 / 0.18);
    }
    .toast.error {
      border-color: var(--danger);
      background: var(--danger-soft);
    }
    .toast.success {
      border-color: var(--success);
    }
    p {
      flex: 1;
      margin: 0;
    }
  `,
})
export class InstagramToasts {
  protected readonly store = inject(InstagramConnectionStore);
}
