import { Injectable, computed, inject, signal } from '@angular/core';
import type { FirstMessageResult, UserDto } from '@instantchat/contracts';
import { type Observable, tap } from 'rxjs';
import { newClientMessageId } from '../data/client-message-id';
import { ConversationsService } from '../data/conversations.service';
import { DraftsState } from './drafts.state';

/**
 * The thread with someone picked in "New conversation" who has no conversation yet. It exists only
 * here: its first message creates the conversation (`POST /api/conversations/messages`), so the
 * other person sees nothing before something is said. Its text is kept like any draft.
 */
@Injectable()
export class DraftThreadState {
  private readonly api = inject(ConversationsService);
  private readonly drafts = inject(DraftsState);
  /** The first message is sent, and retried after a failure, under this one id. */
  private clientMessageId = newClientMessageId();

  readonly recipient = signal<UserDto | null>(null);

  readonly text = computed(() => {
    const recipient = this.recipient();
    return recipient ? this.drafts.read(draftKey(recipient.id)) : '';
  });

  begin(user: UserDto): void {
    if (this.recipient()?.id !== user.id) {
      this.clientMessageId = newClientMessageId();
    }
    this.recipient.set(user);
  }

  saveText(text: string): void {
    const recipient = this.recipient();
    if (recipient) {
      this.drafts.save(draftKey(recipient.id), text);
    }
  }

  /** Sends the first message; once stored, the draft is over and its text cleared. */
  send(text: string): Observable<FirstMessageResult> {
    const recipient = this.recipient();
    const trimmed = text.trim();
    if (!recipient || !trimmed) {
      throw new Error('No draft thread or nothing to send');
    }
    return this.api.sendFirst(recipient.id, trimmed, this.clientMessageId).pipe(
      tap(() => {
        this.drafts.clear(draftKey(recipient.id));
        this.recipient.set(null);
        this.clientMessageId = newClientMessageId();
      }),
    );
  }
}

/** Drafts to someone without a conversation yet are kept under the person's id. */
function draftKey(userId: string): string {
  return `new:${userId}`;
}
