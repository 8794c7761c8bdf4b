import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  computed,
  effect,
  inject,
  signal,
} from '@angular/core';
import { Title } from '@angular/platform-browser';
import { Router, RouterOutlet } from '@angular/router';
import type { UserDto } from '@instantchat/contracts';
import { ConnectionStatusIndicator } from '../../../../ui/connection-status/connection-status';
import { HeaderSlot } from '../../../../ui/header-slot/header-slot';
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
    HeaderSlot,
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
  private readonly host =
    inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;

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

  constructor() {
    // The tab says where the person is and how much waits elsewhere, even while it is hidden.
    const title = inject(Title);
    effect(() => {
      const unread = this.store.unreadTotal();
      const place = this.store.activeTitle() || 'Inbox';
      title.setTitle(
        `${unread > 0 ? `(${unread}) ` : ''}${place} · InstantChat`,
      );
    });
  }

  /** The skip link: straight to writing in the open conversation, else to the list. */
  protected skipToContent(event: Event): void {
    event.preventDefault();
    const target =
      this.host.querySelector<HTMLElement>('#composer-field') ??
      this.host.querySelector<HTMLElement>('#main-content');
    target?.focus();
  }

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
        this.store.requestComposerFocus();
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
