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
import { InboxSearch } from '../../components/inbox-search/inbox-search';
import { InboxSettingsMenu } from '../../components/inbox-settings/inbox-settings';
import { conversationTitle } from '../../state/conversation-names';
import { InboxSettingsState } from '../../state/inbox-settings.state';
import { SearchState } from '../../state/search.state';
import type { ConversationDto } from '@instantchat/contracts';
import { AuthService } from '../../../../core/session/auth.service';
import { INBOX_STATE_PROVIDERS } from '../../state/inbox-state.providers';
import { InboxStore } from '../../state/inbox.store';

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
    InboxSearch,
    InboxSettingsMenu,
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
  protected readonly search = inject(SearchState);
  private readonly settings = inject(InboxSettingsState);
  protected readonly searching = computed(
    () => this.search.query().trim().length > 0,
  );
  protected readonly titleOf = (conversation: ConversationDto) =>
    conversationTitle(conversation, this.auth.user()?.id ?? null);
  protected readonly pickerOpen = signal(false);

  private returnFocusTo: HTMLElement | null = null;

  constructor() {
    // The tab says where the person is and how much waits elsewhere, even while it is hidden.
    const title = inject(Title);
    effect(() => {
      const unread = this.settings.settings().unreadInTitle
        ? this.store.unreadTotal()
        : 0;
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
    this.pickerOpen.set(true);
  }

  protected closePicker(): void {
    this.pickerOpen.set(false);
    this.returnFocusTo?.focus();
    this.returnFocusTo = null;
  }

  /**
   * Picking a person opens the conversation the two already have, or a draft thread that creates
   * nothing on the server (nor in their inbox) until the first message is sent.
   */
  protected startConversation(user: UserDto): void {
    this.pickerOpen.set(false);
    this.returnFocusTo = null;
    const existing = this.store.conversationWith(user.id);
    if (existing) {
      this.store.requestComposerFocus();
      void this.router.navigate(['/inbox', existing.id]);
      return;
    }
    this.store.beginDraftWith(user);
    void this.router.navigate(['/inbox', 'new', user.id]);
  }

  protected logout(): void {
    this.auth.logout();
  }
}
