import { Injectable, InjectionToken, inject, signal } from '@angular/core';
import { AuthService } from '../../../core/session/auth.service';

/** Where drafts survive a reload; a token so tests can hand in another Storage. */
export const DRAFT_STORAGE = new InjectionToken<Storage>('DRAFT_STORAGE', {
  providedIn: 'root',
  factory: () => localStorage,
});

const KEY_PREFIX = 'instantchat.draft';

/**
 * What the person had typed but not sent, per conversation, kept in the browser so it survives a
 * reload. Keyed by user as well, so someone else signing in on the same browser never sees it.
 */
@Injectable()
export class DraftsState {
  private readonly storage = inject(DRAFT_STORAGE);
  private readonly auth = inject(AuthService);
  /** Drafts written since the inbox opened; anything older is read from storage. */
  private readonly written = signal<Record<string, string>>({});

  read(conversationId: string): string {
    const written = this.written()[conversationId];
    if (written !== undefined) {
      return written;
    }
    const key = this.key(conversationId);
    try {
      return (key && this.storage.getItem(key)) || '';
    } catch {
      return '';
    }
  }

  save(conversationId: string, text: string): void {
    this.written.update((all) => ({ ...all, [conversationId]: text }));
    const key = this.key(conversationId);
    if (!key) {
      return;
    }
    try {
      if (text.trim()) {
        this.storage.setItem(key, text);
      } else {
        this.storage.removeItem(key);
      }
    } catch {
      // Storage full or blocked: the draft still lives for this visit.
    }
  }

  clear(conversationId: string): void {
    this.save(conversationId, '');
  }

  private key(conversationId: string): string | null {
    const userId = this.auth.user()?.id;
    return userId ? `${KEY_PREFIX}.${userId}.${conversationId}` : null;
  }
}
