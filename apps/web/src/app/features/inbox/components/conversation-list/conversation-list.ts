import {
  ChangeDetectionStrategy,
  Component,
  inject,
  input,
  output,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import type { LoadStatus } from '../../../../core/load-status';
import type { ListEmptyState } from '../../state/conversation-filters';
import type { ConversationListItem } from './conversation-list-item';
import { Clock } from '../../../../ui/relative-time/clock';
import { FullTimePipe } from '../../../../ui/relative-time/full-time.pipe';
import { RelativeTimePipe } from '../../../../ui/relative-time/relative-time.pipe';

/** The inbox's list: newest activity first, local and Instagram conversations side by side. */
@Component({
  selector: 'ic-conversation-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, RelativeTimePipe, FullTimePipe],
  templateUrl: './conversation-list.html',
  styleUrl: './conversation-list.css',
})
export class ConversationList {
  readonly items = input.required<ConversationListItem[]>();
  readonly status = input.required<LoadStatus>();
  readonly error = input<string | null>(null);
  /** What an empty list says and offers; the inbox picks it by filter. */
  readonly emptyState = input<ListEmptyState>({
    message: 'No conversations yet.',
    action: 'start',
  });
  readonly retry = output<void>();
  readonly showAll = output<void>();
  readonly startConversation = output<void>();

  protected readonly clock = inject(Clock);
}
