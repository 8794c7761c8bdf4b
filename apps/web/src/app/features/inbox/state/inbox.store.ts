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
import { Observable, map, tap } from 'rxjs';
import { PageVisibility } from '../../../core/page/page-visibility';
import { RealtimeService } from '../../../core/realtime/realtime.service';
import { AuthService } from '../../../core/session/auth.service';
import { ActiveReading } from './active-reading';
import { conversationTitle } from './conversation-names';
import { ConversationListState } from './conversation-list.state';
import { DeliveryRetryState } from './delivery-retry.state';
import { DraftThreadState } from './draft-thread.state';
import { DraftsState } from './drafts.state';
import { InboxViews } from './inbox-views';
import { NewMessageAlerts } from './new-message-alerts';
import { Outbox } from './outbox.state';
import { ThreadsState } from './threads.state';
import { TypingState } from './typing-state';
import { ThreadLandingState } from './thread-landing.state';

/**
 * The inbox as the pages see it. It composes the conversation list, the loaded threads, the outbox
 * and where an opened thread lands, wires them to the socket, and hands the pages the views derived
 * from them (`InboxViews`). REST gives the initial
 * picture; the socket keeps it live; every (re)connect catches up by refetching and merging by id,
 * so nothing missed while offline stays missing.
 * Provided by the inbox page, so it lives exactly as long as the signed-in inbox does.
 */
@Injectable()
export class InboxStore {
  private readonly realtime = inject(RealtimeService);
  private readonly auth = inject(AuthService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly list = inject(ConversationListState);
  private readonly threads = inject(ThreadsState);
  private readonly outbox = inject(Outbox);
  private readonly retries = inject(DeliveryRetryState);
  private readonly drafts = inject(DraftsState);
  private readonly alerts = inject(NewMessageAlerts);
  private readonly visibility = inject(PageVisibility);

  private readonly typing = new TypingState((conversationId, isTyping) =>
    this.realtime.sendTyping(conversationId, isTyping),
  );
  private readonly landing = inject(ThreadLandingState);
  private syncWhenLoaded = false;

  readonly listStatus = this.list.status;
  readonly listError = this.list.error;
  readonly activeConversationId = signal<string | null>(null);
  /** The latest incoming message in words, for screen readers (an aria-live region). */
  readonly announcement = this.alerts.announcement;
  readonly connectionStatus = this.realtime.status;
  /** Set when the person just picked someone to write to: the composer takes focus once. */
  readonly composerFocusRequested = signal(false);

  private readonly myId = computed(() => this.auth.user()?.id ?? null);

  /** A search hit the open conversation shows (scrolled to and highlighted); null for none. */
  readonly focusedMessageId = this.landing.focusedMessageId;
  private readonly draftThread = inject(DraftThreadState);
  /** The person picked in "New conversation" who has no conversation yet: a draft thread. */
  readonly draftRecipient = this.draftThread.recipient;
  /** What the person has typed to the draft thread's recipient. */
  readonly draftRecipientText = this.draftThread.text;

  /** The conversations held, as the API sent them (search hits are named from these). */
  readonly conversations = this.list.conversations;

  private readonly views = new InboxViews({
    list: this.list,
    threads: this.threads,
    outbox: this.outbox,
    retries: this.retries,
    drafts: this.drafts,
    typing: this.typing,
    activeConversationId: this.activeConversationId,
    unreadMarker: this.landing.marker,
    myId: this.myId,
  });

  /** Which conversations the list shows: all, those with unread messages, or local ones only. */
  readonly listFilter = this.views.listFilter;
  readonly conversationItems = this.views.conversationItems;
  readonly visibleConversationItems = this.views.visibleConversationItems;
  readonly filterOptions = this.views.filterOptions;
  readonly activeFilter = this.views.activeFilter;
  readonly listEmptyState = this.views.listEmptyState;
  readonly unreadTotal = this.views.unreadTotal;
  readonly activeDraft = this.views.activeDraft;
  readonly activeConversation = this.views.activeConversation;
  readonly activeTitle = this.views.activeTitle;
  readonly activeThread = this.views.activeThread;
  readonly activeTimeline = this.views.activeTimeline;
  readonly activeFirstUnreadId = this.views.activeFirstUnreadId;
  readonly activeTypingNames = this.views.activeTypingNames;

  private readonly reading = new ActiveReading({
    list: this.list,
    landing: this.landing,
    visibility: this.visibility,
    activeConversationId: this.activeConversationId,
    activeConversation: this.activeConversation,
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
    // What arrived in the open conversation while the tab was hidden is read once it is seen,
    // under the "New messages" divider.
    this.follow(this.visibility.changes$, () => this.reading.returnToActive());
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
        this.reading.markActiveReadIfNeeded();
        if (this.syncWhenLoaded) {
          this.syncWhenLoaded = false;
          this.syncChanges();
        }
      });
  }

  /**
   * Shows a conversation: loads its history once, far enough back to show the first unread message
   * (or `focusMessageId`, a search hit), and clears its unread badge.
   */
  open(
    conversationId: string | null,
    focusMessageId: string | null = null,
  ): void {
    const changed = this.activeConversationId() !== conversationId;
    if (changed) {
      this.typing.stopOwnTyping();
    }
    this.activeConversationId.set(conversationId);
    this.focusedMessageId.set(conversationId ? focusMessageId : null);
    if (!conversationId) {
      this.landing.clearMarker();
      return;
    }
    const known = this.list.find(conversationId);
    if (changed) {
      this.landing.takeMarker(known);
    }
    if (!known) {
      // Opened by a link: how much is unread decides how far back to load, so ask first.
      this.list
        .fetch(conversationId)
        .pipe(takeUntilDestroyed(this.destroyRef))
        .subscribe({
          complete: () => {
            if (this.activeConversationId() !== conversationId) {
              return;
            }
            this.reading.markActiveReadIfNeeded();
            // Also again after a failed or a not-found load: it may be there now.
            this.landing.loadUnlessHeld(conversationId);
          },
        });
      return;
    }
    this.landing.loadUnlessHeld(conversationId);
    this.reading.markActiveReadIfNeeded();
  }

  retryActive(): void {
    const id = this.activeConversationId();
    if (id) {
      this.landing.load(id);
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

  /** Sends a failed reply to Instagram again: the stored message, through the API. */
  retryDelivery(messageId: string): void {
    const conversationId = this.activeConversationId();
    if (conversationId) {
      this.retries.retry(conversationId, messageId);
    }
  }

  discard(clientMessageId: string): void {
    this.outbox.discard(clientMessageId);
  }

  /** The local conversation the person already has with someone, if it is in the list. */
  conversationWith(userId: string): ConversationDto | undefined {
    return this.list.localConversationWith(userId);
  }

  /** Opens a thread with someone that exists only here until its first message is sent. */
  beginDraftWith(user: UserDto): void {
    this.draftThread.begin(user);
  }

  saveDraftRecipientText(text: string): void {
    this.draftThread.saveText(text);
  }

  /** Sends the draft thread's first message, which creates the conversation; emits it once listed. */
  sendFirstMessage(text: string): Observable<ConversationDto> {
    return this.draftThread.send(text).pipe(
      tap(({ conversation, message }) => {
        this.list.upsert(conversation);
        this.threads.accept(message);
      }),
      map(({ conversation }) => conversation),
    );
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
    this.follow(realtime.connected$, ({ isReconnect }) =>
      this.onConnected(isReconnect),
    );
    this.follow(realtime.messageNew$, (message) => this.onMessageNew(message));
    this.follow(realtime.messageUpdated$, (message) =>
      this.threads.accept(message),
    );
    this.follow(realtime.messageRemoved$, ({ conversationId, messageId }) =>
      this.threads.remove(conversationId, messageId),
    );
    this.follow(realtime.conversationUpdated$, (conversation) => {
      this.list.upsert(conversation);
      this.reading.markActiveReadIfNeeded();
    });
    // The server sends a receipt only to the other participants: the reader's own tabs learn of
    // the read from `conversation:updated`, which the list's read reconciliation judges. One that
    // names this user is no one else having read anything.
    this.follow(realtime.messageRead$, (receipt) => {
      if (receipt.userId !== this.myId()) {
        this.threads.applyReadReceipt(receipt, this.myId());
      }
    });
    this.follow(realtime.typing$, (payload) => {
      if (payload.userId !== this.myId()) {
        this.typing.receive(payload);
      }
    });
  }

  /** Subscribes for as long as the inbox lives. */
  private follow<T>(stream: Observable<T>, handle: (value: T) => void): void {
    stream.pipe(takeUntilDestroyed(this.destroyRef)).subscribe(handle);
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
      // What came while the connection was down is new to the person, like a hidden tab's news.
      .subscribe(() => this.reading.returnToActive());
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
      this.list
        .fetch(message.conversationId)
        .pipe(takeUntilDestroyed(this.destroyRef))
        .subscribe(() => this.reading.markActiveReadIfNeeded());
      return;
    }
    if (!this.isMine(message) && isNews) {
      const isOnScreen = this.reading.takeNews(message);
      const from = conversationTitle(conversation, this.myId());
      this.alerts.alert(from, message, isOnScreen);
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
    this.list.showLatest(message);
  }
}

export type { ConversationFilter } from './conversation-filters';
