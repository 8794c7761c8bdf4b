import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  output,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import { Clock } from '../../../../ui/relative-time/clock';
import { RelativeTimePipe } from '../../../../ui/relative-time/relative-time.pipe';
import { SearchState } from '../../state/search.state';

/** A message hit, ready to render: where it is and who wrote it. */
interface MessageHit {
  message: MessageDto;
  conversationTitle: string;
}

/**
 * The search box over conversations and messages, and its results in place of the list. A
 * message hit opens its conversation at that message.
 */
@Component({
  selector: 'ic-inbox-search',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, RelativeTimePipe],
  templateUrl: './inbox-search.html',
  styleUrl: './inbox-search.css',
})
export class InboxSearch {
  /** Names a conversation as the list does. */
  readonly titleOf =
    input.required<(conversation: ConversationDto) => string>();
  /** Conversations the inbox holds, to name the conversation of a message hit. */
  readonly known = input.required<ConversationDto[]>();
  readonly picked = output<void>();

  protected readonly search = inject(SearchState);
  protected readonly clock = inject(Clock);
  protected readonly searching = computed(
    () => this.search.query().trim().length > 0,
  );
  protected readonly messageHits = computed<MessageHit[]>(() => {
    const byId = new Map(
      [...this.known(), ...this.search.results().conversations].map((c) => [
        c.id,
        c,
      ]),
    );
    return this.search.results().messages.map((message) => {
      const conversation = byId.get(message.conversationId);
      return {
        message,
        conversationTitle: conversation
          ? this.titleOf()(conversation)
          : 'Conversation',
      };
    });
  });

  protected onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      this.search.clear();
    }
  }
}
