import {
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
} from '@angular/core';
import type { ReplyWindowView } from './reply-window-view';

/**
 * Above the composer of an Instagram conversation: how long a reply can still be sent (Meta's
 * messaging window), a warning in its last hour, the human-agent notice, or why the composer is
 * disabled once it has closed.
 */
@Component({
  selector: 'ic-reply-window',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p
      class="window"
      role="status"
      data-testid="reply-window"
      [attr.data-state]="view().state"
    >
      <span class="icon" aria-hidden="true">{{ icon() }}</span>
      <span>{{ view().message }}</span>
    </p>
  `,
  styles: `
    .window {
      display: flex;
      gap: 0.45rem;
      align-items: baseline;
      margin: 0;
      padding: 0.4rem 1rem;
      font-size: 0.8rem;
      color: var(--text-muted);
      border-top: 1px solid var(--border);
      background: var(--surface);
    }
    .window[data-state='closing'],
    .window[data-state='human-agent'] {
      color: var(--warning);
      background: #fff7e6;
    }
    .window[data-state='closed'],
    .window[data-state='not-started'] {
      color: var(--danger);
      background: var(--danger-soft);
      font-weight: 600;
    }
  `,
})
export class ReplyWindow {
  readonly view = input.required<ReplyWindowView>();

  protected readonly icon = computed(() => (this.view().open ? '⏱' : '🔒'));
}
