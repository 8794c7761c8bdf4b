import { Injectable, computed, inject, signal } from '@angular/core';
import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import { AuthService } from '../../../core/session/auth.service';
import { type UnreadMarker, reachesFirstUnread } from './first-unread';
import { type Thread, ThreadsState } from './threads.state';

/**
 * Where an opened conversation lands in its history: a search hit, or its first unread message as
 * it was when opened or its tab was shown again (the divider stays put though the conversation is
 * then marked read, and later messages do not move it); and loading that
 * history far enough back to show them. A conversation opened by a link before the list has
 * landed is not known yet; its marker is taken once it is, before it is marked read.
 */
@Injectable()
export class ThreadLandingState {
  private readonly threads = inject(ThreadsState);
  private readonly auth = inject(AuthService);
  private readonly unreadMarker = signal<UnreadMarker | null>(null);
  private awaitingConversation = false;

  /** A search hit the open conversation shows (scrolled to and highlighted); null for none. */
  readonly focusedMessageId = signal<string | null>(null);
  /** What was unread when the open conversation was opened or shown again: where its divider goes. */
  readonly marker = this.unreadMarker.asReadonly();

  private readonly myId = computed(() => this.auth.user()?.id ?? null);

  /** Another conversation was opened; `known` is it when the list already holds it. */
  takeMarker(known: ConversationDto | undefined): void {
    this.unreadMarker.set(known ? unreadMarkerOf(known) : null);
    this.awaitingConversation = !known;
  }

  /**
   * The open conversation holds messages the person has not seen (they came while the tab was
   * hidden or the connection down): the divider moves above the first of them, as if it had been
   * opened now; never above `seenUntil`, the newest they saw arrive (the server may not have
   * counted that read yet). Nothing newer than that: the divider stays where it is.
   */
  markUnseen(conversation: ConversationDto, seenUntil: string | null): void {
    if (seenUntil !== null && seenUntil >= conversation.lastMessageAt) {
      return;
    }
    const marker = unreadMarkerOf(conversation);
    if (marker) {
      this.unreadMarker.set(
        seenUntil !== null &&
          (marker.lastReadAt === null || seenUntil > marker.lastReadAt)
          ? { ...marker, lastReadAt: seenUntil }
          : marker,
      );
    }
  }

  /** No conversation is open. */
  clearMarker(): void {
    this.unreadMarker.set(null);
    this.awaitingConversation = false;
  }

  /**
   * The open conversation, opened before it was known, now is: takes its marker and loads further
   * back if what is loaded does not reach it. Does nothing for a conversation opened when known.
   */
  takeAwaitedMarker(conversation: ConversationDto): void {
    if (!this.awaitingConversation) {
      return;
    }
    this.awaitingConversation = false;
    this.unreadMarker.set(unreadMarkerOf(conversation));
    const thread = this.threads.get(conversation.id);
    if (!thread || !this.reachesFarEnough(thread)) {
      this.load(conversation.id);
    }
  }

  /** Loads the history unless what is held already shows where the conversation lands. */
  loadUnlessHeld(conversationId: string): void {
    const thread = this.threads.get(conversationId);
    if (
      !thread ||
      thread.status === 'error' ||
      thread.status === 'missing' ||
      !this.reachesFarEnough(thread)
    ) {
      this.load(conversationId);
    }
  }

  /** Loads the newest page of the history, and further back until it shows where it lands. */
  load(conversationId: string): void {
    this.threads.loadFirstPage(conversationId, this.mustReach());
  }

  /** Whether a loaded thread holds the first unread message and the search hit to show. */
  private reachesFarEnough(thread: Thread): boolean {
    const mustReach = this.mustReach();
    return (
      !thread.nextCursor ||
      !mustReach ||
      mustReach([...thread.messages].reverse())
    );
  }

  /**
   * What a history (newest first) must hold: the first unread message and the search hit;
   * undefined when the newest page will do. Taken now, so a page that arrives after another
   * conversation was opened is still judged by what its own conversation had to show.
   */
  private mustReach():
    | ((newestFirst: readonly MessageDto[]) => boolean)
    | undefined {
    const marker = this.unreadMarker();
    const focus = this.focusedMessageId();
    const myId = this.myId();
    if (!marker && !focus) {
      return undefined;
    }
    return (newestFirst) =>
      (!marker || reachesFirstUnread(newestFirst, marker, myId)) &&
      (!focus || newestFirst.some((message) => message.id === focus));
  }
}

/**
 * The conversation's unread messages as it is held now: the list moves `lastMessageAt` with every
 * message it counts (showLatest before countUnread), so each of them is at or before `until`.
 */
function unreadMarkerOf(conversation: ConversationDto): UnreadMarker | null {
  return conversation.unreadCount > 0
    ? {
        conversationId: conversation.id,
        lastReadAt: conversation.lastReadAt ?? null,
        unreadCount: conversation.unreadCount,
        until: conversation.lastMessageAt,
      }
    : null;
}
