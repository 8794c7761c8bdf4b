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
  UserDto,
} from '@instantchat/contracts';
import { Observable, tap } from 'rxjs';
import { RealtimeService } from '../../../core/realtime/realtime.service';
import { AuthService } from '../../../core/session/auth.service';
import type { ConversationListItem } from '../components/conversation-list/conversation-list-item';
import type { TimelineEntry } from '../components/message-list/timeline-entry';
import { ConversationsService } from '../data/conversations.service';
import { conversationTitle, senderName } from './conversation-names';
import { conversationListItems } from './conversation-list-items';
import { ConversationListState } from './conversation-list.state';
import { DraftsState } from './drafts.state';
import { Outbox } from './outbox.state';
import { ThreadsState } from './threads.state';
import { pendingEntry, storedEntry } from './timeline';
import { TypingState } from './typing-state';

/**
 * The inbox as the pages see it. It composes the conversation list, the loaded threads and the
 * outbox, wires them to the socket, and derives what the screen shows. REST gives the initial
 * picture; the socket keeps it live; every (re)connect catches up by refetching and merging by id,
 * so nothing missed while offline stays missing.
 * Provided by the inbox page, so it lives exactly as long as the signed-in inbox does.
 */
@Injectable()
export class InboxStore {
  private readonly api = inject(ConversationsService);
  private readonly realtime = inject(RealtimeService);
  private readonly auth = inject(AuthService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly list = inject(ConversationListState);
  private readonly threads = inject(ThreadsState);
  private readonly outbox = inject(Outbox);
  private readonly drafts = inject(DraftsState);

  private readonly typing = new TypingState((conversationId, isTyping) =>
    this.realtime.sendTyping(conversationId, isTyping),
  );
  private syncWhenLoaded = false;

  readonly listStatus = this.list.status;
  readonly listError = this.list.error;
  readonly activeConversationId = signal<string | null>(null);
  /** The latest incoming message in words, for screen readers (an aria-live region). */
  readonly announcement = signal('');
  readonly connectionStatus = this.realtime.status;
  /** Set when the person just picked someone to write to: the composer takes focus once. */
  readonly composerFocusRequested = signal(false);

  private readonly myId = computed(() => this.auth.user()?.id ?? null);

  readonly conversationItems = computed<ConversationListItem[]>(() =>
    conversationListItems(
      this.list.conversations(),
      this.activeConversationId(),
      this.myId(),
    ),
  );

  /** Unread messages outside the open conversation, for the tab title. */
  readonly unreadTotal = computed(() =>
    this.conversationItems().reduce((sum, item) => sum + item.unreadCount, 0),
  );

  /** What the person had typed in the open conversation and not sent. */
  readonly activeDraft = computed(() => {
    const id = this.activeConversationId();
    return id ? this.drafts.read(id) : '';
  });

  readonly activeConversation = computed(() => {
    const id = this.activeConversationId();
    return (
      this.list
        .conversations()
        .find((conversation) => conversation.id === id) ?? null
    );
  });

  readonly activeTitle = computed(() => {
    const conversation = this.activeConversation();
    return conversation ? conversationTitle(conversation, this.myId()) : '';
  });

  readonly activeThread = computed(() => {
    const id = this.activeConversationId();
    return id ? (this.threads.byConversation()[id] ?? null) : null;
  });

  readonly activeTimeline = computed<TimelineEntry[]>(() => {
    const id = this.activeConversationId();
    if (!id) {
      return [];
    }
    const conversation = this.activeConversation();
    const myId = this.myId();
    const stored = (this.activeThread()?.messages ?? []).map((message) =>
      storedEntry(message, conversation, myId),
    );
    const outgoing = this.outbox
      .pending()
      .filter((item) => item.conversationId === id)
      .map(pendingEntry);
    return [...stored, ...outgoing];
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
    this.outbox.delivered$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((message) => this.acceptMessage(message));
    if (token) {
      this.realtime.connect(token);
    }
    this.destroyRef.onDestroy(() => {
      this.typing.dispose();
      this.realtime.disconnect();
    });
  }

  loadConversations(): void {
    this.list
      .load()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => {
        this.markActiveReadIfNeeded();
        if (this.syncWhenLoaded) {
          this.syncWhenLoaded = false;
          this.syncChanges();
        }
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
    const thread = this.threads.get(conversationId);
    if (!thread || thread.status === 'error') {
      this.threads.loadFirstPage(conversationId);
    }
    if (!this.list.find(conversationId)) {
      this.fetchConversation(conversationId);
    }
    this.markActiveReadIfNeeded();
  }

  retryActive(): void {
    const id = this.activeConversationId();
    if (id) {
      this.threads.loadFirstPage(id);
    }
  }

  loadOlder(): void {
    const id = this.activeConversationId();
    if (id) {
      this.threads.loadOlder(id);
    }
  }

  send(text: string): void {
    const conversationId = this.activeConversationId();
    const trimmed = text.trim();
    if (!conversationId || !trimmed) {
      return;
    }
    this.typing.stopOwnTyping();
    this.drafts.clear(conversationId);
    this.outbox.send(conversationId, trimmed);
  }

  saveDraft(text: string): void {
    const conversationId = this.activeConversationId();
    if (conversationId) {
      this.drafts.save(conversationId, text);
    }
  }

  requestComposerFocus(): void {
    this.composerFocusRequested.set(true);
  }

  retry(clientMessageId: string): void {
    this.outbox.retry(clientMessageId);
  }

  discard(clientMessageId: string): void {
    this.outbox.discard(clientMessageId);
  }

  /** Opens (or finds) the conversation with a person and puts it in the list. */
  startConversationWith(user: UserDto): Observable<ConversationDto> {
    return this.api
      .openWith(user.id)
      .pipe(tap((conversation) => this.list.upsert(conversation)));
  }

  /** Call on every keystroke in the composer. */
  noteTyping(): void {
    const conversationId = this.activeConversationId();
    if (conversationId) {
      this.typing.noteOwnTyping(conversationId);
    }
  }

  private listenToServer(): void {
    const { realtime } = this;
    realtime.connected$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(({ isReconnect }) => this.onConnected(isReconnect));
    realtime.messageNew$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((message) => this.onMessageNew(message));
    realtime.messageUpdated$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((message) => this.threads.accept(message));
    realtime.conversationUpdated$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((conversation) => {
        this.list.upsert(conversation);
        this.markActiveReadIfNeeded();
      });
    realtime.messageRead$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((receipt) => {
        if (receipt.userId === this.myId()) {
          this.list.patch(receipt.conversationId, { unreadCount: 0 });
        } else {
          this.threads.applyReadReceipt(receipt, this.myId());
        }
      });
    realtime.typing$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((payload) => {
        if (payload.userId !== this.myId()) {
          this.typing.receive(payload);
        }
      });
  }

  private onConnected(isReconnect: boolean): void {
    // Sends that failed while the connection was down go out again, under their own ids.
    this.outbox.retryFailed();
    if (isReconnect) {
      // Histories not on screen are dropped and fetched fresh when next opened.
      this.threads.keepOnly(this.activeConversationId());
      this.typing.clearOthers();
    }
    const status = this.list.status();
    if (status === 'ready') {
      this.syncChanges();
    } else if (status === 'loading') {
      // The first load was asked for before the socket joined: anything written in between is
      // in neither, so look again once it lands.
      this.syncWhenLoaded = true;
    } else {
      this.loadConversations();
    }
  }

  /** Fetches only what changed since what is held: conversations by `updatedAt`, messages by id. */
  private syncChanges(): void {
    this.list
      .syncChanges()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => this.markActiveReadIfNeeded());
    const activeId = this.activeConversationId();
    if (activeId) {
      this.threads
        .catchUp(activeId)
        .pipe(takeUntilDestroyed(this.destroyRef))
        .subscribe((messages) =>
          messages.forEach((message) => this.settleOwnEcho(message)),
        );
    }
  }

  private onMessageNew(message: MessageDto): void {
    this.settleOwnEcho(message);
    const conversation = this.list.find(message.conversationId);
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
    if (!this.isMine(message) && isNews) {
      if (message.conversationId === this.activeConversationId()) {
        this.list.markRead(message.conversationId);
      } else {
        this.list.patch(message.conversationId, {
          unreadCount: (conversation.unreadCount ?? 0) + 1,
        });
      }
      this.announcement.set(
        `New message from ${conversationTitle(conversation, this.myId())}: ${message.text}`,
      );
    }
  }

  private settleOwnEcho(message: MessageDto): void {
    if (this.isMine(message)) {
      this.outbox.settle(message);
    }
  }

  private isMine(message: MessageDto): boolean {
    return (
      message.senderUserId !== null && message.senderUserId === this.myId()
    );
  }

  /** Puts a message into its thread (if loaded) and the list's preview, once. */
  private acceptMessage(message: MessageDto): void {
    this.threads.accept(message);
    const conversation = this.list.find(message.conversationId);
    if (conversation && message.createdAt >= conversation.lastMessageAt) {
      this.list.patch(message.conversationId, {
        lastMessageAt: message.createdAt,
        lastMessage: {
          text: message.text,
          senderUserId: message.senderUserId,
          createdAt: message.createdAt,
        },
      });
    }
  }

  private markActiveReadIfNeeded(): void {
    const conversation = this.activeConversation();
    if (conversation && conversation.unreadCount > 0) {
      this.list.markRead(conversation.id);
    }
  }

  private fetchConversation(conversationId: string): void {
    this.list
      .fetch(conversationId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => this.markActiveReadIfNeeded());
  }
}

/** What the inbox page provides: the store and the pieces it composes, one set per inbox. */
export const INBOX_STATE_PROVIDERS = [
  InboxStore,
  ConversationListState,
  ThreadsState,
  Outbox,
  DraftsState,
];
