import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import { EMPTY, Observable, catchError, defer, finalize, map, tap } from 'rxjs';
import { apiErrorMessage } from '../../../core/api-error';
import type { LoadStatus } from '../../../core/load-status';
import { ConversationsService } from '../data/conversations.service';
import { catchUpSince } from './catch-up';

/**
 * The inbox's conversations with their previews and unread counts. Loads return an observable
 * that completes once the list holds the answer (failures land in `error`), so the store can
 * decide what follows without this piece knowing about threads or the socket.
 */
@Injectable()
export class ConversationListState {
  private readonly api = inject(ConversationsService);
  private readonly destroyRef = inject(DestroyRef);

  private readonly all = signal<ConversationDto[]>([]);
  private readonly markingRead = new Set<string>();
  /** Conversations asked to be marked read again while a mark-read request was in flight. */
  private readonly readAgain = new Set<string>();
  /**
   * Per conversation, the newest message read here (`upTo`: its `lastMessageAt` when marked read)
   * and, once answered, when the server stamped that read (`readAt`), until a server copy shows
   * the read: copies made before it landed still count those messages unread. Once one has shown
   * it (`endedAfterLoad`: how many whole lists had been asked for then), it still judges the
   * answers to whole lists asked for before that, which skip the `updatedAt` check.
   */
  private readonly readHere = new Map<
    string,
    { upTo: string; readAt?: string; endedAfterLoad?: number }
  >();
  /** Whole lists asked for so far (load, or a catch-up with nothing held). */
  private wholeListsAsked = 0;
  /** The numbers of the whole lists not answered yet. */
  private readonly wholeListsInFlight = new Set<number>();

  readonly conversations = this.all.asReadonly();
  readonly status = signal<LoadStatus>('loading');
  readonly error = signal<string | null>(null);

  find(conversationId: string): ConversationDto | undefined {
    return this.all().find((candidate) => candidate.id === conversationId);
  }

  /** The local conversation the person already has with someone, if it is in the list. */
  localConversationWith(userId: string): ConversationDto | undefined {
    return this.all().find(
      (conversation) =>
        conversation.kind === 'local' &&
        conversation.participants.some((p) => p.id === userId),
    );
  }

  /** The whole list. Emits once when it has landed; nothing on failure. */
  load(): Observable<void> {
    this.status.set(this.all().length ? 'ready' : 'loading');
    this.error.set(null);
    return this.askWholeList().pipe(
      tap((conversations) => {
        this.all.set(conversations);
        this.status.set('ready');
      }),
      map(() => undefined),
      catchError((error: unknown) => {
        this.error.set(
          apiErrorMessage(error, 'Could not load your conversations.'),
        );
        this.status.set(this.all().length ? 'ready' : 'error');
        return EMPTY;
      }),
    );
  }

  /**
   * Only what changed since the newest `updatedAt` held, less a little (catch-up.ts), when
   * catching up after a reconnect.
   */
  syncChanges(): Observable<void> {
    const since = catchUpSince(
      this.all()
        .map((conversation) => conversation.updatedAt)
        .filter(Boolean),
    );
    const request = since
      ? this.api.list(since).pipe(map((changed) => ({ changed, whole: false })))
      : this.askWholeList().pipe(map((all) => ({ changed: all, whole: true })));
    return request.pipe(
      tap(({ changed, whole }) => {
        if (whole) {
          this.all.set(changed);
        } else {
          changed.forEach((conversation) => this.upsert(conversation));
        }
        this.error.set(null);
      }),
      map(() => undefined),
      catchError((error: unknown) => {
        this.error.set(
          apiErrorMessage(error, 'Could not refresh your conversations.'),
        );
        return EMPTY;
      }),
    );
  }

  /** One conversation not yet in the list (a message arrived in it, or a link opened it). */
  fetch(conversationId: string): Observable<void> {
    return this.api.get(conversationId).pipe(
      tap((conversation) => this.upsert(conversation)),
      map(() => undefined),
      catchError(() => EMPTY),
    );
  }

  upsert(conversation: ConversationDto): void {
    this.all.update((all) => {
      const index = all.findIndex(
        (candidate) => candidate.id === conversation.id,
      );
      if (index === -1) {
        return [...all, this.reconcile(conversation)];
      }
      // Concurrent sends can deliver their conversation:updated out of order; an older snapshot
      // must not roll back the preview and unread count of a newer one.
      if (conversation.updatedAt < all[index].updatedAt) {
        // Late, yet it may be the one that shows the read (stamped by an instance whose clock is
        // behind the one that stored the message).
        if (this.showsRead(conversation)) this.endRead(conversation.id);
        return all;
      }
      const copy = [...all];
      copy[index] = this.reconcile(conversation, all[index]);
      return copy;
    });
  }

  /**
   * Every conversation, as the list should hold them: numbered when asked for (readHere judges
   * the answers to lists asked for before a read ended) and tracked until answered.
   */
  private askWholeList(): Observable<ConversationDto[]> {
    return defer(() => {
      const asked = ++this.wholeListsAsked;
      this.wholeListsInFlight.add(asked);
      return this.api.list().pipe(
        map((conversations) => this.reconciled(conversations, asked)),
        finalize(() => this.wholeListsInFlight.delete(asked)),
      );
    });
  }

  /** A whole list (the `asked`-th) as the list should hold it. */
  private reconciled(
    conversations: ConversationDto[],
    asked: number,
  ): ConversationDto[] {
    const held = new Map(this.all().map((local) => [local.id, local]));
    return conversations.map((server) =>
      this.reconcile(server, held.get(server.id), asked),
    );
  }

  /** A copy showed the read: from now on only whole lists asked for before are judged by it. */
  private endRead(conversationId: string): void {
    const read = this.readHere.get(conversationId);
    if (read && read.endedAfterLoad === undefined) {
      read.endedAfterLoad = this.wholeListsAsked;
    }
  }

  /**
   * A server copy as the list should hold it. Made before this tab's read landed (its read older
   * than what was read here, and no newer message), it still counts the messages read here
   * unread: its count and an older preview give way to the list's own, which counts only what
   * came unseen since. A copy that shows the read, or a newer message, is taken as it is.
   */
  private reconcile(
    server: ConversationDto,
    local?: ConversationDto,
    wholeListAsked?: number,
  ): ConversationDto {
    const read = this.readHere.get(server.id);
    if (read === undefined) {
      return server;
    }
    if (
      read.endedAfterLoad !== undefined &&
      (wholeListAsked === undefined || wholeListAsked > read.endedAfterLoad)
    ) {
      // Forgotten once no list asked for before the end can still answer.
      const endedAfter = read.endedAfterLoad;
      if (![...this.wholeListsInFlight].some((asked) => asked <= endedAfter)) {
        this.readHere.delete(server.id);
      }
      return server;
    }
    if (this.showsRead(server) || server.lastMessageAt > read.upTo || !local) {
      this.endRead(server.id);
      return server;
    }
    const newerPreview = local.lastMessageAt > server.lastMessageAt;
    return {
      ...server,
      unreadCount: local.unreadCount,
      ...(newerPreview && {
        lastMessageAt: local.lastMessageAt,
        lastMessage: local.lastMessage,
      }),
    };
  }

  patch(conversationId: string, patch: Partial<ConversationDto>): void {
    this.all.update((all) =>
      all.map((conversation) =>
        conversation.id === conversationId
          ? { ...conversation, ...patch }
          : conversation,
      ),
    );
  }

  /** Shows a message as its conversation's preview, unless a newer one is shown already. */
  showLatest(message: MessageDto): void {
    const conversation = this.find(message.conversationId);
    if (conversation && message.createdAt >= conversation.lastMessageAt) {
      this.patch(message.conversationId, {
        lastMessageAt: message.createdAt,
        // As the server's own preview of it says it (conversation-updates.ts previewOf).
        lastMessage: {
          text: message.text,
          senderUserId: message.senderUserId,
          createdAt: message.createdAt,
          ...(message.deletedAt && { deleted: true }),
          ...(message.attachments.length > 0 && {
            attachmentTypes: message.attachments.map(({ type }) => type),
          }),
        },
      });
    }
  }

  /** One more unread message in a conversation the person is not looking at. */
  countUnread(conversationId: string): void {
    const conversation = this.find(conversationId);
    if (conversation) {
      this.patch(conversationId, {
        unreadCount: (conversation.unreadCount ?? 0) + 1,
      });
    }
  }

  /**
   * Whether a server copy shows the read made here: its `lastReadAt` reaches what was read, or the
   * server's stamp of that read (another instance's clock may be behind the one that stored the
   * message), or it counts nothing unread up to there.
   */
  private showsRead(server: ConversationDto): boolean {
    const read = this.readHere.get(server.id);
    if (read === undefined) return false;
    const lastReadAt = server.lastReadAt;
    return (
      (lastReadAt != null &&
        (lastReadAt >= read.upTo ||
          (read.readAt !== undefined && lastReadAt >= read.readAt))) ||
      (!(server.unreadCount > 0) && server.lastMessageAt >= read.upTo)
    );
  }

  /** Clears the badge at once and tells the server, once per burst of news. */
  markRead(conversationId: string): void {
    const upTo = this.find(conversationId)?.lastMessageAt;
    const before = this.readHere.get(conversationId);
    if (
      upTo &&
      (before === undefined ||
        before.endedAfterLoad !== undefined ||
        upTo > before.upTo)
    ) {
      // A new read: the stamp of the one before says nothing of it.
      this.readHere.set(conversationId, { upTo });
    }
    this.patch(conversationId, { unreadCount: 0 });
    if (this.markingRead.has(conversationId)) {
      // The request in flight may have been stamped before the message that prompted this call.
      this.readAgain.add(conversationId);
      return;
    }
    this.markingRead.add(conversationId);
    const sentFor = this.readHere.get(conversationId)?.upTo;
    let readAt: string | null = null;
    const settle = () => {
      this.markingRead.delete(conversationId);
      const askedAgain = this.readAgain.delete(conversationId);
      const conversation = this.find(conversationId);
      // Only a message newer than what the finished request marked read needs another one, and
      // not one counted unread meanwhile: that came while the tab was hidden, and is read when the
      // tab is shown (ActiveReading).
      if (
        askedAgain &&
        conversation &&
        !(conversation.unreadCount > 0) &&
        (readAt === null || conversation.lastMessageAt > readAt)
      ) {
        this.markRead(conversationId);
      }
    };
    this.api
      .markRead(conversationId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (receipt) => {
          readAt = receipt?.readAt ?? null;
          // The stamp stands for this request's read, not for a newer one asked for meanwhile.
          const read = this.readHere.get(conversationId);
          if (read && readAt && read.upTo === sentFor) {
            read.readAt = readAt;
          }
        },
        complete: settle,
        // Not worth interrupting the person: the badge comes back with the next server copy.
        error: () => {
          this.readHere.delete(conversationId);
          settle();
        },
      });
  }
}
