import { signal } from '@angular/core';
import type { TypingPayload } from '@instantchat/contracts';

/** How long someone shows as typing after their last signal, should "stopped" never arrive. */
const OTHERS_TYPING_TIMEOUT_MS = 6_000;
/** How long after the last keystroke this person counts as having stopped. */
const OWN_IDLE_MS = 3_000;
/** How often a continuing burst of typing is re-announced (keeps the other side's timer alive). */
const OWN_REPEAT_MS = 3_000;

/**
 * Typing indicators, both ways: who is typing in which conversation (from the socket), and this
 * person's own typing, announced at a modest rate instead of once per keystroke.
 */
export class TypingState {
  private readonly typingUsers = signal<Record<string, string[]>>({});
  private readonly expiryTimers = new Map<
    string,
    ReturnType<typeof setTimeout>
  >();
  private own: {
    conversationId: string;
    sentAt: number;
    idleTimer: ReturnType<typeof setTimeout>;
  } | null = null;

  /** User ids typing, per conversation id. */
  readonly byConversation = this.typingUsers.asReadonly();

  constructor(
    private readonly announce: (
      conversationId: string,
      isTyping: boolean,
    ) => void,
  ) {}

  receive({ conversationId, userId, isTyping }: TypingPayload): void {
    if (!isTyping) {
      this.clear(conversationId, userId);
      return;
    }
    const key = `${conversationId}:${userId}`;
    clearTimeout(this.expiryTimers.get(key));
    // A lost "stopped typing" (closed tab, dropped socket) must not leave the indicator up forever.
    this.expiryTimers.set(
      key,
      setTimeout(
        () => this.clear(conversationId, userId),
        OTHERS_TYPING_TIMEOUT_MS,
      ),
    );
    this.typingUsers.update((all) => {
      const current = all[conversationId] ?? [];
      return current.includes(userId)
        ? all
        : { ...all, [conversationId]: [...current, userId] };
    });
  }

  clear(conversationId: string, userId: string): void {
    const key = `${conversationId}:${userId}`;
    clearTimeout(this.expiryTimers.get(key));
    this.expiryTimers.delete(key);
    this.typingUsers.update((all) => {
      const current = all[conversationId];
      if (!current?.includes(userId)) {
        return all;
      }
      return {
        ...all,
        [conversationId]: current.filter((id) => id !== userId),
      };
    });
  }

  /** Forgets everyone's typing (after a reconnect the old signals mean nothing). */
  clearOthers(): void {
    this.expiryTimers.forEach((timer) => clearTimeout(timer));
    this.expiryTimers.clear();
    this.typingUsers.set({});
  }

  /** Call on every keystroke. */
  noteOwnTyping(conversationId: string): void {
    const now = Date.now();
    if (this.own?.conversationId === conversationId) {
      clearTimeout(this.own.idleTimer);
      if (now - this.own.sentAt >= OWN_REPEAT_MS) {
        this.announce(conversationId, true);
        this.own.sentAt = now;
      }
      this.own.idleTimer = setTimeout(() => this.stopOwnTyping(), OWN_IDLE_MS);
      return;
    }
    this.stopOwnTyping();
    this.announce(conversationId, true);
    this.own = {
      conversationId,
      sentAt: now,
      idleTimer: setTimeout(() => this.stopOwnTyping(), OWN_IDLE_MS),
    };
  }

  stopOwnTyping(): void {
    if (!this.own) {
      return;
    }
    clearTimeout(this.own.idleTimer);
    this.announce(this.own.conversationId, false);
    this.own = null;
  }

  dispose(): void {
    this.stopOwnTyping();
    this.clearOthers();
  }
}
