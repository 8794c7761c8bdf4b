import {
  ChangeDetectionStrategy,
  Component,
  OnDestroy,
  afterRenderEffect,
  computed,
  effect,
  inject,
  input,
  untracked,
  viewChild,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import {
  CHAT_TEXT_LIMIT,
  INSTAGRAM_TEXT_LIMIT,
  MessageComposer,
} from '../../components/message-composer/message-composer';
import { MessageList } from '../../components/message-list/message-list';
import { ReplyWindow } from '../../components/reply-window/reply-window';
import { replyWindowView } from '../../components/reply-window/reply-window-view';
import type { LoadStatus } from '../../../../core/load-status';
import { Clock } from '../../../../ui/relative-time/clock';
import { InboxStore } from '../../state/inbox.store';

/** One open conversation: history, who is typing, and the send box. A child of the inbox. */
@Component({
  selector: 'ic-conversation-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MessageList, MessageComposer, ReplyWindow],
  templateUrl: './conversation.page.html',
  styleUrl: './conversation.page.css',
  host: {
    '[class.instagram-conversation]': 'isInstagram()',
    'data-testid': 'conversation-pane',
  },
})
export class ConversationPage implements OnDestroy {
  /** Route parameter, bound by the router. */
  readonly conversationId = input.required<string>();
  /** `?message=<id>`: a search hit to open the conversation at. Bound by the router. */
  readonly message = input<string | undefined>(undefined);

  protected readonly store = inject(InboxStore);
  private readonly clock = inject(Clock);
  /** Absent while the conversation is missing. */
  private readonly composer = viewChild(MessageComposer);

  /** The API knows no such conversation of the caller's (a stale link, a mistyped id). */
  protected readonly missing = computed(
    () => this.store.activeThread()?.status === 'missing',
  );
  protected readonly title = computed(() =>
    this.missing()
      ? 'Conversation not found'
      : this.store.activeTitle() || 'Conversation',
  );
  protected readonly isInstagram = computed(
    () => this.store.activeConversation()?.kind === 'instagram',
  );
  protected readonly textLimit = computed(() =>
    this.isInstagram() ? INSTAGRAM_TEXT_LIMIT : CHAT_TEXT_LIMIT,
  );
  /** Instagram conversations: Meta's messaging window, ageing with the clock. */
  protected readonly replyWindow = computed(() => {
    const conversation = this.store.activeConversation();
    return conversation?.kind === 'instagram'
      ? replyWindowView(
          conversation.windowClosesAt,
          conversation.windowHumanAgent ?? false,
          this.clock.now(),
        )
      : null;
  });
  protected readonly threadStatus = computed((): LoadStatus => {
    const status = this.store.activeThread()?.status ?? 'loading';
    return status === 'missing' ? 'error' : status;
  });
  protected readonly typingText = computed(() => {
    const names = this.store.activeTypingNames();
    if (names.length === 0) {
      return '';
    }
    return names.length === 1
      ? `${names[0]} is typing…`
      : `${names.join(', ')} are typing…`;
  });

  constructor() {
    effect(() => {
      const id = this.conversationId();
      const focus = this.message() ?? null;
      // Opening reads and writes store state; only the route parameters should re-run this.
      untracked(() => this.store.open(id, focus));
    });
    // After picking a person the next thing to do is write: focus must not stay on <body>.
    afterRenderEffect(() => {
      if (this.store.composerFocusRequested()) {
        this.composer()?.focus();
        this.store.composerFocusRequested.set(false);
      }
    });
  }

  ngOnDestroy(): void {
    this.store.open(null);
  }
}
