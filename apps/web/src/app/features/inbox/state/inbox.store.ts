import {
  DestroyRef,
  Injectable,
  computed,
  inject,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type {
  ConversationDto,
  MessageDto,
  ReadReceiptDto,
  UserDto,
} from '@instantchat/contracts';
import { Observable, map, tap } from 'rxjs';
import type { ConversationListItem } from '../components/conversation-list/conversation-list-item';
import type { TimelineEntry } from '../components/message-list/timeline-entry';
import { apiErrorMessage } from '../../../core/api-error';
import { AuthService } from '../../../core/session/auth.service';
import { ConversationsService } from '../data/conversations.service';
import type { LoadStatus } from '../../../core/load-status';
import { RealtimeService } from '../../../core/realtime/realtime.service';
import { newClientMessageId } from '../data/client-message-id';
import {
  conversationPreview,
  conversationTitle,
  senderName,
} from './conversation-names';
import { TypingState } from './typing-state';

export interface Thread {
  /** Oldest first, as the chat window shows them. */
  messages: MessageDto[];
  nextCursor: string | null;
  status: LoadStatus;
  error: string | null;
  loadingOlder: boolean;
  olderError: string | null;
}

interface PendingMessage {
  /** A UUID made for this message and sent with every attempt, so the server stores it once. */
  clientMessageId: string;
  conversationId: string;
  text: string;
  status: 'pending' | 'failed';
  error: string | null;
  createdAt: string;
}

const emptyThread = (): Thread => ({
  messages: [],
  nextCursor: null,
  status: 'loading',
  error: null,
  loadingOlder: false,
  olderError: null,
});

/**
 * The inbox's state: conversation list, loaded histories, messages on their way out and who is
 * typing. REST gives the initial picture; the socket keeps it live; every (re)connect catches up
 * by refetching and merging by id, so nothing missed while offline stays missing.
 * Provided by the inbox page, so it lives exactly as long as the signed-in inbox does.
 */
@Injectable()
export class InboxStore {
  private readonly api = inject(ConversationsService);
  private readonly realtime = inject(RealtimeService);
  private readonly auth = inject(AuthService);
  private readonly destroyRef = inject(DestroyRef);

  private readonly conversations = signal<ConversationDto[]>([]);
  private readonly threads = signal<Record<string, Thread>>({});
  private readonly pending = signal<PendingMessage[]>([]);
  private readonly typing = new TypingState((conversationId, isTyping) =>
    this.realtime.sendTyping(conversationId, isTyping),
  );
  private readonly markingRead = new Set<string>();
  /** Conversations asked to be marked read again while a mark-read request was in flight. */
  private readonly readAgain = new Set<string>();
  private syncWhenLoaded = false;

  readonly listStatus = signal<LoadStatus>('loading');
  readonly listError = signal<string | null>(null);
  readonly activeConversationId = signal<string | null>(null);
  /** The latest incoming message in words, for screen readers (an aria-live region). */
  readonly announcement = signal('');
  readonly connectionStatus = this.realtime.status;

  private readonly myId = computed(() => this.auth.user()?.id ?? null);

  readonly conversationItems = computed<ConversationListItem[]>(() => {
    const activeId = this.activeConversationId();
    const myId = this.myId();
    return [...this.conversations()]
      .sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt))
      .map((conversation) => {
        const title = conversationTitle(conversation, myId);
        return {
          id: conversation.id,
          kind: conversation.kind,
          title,
          initial: title.replace(/^@/, '').charAt(0).toUpperCase(),
          preview: conversationPreview(conversation, myId),
          lastMessageAt: conversation.lastMessageAt,
          // The open conversation is being read as messages arrive.
          unreadCount:
            conversation.id === activeId ? 0 : conversation.unreadCount,
          isActive: conversation.id === activeId,
        };
      });
  });

  readonly activeConversation = computed(() => {
    const id = this.activeConversationId();
    return (
      this.conversations().find((conversation) => conversation.id === id) ??
      null
    );
  });

  readonly activeTitle = computed(() => {
    const conversation = this.activeConversation();
    return conversation ? conversationTitle(conversation, this.myId()) : '';
  });

  readonly activeThread = computed(() => {
    const id = this.activeConversationId();
    return id ? (this.threads()[id] ?? null) : null;
  });

  readonly activeTimeline = computed<TimelineEntry[]>(() => {
    const id = this.activeConversationId();
    const conversation = this.activeConversation();
    const thread = this.activeThread();
    if (!id) {
      return [];
    }
    const sent = (thread?.messages ?? []).map((message) =>
      this.toEntry(message, conversation),
    );
    const outgoing = this.pending()
      .filter((item) => item.conversationId === id)
      .map<TimelineEntry>((item) => ({
        key: `pending:${item.clientMessageId}`,
        clientId: item.clientMessageId,
        text: item.text,
        isDeleted: false,
        createdAt: item.createdAt,
        isMine: true,
        senderName: 'You',
        status: item.status,
        error: item.error,
        isFromInstagram: false,
        attachments: [],
      }));
    return [...sent, ...outgoing];
  });

  readonly activeTypingNames = computed(() => {
    const id = this.activeConversationId();
    const conversation = this.activeConversation();
    if (!id) {
      return [];
    }
    return (this.typing.byConversation()[id] ?? []).map((userId) =>
      senderName(userId, conversation, this.myId()),
    );
  });

  constructor() {
    const token = this.auth.accessToken();
    this.loadConversations();
    this.listenToServer();
    if (token) {
      this.realtime.connect(token);
    }
    this.destroyRef.onDestroy(() => {
      this.typing.dispose();
      this.realtime.disconnect();
    });
  }

  loadConversations(): void {
    this.listStatus.set(this.conversations().length ? 'ready' : 'loading');
    this.listError.set(null);
    this.api
      .list()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (conversations) => {
          this.conversations.set(conversations);
          this.listStatus.set('ready');
          this.markActiveReadIfNeeded();
          if (this.syncWhenLoaded) {
            this.syncWhenLoaded = false;
            this.syncChanges();
          }
        },
        error: (error: unknown) => {
          this.listError.set(
            apiErrorMessage(error, 'Could not load your conversations.'),
          );
          this.listStatus.set(this.conversations().length ? 'ready' : 'error');
        },
      });
  }

  /** Shows a conversation: loads its first page once and clears its unread badge. */
  open(conversationId: string | null): void {
    if (this.activeConversationId() !== conversationId) {
      this.typing.stopOwnTyping();
    }
    this.activeConversationId.set(conversationId);
    if (!conversationId) {
      return;
    }
    const thread = this.threads()[conversationId];
    if (!thread || thread.status === 'error') {
      this.loadFirstPage(conversationId);
    }
    if (
      !this.conversations().some(
        (conversation) => conversation.id === conversationId,
      )
    ) {
      this.fetchConversation(conversationId);
    }
    this.markActiveReadIfNeeded();
  }

  retryActive(): void {
    const id = this.activeConversationId();
    if (id) {
      this.loadFirstPage(id);
    }
  }

  loadOlder(): void {
    const id = this.activeConversationId();
    const thread = id ? this.threads()[id] : undefined;
    if (!id || !thread?.nextCursor || thread.loadingOlder) {
      return;
    }
    this.patchThread(id, { loadingOlder: true, olderError: null });
    this.api
      .messages(id, { before: thread.nextCursor })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) =>
          this.updateThread(id, (current) => ({
            ...current,
            messages: mergeById(current.messages, page.items),
            nextCursor: page.nextCursor,
            loadingOlder: false,
          })),
        error: (error: unknown) =>
          this.patchThread(id, {
            loadingOlder: false,
            olderError: apiErrorMessage(
              error,
              'Could not load older messages.',
            ),
          }),
      });
  }

  send(text: string): void {
    const conversationId = this.activeConversationId();
    const trimmed = text.trim();
    if (!conversationId || !trimmed) {
      return;
    }
    this.typing.stopOwnTyping();
    const item: PendingMessage = {
      clientMessageId: newClientMessageId(),
      conversationId,
      text: trimmed,
      status: 'pending',
      error: null,
      createdAt: new Date().toISOString(),
    };
    this.pending.update((items) => [...items, item]);
    this.deliver(item);
  }

  /**
   * Sends a failed message again under the same clientMessageId: if the first attempt reached the
   * server after all, the server answers with that message instead of storing a second one.
   */
  retry(clientMessageId: string): void {
    const item = this.pending().find(
      (candidate) => candidate.clientMessageId === clientMessageId,
    );
    if (!item || item.status !== 'failed') {
      return;
    }
    this.updatePending(clientMessageId, { status: 'pending', error: null });
    this.deliver(item);
  }

  discard(clientMessageId: string): void {
    this.pending.update((items) =>
      items.filter((item) => item.clientMessageId !== clientMessageId),
    );
  }

  /** Opens (or finds) the conversation with a person and puts it in the list. */
  startConversationWith(user: UserDto): Observable<ConversationDto> {
    return this.api
      .openWith(user.id)
      .pipe(tap((conversation) => this.upsertConversation(conversation)));
  }

  /** Call on every keystroke in the composer. */
  noteTyping(): void {
    const conversationId = this.activeConversationId();
    if (conversationId) {
      this.typing.noteOwnTyping(conversationId);
    }
  }

  private deliver(item: PendingMessage): void {
    this.api
      .send(item.conversationId, item.text, item.clientMessageId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (message) => {
          this.discard(item.clientMessageId);
          this.acceptMessage(message);
        },
        error: (error: unknown) =>
          this.updatePending(item.clientMessageId, {
            status: 'failed',
            error: apiErrorMessage(error, 'Not sent.'),
          }),
      });
  }

  private listenToServer(): void {
    const { realtime } = this;
    realtime.connected$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(({ isReconnect }) => {
        this.onConnected(isReconnect);
      });
    realtime.messageNew$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((message) => this.onMessageNew(message));
    realtime.messageUpdated$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((message) => this.replaceMessage(message));
    realtime.conversationUpdated$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((conversation) => {
        this.upsertConversation(conversation);
        this.markActiveReadIfNeeded();
      });
    realtime.messageRead$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((receipt) => this.onRead(receipt));
    realtime.typing$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((payload) => {
        if (payload.userId !== this.myId()) {
          this.typing.receive(payload);
        }
      });
  }

  private onConnected(isReconnect: boolean): void {
    if (isReconnect) {
      // Histories not on screen are dropped and fetched fresh when next opened.
      const activeId = this.activeConversationId();
      this.threads.update((threads) =>
        activeId && threads[activeId] ? { [activeId]: threads[activeId] } : {},
      );
      this.typing.clearOthers();
    }
    if (this.listStatus() === 'ready') {
      this.syncChanges();
    } else if (this.listStatus() === 'loading') {
      // The first load was asked for before the socket joined: anything written in between is
      // in neither, so look again once it lands.
      this.syncWhenLoaded = true;
    } else {
      this.loadConversations();
    }
  }

  /** Fetches only what changed since what is held: conversations by `updatedAt`, messages by id. */
  private syncChanges(): void {
    const since = this.conversations()
      .map((conversation) => conversation.updatedAt)
      .filter(Boolean)
      .sort()
      .at(-1);
    this.api
      .list(since)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (changed) => {
          if (since) {
            changed.forEach((conversation) =>
              this.upsertConversation(conversation),
            );
          } else {
            this.conversations.set(changed);
          }
          this.listError.set(null);
          this.markActiveReadIfNeeded();
        },
        error: (error: unknown) =>
          this.listError.set(
            apiErrorMessage(error, 'Could not refresh your conversations.'),
          ),
      });

    const activeId = this.activeConversationId();
    const thread = activeId ? this.threads()[activeId] : undefined;
    if (!activeId || thread?.status !== 'ready') {
      return;
    }
    const newestId = thread.messages.at(-1)?.id;
    const missed = newestId
      ? this.api.messagesAfter(activeId, newestId)
      : this.api.messages(activeId).pipe(map((page) => page.items));
    missed.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (messages) => {
        this.updateThread(activeId, (current) => ({
          ...current,
          messages: mergeById(current.messages, messages),
        }));
        messages.forEach((message) => this.settlePendingEcho(message));
      },
      // The open thread keeps what it has; the next reconnect or reopen tries again.
      error: () => undefined,
    });
  }

  private onMessageNew(message: MessageDto): void {
    const isMine = this.isMine(message);
    this.settlePendingEcho(message);
    const conversation = this.conversations().find(
      (candidate) => candidate.id === message.conversationId,
    );
    const isNews =
      !conversation || message.createdAt > conversation.lastMessageAt;
    this.acceptMessage(message);
    if (message.senderUserId) {
      this.typing.clear(message.conversationId, message.senderUserId);
    }

    if (!conversation) {
      this.fetchConversation(message.conversationId);
      return;
    }
    if (!isMine && isNews) {
      if (message.conversationId === this.activeConversationId()) {
        this.markRead(message.conversationId);
      } else {
        this.patchConversation(message.conversationId, {
          unreadCount: (conversation.unreadCount ?? 0) + 1,
        });
      }
      this.announcement.set(
        `New message from ${conversationTitle(conversation, this.myId())}: ${message.text}`,
      );
    }
  }

  /**
   * The socket can beat the POST's response: the stored message replaces its pending bubble. Only
   * the bubble sent with the same clientMessageId: the same words from another tab are another
   * message, and must not hide this one's outcome. A failed bubble whose message turns up was
   * stored after all.
   */
  private settlePendingEcho(message: MessageDto): void {
    const { clientMessageId } = message;
    if (!clientMessageId || !this.isMine(message)) {
      return;
    }
    if (
      this.pending().some((item) => item.clientMessageId === clientMessageId)
    ) {
      this.discard(clientMessageId);
    }
  }

  private isMine(message: MessageDto): boolean {
    return (
      message.senderUserId !== null && message.senderUserId === this.myId()
    );
  }

  /** Puts a message into its thread (if loaded) and the list's preview, once. */
  private acceptMessage(message: MessageDto): void {
    this.updateThread(message.conversationId, (thread) => ({
      ...thread,
      messages: mergeById(thread.messages, [message]),
    }));
    const conversation = this.conversations().find(
      (candidate) => candidate.id === message.conversationId,
    );
    if (conversation && message.createdAt >= conversation.lastMessageAt) {
      this.patchConversation(message.conversationId, {
        lastMessageAt: message.createdAt,
        lastMessage: {
          text: message.text,
          senderUserId: message.senderUserId,
          createdAt: message.createdAt,
        },
      });
    }
  }

  private replaceMessage(message: MessageDto): void {
    this.updateThread(message.conversationId, (thread) => ({
      ...thread,
      messages: mergeById(thread.messages, [message]),
    }));
  }

  private onRead(receipt: ReadReceiptDto): void {
    const myId = this.myId();
    if (receipt.userId === myId) {
      this.patchConversation(receipt.conversationId, { unreadCount: 0 });
      return;
    }
    this.updateThread(receipt.conversationId, (thread) => ({
      ...thread,
      messages: thread.messages.map((message) =>
        message.senderUserId === myId &&
        message.createdAt <= receipt.readAt &&
        message.status !== 'failed'
          ? { ...message, status: 'read' }
          : message,
      ),
    }));
  }

  private markActiveReadIfNeeded(): void {
    const conversation = this.activeConversation();
    if (conversation && conversation.unreadCount > 0) {
      this.markRead(conversation.id);
    }
  }

  private markRead(conversationId: string): void {
    this.patchConversation(conversationId, { unreadCount: 0 });
    if (this.markingRead.has(conversationId)) {
      // The request in flight may have been stamped before the message that prompted this call.
      this.readAgain.add(conversationId);
      return;
    }
    this.markingRead.add(conversationId);
    let readAt: string | null = null;
    const settle = () => {
      this.markingRead.delete(conversationId);
      const askedAgain = this.readAgain.delete(conversationId);
      const conversation = this.conversations().find(
        (candidate) => candidate.id === conversationId,
      );
      // Only a message newer than what the finished request marked read needs another one.
      if (
        askedAgain &&
        conversation &&
        (readAt === null || conversation.lastMessageAt > readAt)
      ) {
        this.markRead(conversationId);
      }
    };
    this.api
      .markRead(conversationId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (receipt) => (readAt = receipt?.readAt ?? null),
        complete: settle,
        // Not worth interrupting the person: the badge comes back on the next list refresh.
        error: settle,
      });
  }

  private loadFirstPage(conversationId: string): void {
    this.threads.update((threads) => ({
      ...threads,
      [conversationId]: emptyThread(),
    }));
    this.api
      .messages(conversationId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) =>
          this.updateThread(conversationId, (thread) => ({
            ...thread,
            messages: mergeById(thread.messages, page.items),
            nextCursor: page.nextCursor,
            status: 'ready',
          })),
        error: (error: unknown) =>
          this.patchThread(conversationId, {
            status: 'error',
            error: apiErrorMessage(error, 'Could not load this conversation.'),
          }),
      });
  }

  private fetchConversation(conversationId: string): void {
    this.api
      .get(conversationId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (conversation) => {
          this.upsertConversation(conversation);
          this.markActiveReadIfNeeded();
        },
        error: () => undefined,
      });
  }

  private upsertConversation(conversation: ConversationDto): void {
    this.conversations.update((all) => {
      const index = all.findIndex(
        (candidate) => candidate.id === conversation.id,
      );
      if (index === -1) {
        return [...all, conversation];
      }
      // Concurrent sends can deliver their conversation:updated out of order; an older snapshot
      // must not roll back the preview and unread count of a newer one.
      if (conversation.updatedAt < all[index].updatedAt) {
        return all;
      }
      const copy = [...all];
      copy[index] = conversation;
      return copy;
    });
  }

  private patchConversation(
    conversationId: string,
    patch: Partial<ConversationDto>,
  ): void {
    this.conversations.update((all) =>
      all.map((conversation) =>
        conversation.id === conversationId
          ? { ...conversation, ...patch }
          : conversation,
      ),
    );
  }

  /** Changes a thread only if it is loaded; unloaded threads fetch fresh when opened. */
  private updateThread(
    conversationId: string,
    change: (thread: Thread) => Thread,
  ): void {
    this.threads.update((threads) => {
      const thread = threads[conversationId];
      return thread
        ? { ...threads, [conversationId]: change(thread) }
        : threads;
    });
  }

  private patchThread(conversationId: string, patch: Partial<Thread>): void {
    this.updateThread(conversationId, (thread) => ({ ...thread, ...patch }));
  }

  private updatePending(
    clientMessageId: string,
    patch: Partial<PendingMessage>,
  ): void {
    this.pending.update((items) =>
      items.map((item) =>
        item.clientMessageId === clientMessageId ? { ...item, ...patch } : item,
      ),
    );
  }

  private toEntry(
    message: MessageDto,
    conversation: ConversationDto | null,
  ): TimelineEntry {
    const isMine = this.isMine(message);
    return {
      key: message.id,
      clientId: null,
      text: message.deletedAt ? 'This message was unsent' : message.text,
      attachments: message.deletedAt
        ? []
        : message.attachments.filter(
            (attachment): attachment is { type: string; url: string } =>
              !!attachment.url,
          ),
      isDeleted: !!message.deletedAt,
      createdAt: message.createdAt,
      isMine,
      senderName: senderName(message.senderUserId, conversation, this.myId()),
      status: message.status,
      error: message.error ?? null,
      isFromInstagram: message.isFromInstagram,
    };
  }
}

/** Adds or replaces messages by id and keeps the thread oldest-first. */
export function mergeById(
  existing: MessageDto[],
  incoming: MessageDto[],
): MessageDto[] {
  if (incoming.length === 0) {
    return existing;
  }
  const byId = new Map(existing.map((message) => [message.id, message]));
  for (const message of incoming) {
    byId.set(message.id, message);
  }
  return [...byId.values()].sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
}
