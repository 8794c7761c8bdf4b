import {
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
} from '@angular/core';
import type { ConnectionStatus } from '../../core/realtime/realtime.service';

const LABELS: Record<ConnectionStatus, string> = {
  connected: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** A small pill saying whether new messages (or what `subject` names) arrive live. */
@Component({
  selector: 'ic-connection-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span class="dot" aria-hidden="true"></span>
    <span>{{ label() }}</span>
  `,
  host: {
    role: 'status',
    'data-testid': 'connection-status',
    '[attr.data-status]': 'status()',
    '[class]': 'status()',
    '[attr.title]': 'title()',
  },
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      padding: 0.2rem 0.6rem;
      border-radius: 999px;
      font-size: 0.8rem;
      font-weight: 500;
      background: var(--surface-muted);
      color: var(--text-muted);
      white-space: nowrap;
    }
    .dot {
      width: 0.5rem;
      height: 0.5rem;
      border-radius: 50%;
      background: currentColor;
    }
    :host(.connected) {
      color: var(--success);
    }
    :host(.connecting),
    :host(.reconnecting) {
      color: var(--warning);
    }
    :host(.connecting) .dot,
    :host(.reconnecting) .dot {
      animation: pulse 1.2s ease-in-out infinite;
    }
    :host(.offline) {
      color: var(--danger);
    }
    @keyframes pulse {
      50% {
        opacity: 0.3;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .dot {
        animation: none !important;
      }
    }
  `,
})
export class ConnectionStatusIndicator {
  readonly status = input.required<ConnectionStatus>();
  /** What arrives live, for the tooltip. */
  readonly subject = input('New messages');
  protected readonly label = computed(() => LABELS[this.status()]);
  protected readonly title = computed(() =>
    this.status() === 'connected'
      ? `${this.subject()} arrive as they are sent`
      : `${this.subject()} will appear once the connection is back`,
  );
}
