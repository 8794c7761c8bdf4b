import {
  DOCUMENT,
  DestroyRef,
  Injectable,
  InjectionToken,
  computed,
  inject,
  signal,
} from '@angular/core';
import {
  ClientEvent,
  SOCKET_PATH,
  SOCKET_UNAUTHORIZED,
  ServerEvent,
  type ClientToServerEvents,
  type ConversationDto,
  type InstagramStatusPayload,
  type MessageDto,
  type MessageRemovedPayload,
  type ReadReceiptDto,
  type ServerToClientEvents,
  type TypingPayload,
  type WebhookEventDto,
} from '@instantchat/contracts';
import { Observable, Subject } from 'rxjs';
import { AuthService } from '../session/auth.service';
import {
  io,
  type ManagerOptions,
  type Socket,
  type SocketOptions,
} from 'socket.io-client';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How the socket is doing, as the person should understand it. */
export type ConnectionStatus =
  | 'offline'
  | 'connecting'
  | 'connected'
  | 'reconnecting';

/**
 * How often the API's Socket.io server pings (its default, which the API keeps). Socket.io itself
 * waits a further 20 s (`pingTimeout`) before calling a silent connection dead; the dashboard gives
 * up after a short grace instead, so "Live" never outlasts the connection by much.
 */
export const SERVER_PING_INTERVAL_MS = 25_000;
const MISSED_PING_GRACE_MS = 5_000;
/** How long the server has to acknowledge `instagram:events:watch` before it is asked again. */
const WATCH_ACK_TIMEOUT_MS = 10_000;

/** Builds the socket; a token so tests can hand in a fake one. */
export const SOCKET_FACTORY = new InjectionToken<
  (options: Partial<ManagerOptions & SocketOptions>) => ChatSocket
>('SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => (options) => io(options),
});

/**
 * The one Socket.io connection to the API (same origin, JWT in the handshake). Server events
 * come out as streams; `connected$` fires on every (re)connect so consumers can catch up on
 * whatever they missed while the connection was down.
 *
 * The status follows the network within seconds: the browser's offline event drops the
 * connection at once, its online event reconnects without waiting out Socket.io's backoff, and a
 * server ping overdue by a few seconds counts as a lost connection.
 */
@Injectable({ providedIn: 'root' })
export class RealtimeService {
  private readonly createSocket = inject(SOCKET_FACTORY);
  private readonly auth = inject(AuthService);
  private socket: ChatSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly window = inject(DOCUMENT).defaultView;

  private readonly statusSignal = signal<ConnectionStatus>('offline');
  readonly status = this.statusSignal.asReadonly();

  readonly connected$ = new Subject<{ isReconnect: boolean }>();
  readonly messageNew$ = new Subject<MessageDto>();
  readonly messageUpdated$ = new Subject<MessageDto>();
  readonly messageRemoved$ = new Subject<MessageRemovedPayload>();
  readonly conversationUpdated$ = new Subject<ConversationDto>();
  readonly messageRead$ = new Subject<ReadReceiptDto>();
  readonly typing$ = new Subject<TypingPayload>();
  readonly instagramStatus$ = new Subject<InstagramStatusPayload>();
  /** `instagram:event` as it arrives; subscribe through watchInstagramEvents(), which asks for it. */
  private readonly instagramEvent$ = new Subject<WebhookEventDto>();
  /** Subscribers of watchInstagramEvents(): while any, every connection of this socket asks. */
  private instagramEventWatchers = 0;
  private watchRetryTimer: ReturnType<typeof setTimeout> | undefined;
  private watchRetries = 0;
  /**
   * The server acknowledged a watch (on opening and after every reconnect): from now on every
   * delivery is pushed, so what came before it is worth one fetch.
   */
  readonly instagramEventsWatched$ = new Subject<void>();
  /** Whether the server took this connection's watch. */
  private readonly instagramWatchTaken = signal(false);
  /** As `status`, for `instagram:event`: connected is only "Live" once the watch is taken. */
  readonly instagramEventsStatus = computed<ConnectionStatus>(() => {
    const status = this.status();
    return status === 'connected' && !this.instagramWatchTaken()
      ? 'connecting'
      : status;
  });

  constructor() {
    const onOffline = () => this.onNetworkLost();
    const onOnline = () => this.onNetworkBack();
    this.window?.addEventListener('offline', onOffline);
    this.window?.addEventListener('online', onOnline);
    inject(DestroyRef).onDestroy(() => {
      this.window?.removeEventListener('offline', onOffline);
      this.window?.removeEventListener('online', onOnline);
    });
  }

  connect(token: string): void {
    this.disconnect();
    const socket = this.createSocket({ path: SOCKET_PATH, auth: { token } });
    this.socket = socket;
    this.statusSignal.set('connecting');
    let hasConnected = false;

    socket.on('connect', () => {
      this.retries = 0;
      this.statusSignal.set('connected');
      this.expectPing(socket);
      // The server forgets a watch with the connection it came on.
      this.instagramWatchTaken.set(false);
      if (this.instagramEventWatchers > 0) {
        this.sendWatch(socket, true);
      }
      this.connected$.next({ isReconnect: hasConnected });
      hasConnected = true;
    });
    socket.on('disconnect', (reason) => {
      if (this.socket !== socket) {
        return;
      }
      clearTimeout(this.heartbeatTimer);
      this.instagramWatchTaken.set(false);
      this.statusSignal.set(this.isOnline() ? 'reconnecting' : 'offline');
      // Socket.io retries on its own except after the server dropped us on purpose.
      if (reason === 'io server disconnect') {
        this.retryLater(socket);
      }
    });
    socket.on('connect_error', (error) => {
      if (this.socket !== socket) {
        return;
      }
      if (error.message === SOCKET_UNAUTHORIZED) {
        // The token was refused (expired or revoked): the session is over; signing out tears
        // this socket down through the inbox going away.
        this.auth.logout('expired');
        return;
      }
      if (!this.isOnline()) {
        this.statusSignal.set('offline');
      } else {
        this.statusSignal.set(hasConnected ? 'reconnecting' : 'connecting');
      }
      if (!socket.active) {
        this.retryLater(socket);
      }
    });

    socket.on(ServerEvent.MessageNew, (message) =>
      this.messageNew$.next(message),
    );
    socket.on(ServerEvent.MessageUpdated, (message) =>
      this.messageUpdated$.next(message),
    );
    socket.on(ServerEvent.MessageRemoved, (payload) =>
      this.messageRemoved$.next(payload),
    );
    socket.on(ServerEvent.ConversationUpdated, (conversation) =>
      this.conversationUpdated$.next(conversation),
    );
    socket.on(ServerEvent.MessageRead, (receipt) =>
      this.messageRead$.next(receipt),
    );
    socket.on(ServerEvent.Typing, (payload) => this.typing$.next(payload));
    socket.on(ServerEvent.InstagramStatus, (payload) =>
      this.instagramStatus$.next(payload),
    );
    socket.on(ServerEvent.InstagramEvent, (event) =>
      this.instagramEvent$.next(event),
    );
    // The Manager (socket.io) hears the server's heartbeat; a fake socket in tests may not have one.
    socket.io?.on('ping', () => {
      if (this.socket === socket) {
        this.expectPing(socket);
      }
    });
  }

  disconnect(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.watchRetryTimer);
    this.instagramWatchTaken.set(false);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
    }
    this.statusSignal.set('offline');
  }

  /** The network went away: say so now, and drop the socket rather than wait for a timeout. */
  private onNetworkLost(): void {
    const socket = this.socket;
    if (!socket) {
      return;
    }
    clearTimeout(this.heartbeatTimer);
    this.statusSignal.set('offline');
    socket.io?.engine?.close();
  }

  /** The network is back: reconnect now instead of at the end of Socket.io's backoff. */
  private onNetworkBack(): void {
    const socket = this.socket;
    if (!socket || socket.connected) {
      return;
    }
    clearTimeout(this.retryTimer);
    this.statusSignal.set('reconnecting');
    socket.disconnect();
    socket.connect();
  }

  /** Starts (or restarts) the wait for the server's next ping. */
  private expectPing(socket: ChatSocket): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => {
      if (this.socket === socket && socket.connected) {
        this.statusSignal.set('reconnecting');
        // Closing the transport hands over to Socket.io's own reconnection.
        socket.io?.engine?.close();
      }
    }, SERVER_PING_INTERVAL_MS + MISSED_PING_GRACE_MS);
  }

  private isOnline(): boolean {
    return this.window?.navigator.onLine ?? true;
  }

  /** Reconnects with growing pauses where Socket.io itself would give up. */
  private retryLater(socket: ChatSocket): void {
    clearTimeout(this.retryTimer);
    const delay = backoffMs(this.retries++);
    this.retryTimer = setTimeout(() => {
      if (this.socket === socket) {
        socket.connect();
      }
    }, delay);
  }

  /**
   * `instagram:event` (each webhook delivery of the person's accounts worked on) while subscribed.
   * The server sends it only to sockets that ask: the first subscriber asks, again after every
   * reconnect, and the last one to leave stops it, so the other pages are not sent a frame per DM.
   */
  watchInstagramEvents(): Observable<WebhookEventDto> {
    return new Observable<WebhookEventDto>((subscriber) => {
      const forwarding = this.instagramEvent$.subscribe(subscriber);
      if (this.instagramEventWatchers++ === 0 && this.socket?.connected) {
        this.sendWatch(this.socket, true);
      }
      return () => {
        forwarding.unsubscribe();
        if (--this.instagramEventWatchers === 0) {
          this.instagramWatchTaken.set(false);
          if (this.socket?.connected) {
            this.sendWatch(this.socket, false);
          }
        }
      };
    });
  }

  /**
   * Asks the server to start or stop `instagram:event` on this connection. A refusal (a rate
   * limit, the limit store unavailable) or no answer asks again later, while the connection and
   * the wish last; a watch in force is announced on instagramEventsWatched$.
   */
  private sendWatch(socket: ChatSocket, watching: boolean): void {
    clearTimeout(this.watchRetryTimer);
    const stillWanted = () =>
      this.socket === socket &&
      socket.connected &&
      this.instagramEventWatchers > 0 === watching;
    socket
      .timeout(WATCH_ACK_TIMEOUT_MS)
      .emit(ClientEvent.WatchInstagramEvents, { watching }, (error, answer) => {
        if (!stillWanted()) {
          return;
        }
        if (!error && answer.ok) {
          this.watchRetries = 0;
          this.instagramWatchTaken.set(watching);
          if (watching) {
            this.instagramEventsWatched$.next();
          }
          return;
        }
        const delay = backoffMs(this.watchRetries++);
        this.watchRetryTimer = setTimeout(() => {
          if (stillWanted()) {
            this.sendWatch(socket, watching);
          }
        }, delay);
      });
  }

  /** Tells the other side of a conversation whether this person is typing. Dropped while offline. */
  sendTyping(conversationId: string, isTyping: boolean): void {
    if (this.socket?.connected) {
      this.socket.emit(ClientEvent.Typing, { conversationId, isTyping });
    }
  }
}

/** How long to wait before asking again after `attempt` failures: 1 s, doubling, at most 30 s. */
function backoffMs(attempt: number): number {
  return Math.min(30_000, 1_000 * 2 ** attempt);
}
