import {
  ChangeDetectionStrategy,
  Component,
  afterNextRender,
  computed,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { apiErrorMessage } from '../../../../core/api-error';
import { MessageComposer } from '../../components/message-composer/message-composer';
import { InboxStore } from '../../state/inbox.store';

/**
 * A conversation that exists only in this browser: the person picked someone to write to, and
 * nothing is created (nothing shows in the other person's inbox) until the first message is sent.
 * Sending it creates the conversation and moves on to it.
 */
@Component({
  selector: 'ic-draft-conversation-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MessageComposer],
  templateUrl: './draft-conversation.page.html',
  styleUrls: [
    '../conversation/conversation.page.css',
    './draft-conversation.page.css',
  ],
  host: { 'data-testid': 'draft-conversation-pane' },
})
export class DraftConversationPage {
  /** Route parameter, bound by the router. */
  readonly userId = input.required<string>();

  protected readonly store = inject(InboxStore);
  private readonly router = inject(Router);
  private readonly composer = viewChild(MessageComposer);

  protected readonly recipientName = computed(() => {
    const recipient = this.store.draftRecipient();
    return recipient?.id === this.userId() ? recipient.displayName : '';
  });
  protected readonly sending = signal(false);
  protected readonly sendError = signal<string | null>(null);
  /** The text that failed, sent again by "Try again" (the box is already empty). */
  private failedText = '';

  constructor() {
    afterNextRender(() => {
      if (!this.recipientName()) {
        // A reload or an old link: the picked person lived only in the page's memory.
        void this.router.navigate(['/inbox'], { replaceUrl: true });
        return;
      }
      this.composer()?.focus();
    });
  }

  protected send(text: string): void {
    this.sending.set(true);
    this.sendError.set(null);
    this.store.sendFirstMessage(text).subscribe({
      next: (conversation) => {
        this.sending.set(false);
        this.store.requestComposerFocus();
        void this.router.navigate(['/inbox', conversation.id], {
          replaceUrl: true,
        });
      },
      error: (error: unknown) => {
        this.sending.set(false);
        this.failedText = text;
        this.sendError.set(
          apiErrorMessage(error, 'Your message could not be sent.'),
        );
      },
    });
  }

  protected retry(): void {
    if (this.failedText) {
      this.send(this.failedText);
    }
  }
}
