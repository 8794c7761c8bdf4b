import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  signal,
} from '@angular/core';
import { Router, RouterOutlet } from '@angular/router';
import type { UserDto } from '@instantchat/contracts';
import { ConnectionStatusIndicator } from '../../../../ui/connection-status/connection-status';
import { ConversationList } from '../../components/conversation-list/conversation-list';
import { NewConversationPicker } from '../../components/new-conversation-picker/new-conversation-picker';
import { apiErrorMessage } from '../../../../core/api-error';
import { AuthService } from '../../../../core/session/auth.service';
import { INBOX_STATE_PROVIDERS, InboxStore } from '../../state/inbox.store';

/** The signed-in shell: conversation list beside the open conversation (a child route). */
@Component({
  selector: 'ic-inbox-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterOutlet,
    ConversationList,
    ConnectionStatusIndicator,
    NewConversationPicker,
  ],
  providers: INBOX_STATE_PROVIDERS,
  templateUrl: './inbox.page.html',
  styleUrl: './inbox.page.css',
})
export class InboxPage {
  protected readonly store = inject(InboxStore);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);

  protected readonly userName = computed(
    () => this.auth.user()?.displayName ?? '',
  );
  protected readonly hasActiveConversation = computed(
    () => this.store.activeConversationId() !== null,
  );
  protected readonly pickerOpen = signal(false);
  protected readonly opening = signal(false);
  protected readonly openError = signal<string | null>(null);

  private returnFocusTo: HTMLElement | null = null;

  protected openPicker(): void {
    this.returnFocusTo = document.activeElement as HTMLElement | null;
    this.openError.set(null);
    this.pickerOpen.set(true);
  }

  protected closePicker(): void {
    this.pickerOpen.set(false);
    this.returnFocusTo?.focus();
    this.returnFocusTo = null;
  }

  protected startConversation(user: UserDto): void {
    this.opening.set(true);
    this.openError.set(null);
    this.store.startConversationWith(user).subscribe({
      next: (conversation) => {
        this.opening.set(false);
        this.pickerOpen.set(false);
        this.returnFocusTo = null;
        void this.router.navigate(['/inbox', conversation.id]);
      },
      error: (error: unknown) => {
        this.opening.set(false);
        this.openError.set(
          apiErrorMessage(error, 'Could not open the conversation.'),
        );
      },
    });
  }

  protected logout(): void {
    this.auth.logout();
  }
}
