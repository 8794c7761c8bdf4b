import type { Signal } from '@angular/core';
import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import type { PageVisibility } from '../../../core/page/page-visibility';
import type { ConversationListState } from './conversation-list.state';
import type { ThreadLandingState } from './thread-landing.state';

/** What reading the open conversation depends on: the inbox's pieces and what the store holds. */
export interface ActiveReadingSources {
  list: ConversationListState;
  landing: ThreadLandingState;
  visibility: PageVisibility;
  activeConversationId: Signal<string | null>;
  activeConversation: Signal<ConversationDto | null>;
}

/**
 * What the person has read: a message is read when it arrives in the open conversation while they
 * can see the tab; otherwise it counts as unread (for their other tabs and devices too) until the
 * tab is shown with that conversation open.
 */
export class ActiveReading {
  /**
   * Per conversation, the newest message the person has seen arrive or had read here (ISO 8601):
   * the server may still count it unread (its read not landed yet) when a catch-up answers, and
   * the divider must not go above what they saw.
   */
  private readonly seenUntil = new Map<string, string>();

  constructor(private readonly sources: ActiveReadingSources) {}

  /**
   * Someone else's new message: read if the person sees it now, else counted unread.
   * @returns whether it is on screen (read).
   */
  takeNews(message: Pick<MessageDto, 'conversationId' | 'createdAt'>): boolean {
    const { list, visibility, activeConversationId } = this.sources;
    const { conversationId } = message;
    const isOnScreen =
      conversationId === activeConversationId() && visibility.isVisible();
    if (isOnScreen) {
      this.seen(conversationId, message.createdAt);
      list.markRead(conversationId);
    } else {
      list.countUnread(conversationId);
    }
    return isOnScreen;
  }

  /**
   * The person is back with the open conversation: its tab shown again, or the connection back
   * after it was lost (the catch-up has landed). What came meanwhile is unread: the "New messages"
   * divider goes above the first of it, then it is read. Only then: a message that arrives while
   * the person watches is read at once, and the divider stays where it is.
   */
  returnToActive(): void {
    const conversation = this.unseenInActive();
    if (conversation) {
      this.sources.landing.markUnseen(
        conversation,
        this.seenUntil.get(conversation.id) ?? null,
      );
    }
    this.markActiveReadIfNeeded();
  }

  /** Marks the open conversation read when it holds unread messages the person can see. */
  markActiveReadIfNeeded(): void {
    const { list, landing, activeConversation } = this.sources;
    const opened = activeConversation();
    if (opened) {
      // Opened by a link before the list had landed: what was unread shows now, before it is read.
      landing.takeAwaitedMarker(opened);
    }
    const conversation = this.unseenInActive();
    if (conversation) {
      this.seen(conversation.id, conversation.lastMessageAt);
      list.markRead(conversation.id);
    }
  }

  private seen(conversationId: string, upTo: string): void {
    const before = this.seenUntil.get(conversationId);
    if (before === undefined || upTo > before) {
      this.seenUntil.set(conversationId, upTo);
    }
  }

  /** The open conversation, when it holds unread messages and the person can see the tab. */
  private unseenInActive(): ConversationDto | null {
    const { visibility, activeConversation } = this.sources;
    const conversation = activeConversation();
    return conversation &&
      conversation.unreadCount > 0 &&
      visibility.isVisible()
      ? conversation
      : null;
  }
}
