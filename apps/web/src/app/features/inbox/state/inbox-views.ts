import { type Signal, computed, signal } from '@angular/core';
import type { ConversationListItem } from '../components/conversation-list/conversation-list-item';
import type { TimelineEntry } from '../components/message-list/timeline-entry';
import { conversationTitle, senderName } from './conversation-names';
import { conversationListItems } from './conversation-list-items';
import {
  type ConversationFilter,
  emptyStateFor,
  filterOptions,
  matchesFilter,
} from './conversation-filters';
import type { ConversationListState } from './conversation-list.state';
import type { DeliveryRetryState } from './delivery-retry.state';
import type { DraftsState } from './drafts.state';
import { type UnreadMarker, firstUnreadMessageId } from './first-unread';
import type { Outbox } from './outbox.state';
import type { ThreadsState } from './threads.state';
import { pendingEntry, storedEntry } from './timeline';
import type { TypingState } from './typing-state';

/** What the views are derived from: the inbox's pieces and what the store holds. */
export interface InboxViewSources {
  list: ConversationListState;
  threads: ThreadsState;
  outbox: Outbox;
  retries: DeliveryRetryState;
  drafts: DraftsState;
  typing: TypingState;
  activeConversationId: Signal<string | null>;
  unreadMarker: Signal<UnreadMarker | null>;
  myId: Signal<string | null>;
}

/**
 * What the screen shows, derived from the inbox's state: the list's rows through the filter the
 * person picked (the one thing held here), the unread total, and the open conversation with its
 * title, timeline, first unread message, draft and who is typing in it. The store changes the
 * sources; these follow.
 */
export class InboxViews {
  /** The filter the person picked (see `conversation-filters.ts`). */
  readonly listFilter = signal<ConversationFilter>('all');

  readonly conversationItems = computed<ConversationListItem[]>(() =>
    conversationListItems(
      this.sources.list.conversations(),
      this.sources.activeConversationId(),
      this.sources.myId(),
    ),
  );

  /** The filter bar's buttons with their counts, following the list live. */
  readonly filterOptions = computed(() =>
    filterOptions(this.conversationItems()),
  );

  /** The picked filter, or All once the account it named is no longer in the list. */
  readonly activeFilter = computed<ConversationFilter>(() => {
    const picked = this.listFilter();
    return this.filterOptions().some((option) => option.value === picked)
      ? picked
      : 'all';
  });

  readonly visibleConversationItems = computed(() => {
    const filter = this.activeFilter();
    return this.conversationItems().filter((item) =>
      matchesFilter(item, filter),
    );
  });

  readonly listEmptyState = computed(() =>
    emptyStateFor(this.activeFilter(), this.conversationItems().length > 0),
  );

  /**
   * Unread messages, for the tab title: the list shows no badge on the open conversation, but a
   * hidden tab leaves what arrives there unread (InboxStore), and its title is all the person sees.
   */
  readonly unreadTotal = computed(
    () =>
      this.conversationItems().reduce(
        (sum, item) => sum + item.unreadCount,
        0,
      ) + (this.activeConversation()?.unreadCount ?? 0),
  );

  /** What the person had typed in the open conversation and not sent. */
  readonly activeDraft = computed(() => {
    const id = this.sources.activeConversationId();
    return id ? this.sources.drafts.read(id) : '';
  });

  readonly activeConversation = computed(() => {
    const id = this.sources.activeConversationId();
    return (
      this.sources.list
        .conversations()
        .find((conversation) => conversation.id === id) ?? null
    );
  });

  readonly activeTitle = computed(() => {
    const conversation = this.activeConversation();
    return conversation
      ? conversationTitle(conversation, this.sources.myId())
      : '';
  });

  readonly activeThread = computed(() => {
    const id = this.sources.activeConversationId();
    return id ? (this.sources.threads.byConversation()[id] ?? null) : null;
  });

  /** The open conversation's stored messages, then its sends still on this device. */
  readonly activeTimeline = computed<TimelineEntry[]>(() => {
    const id = this.sources.activeConversationId();
    if (!id) {
      return [];
    }
    const conversation = this.activeConversation();
    const myId = this.sources.myId();
    const retries = this.sources.retries.byMessage();
    const stored = (this.activeThread()?.messages ?? []).map((message) =>
      storedEntry(message, conversation, myId, retries[message.id] ?? null),
    );
    const outgoing = this.sources.outbox
      .pending()
      .filter((item) => item.conversationId === id)
      .map((item) => pendingEntry(item, conversation));
    return [...stored, ...outgoing];
  });

  /** The first message the person had not read when they opened this conversation or came back to its tab. */
  readonly activeFirstUnreadId = computed(() => {
    const marker = this.sources.unreadMarker();
    const id = this.sources.activeConversationId();
    if (!marker || marker.conversationId !== id) {
      return null;
    }
    return firstUnreadMessageId(
      this.activeThread()?.messages ?? [],
      marker,
      this.sources.myId(),
    );
  });

  readonly activeTypingNames = computed(() => {
    const id = this.sources.activeConversationId();
    const conversation = this.activeConversation();
    if (!id) {
      return [];
    }
    return (this.sources.typing.byConversation()[id] ?? []).map((userId) =>
      senderName(userId, conversation, this.sources.myId()),
    );
  });

  constructor(private readonly sources: InboxViewSources) {}
}
