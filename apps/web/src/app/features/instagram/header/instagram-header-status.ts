import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { InstagramGlyph } from '../components/instagram-glyph/instagram-glyph';
import { InstagramToasts } from '../components/instagram-toasts/instagram-toasts';
import { InstagramConnectionStore } from '../state/instagram-connection.store';
import type { InstagramOverallState } from '../state/overall-state';

const LABELS: Record<InstagramOverallState, string> = {
  connected: 'Instagram connected',
  needs_reconnect: 'Instagram needs reconnecting',
  not_connected: 'Instagram not connected',
};

/**
 * The header's Instagram pill, contributed to the inbox's header through HEADER_EXTENSIONS:
 * connected / not connected / needs reconnect, live on `instagram:status`, linking to the
 * connect page, with a one-click connect when nothing is connected and a link to the webhook
 * events once an account is held.
 */
@Component({
  selector: 'ic-instagram-header-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, InstagramGlyph, InstagramToasts],
  template: `
    @let state = store.overall();
    <a
      class="pill"
      routerLink="/instagram"
      data-testid="instagram-status"
      [attr.data-state]="state ?? 'unknown'"
      [attr.aria-label]="
        (state ? labels[state] : 'Instagram') + ': manage accounts'
      "
      [attr.title]="state ? labels[state] : 'Instagram'"
      [class]="state ?? 'unknown'"
    >
      <ic-instagram-glyph />
      <span class="label">{{ state ? labels[state] : 'Instagram' }}</span>
      @if (state === 'needs_reconnect') {
        <span class="mark" aria-hidden="true">!</span>
      }
    </a>
    @let quickMethod = store.loginMethods()?.[0];
    @if (state === 'not_connected' && quickMethod) {
      <button
        type="button"
        class="button small quick-connect"
        data-testid="instagram-quick-connect"
        [disabled]="store.startingMethod() !== null"
        (click)="store.connect(quickMethod)"
      >
        @if (store.startingMethod()) {
          <span class="spinner" aria-hidden="true"></span>
        }
        Connect Instagram
      </button>
    }
    @if (store.activeAccounts().length > 0) {
      <a
        class="button secondary small with-icon events-link"
        routerLink="/instagram/events"
        data-testid="header-webhook-events"
      >
        <svg
          class="button-icon"
          viewBox="0 0 24 24"
          aria-hidden="true"
          focusable="false"
        >
          <polyline points="22 12 18 12 15 21 9 3 6 12 2 12" />
        </svg>
        <span class="compact-label">Webhook events</span>
      </a>
    }
    <ic-instagram-toasts />
  `,
  host: { class: 'instagram-header-status' },
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      min-width: 0;
    }
    .pill {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
      padding: 0.2rem 0.6rem;
      border-radius: 999px;
      font-size: 0.8rem;
      font-weight: 600;
      text-decoration: none;
      white-space: nowrap;
      color: var(--text-muted);
      background: var(--surface-muted);
    }
    .pill.connected {
      color: #fff;
      background: var(--instagram-gradient-strong);
    }
    .pill.needs_reconnect {
      color: #713f12;
      background: #fef3c7;
      box-shadow: inset 0 0 0 1px var(--warning);
    }
    .pill:focus-visible {
      outline: 2px solid var(--focus);
      outline-offset: 2px;
    }
    .quick-connect {
      background: var(--instagram-gradient-strong);
      white-space: nowrap;
    }
    .mark {
      font-weight: 800;
    }
    .events-link {
      text-decoration: none;
    }
    /* A phone's header has room for the glyph alone: the link's name still says the state, and
       the connect page is one tap away. */
    @media (max-width: 600px) {
      .label,
      .quick-connect {
        display: none;
      }
      .pill {
        padding: 0.3rem 0.45rem;
        font-size: 1rem;
      }
      .pill.not_connected,
      .pill.unknown {
        box-shadow: inset 0 0 0 1px var(--border-strong);
      }
    }
  `,
})
export class InstagramHeaderStatus {
  protected readonly store = inject(InstagramConnectionStore);
  protected readonly labels = LABELS;

  constructor() {
    this.store.load();
  }
}
