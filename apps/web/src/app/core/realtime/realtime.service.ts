import { Injectable, InjectionToken, inject, signal } from '@angular/core';
import {
  ClientEvent,
  SOCKET_PATH,
  SOCKET_UNAUTHORIZED,
  ServerEvent,
  type ClientToServerEvents,
  type ConversationDto,
  type MessageDto,
  type ReadReceiptDto,
  type ServerToClientEvents,
  type TypingPayload,
} from '@instantchat/contracts';
import { Subject } from 'rxjs';
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
 */
@Injectable({ providedIn: 'root' })
export class RealtimeService {
  private readonly createSocket = inject(SOCKET_FACTORY);
  private readonly auth = inject(AuthService);
  private socket: ChatSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;

  private readonly statusSignal = signal<ConnectionStatus>('offline');
  readonly status = this.statusSignal.asReadonly();

  readonly connected$ = new Subject<{ isReconnect: boolean }>();
  readonly messageNew$ = new Subject<MessageDto>();
  readonly messageUpdated$ = new Subject<MessageDto>();
  readonly conversationUpdated$ = new Subject<ConversationDto>();
  readonly messageRead$ = new Subject<ReadReceiptDto>();
  readonly typing$ = new Subject<TypingPayload>();

  connect(token: string): void {
    this.disconnect();
    const socket = this.createSocket({ path: SOCKET_PATH, auth: { token } });
    this.socket = socket;
    this.statusSignal.set('connecting');
    let hasConnected = false;

    socket.on('connect', () => {
      this.retries = 0;
      this.statusSignal.set('connected');
      this.connected$.next({ isReconnect: hasConnected });
      hasConnected = true;
    });
    socket.on('disconnect', (reason) => {
      if (this.socket !== socket) {
        return;
      }
      this.statusSignal.set('reconnecting');
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
      this.statusSignal.set(hasConnected ? 'reconnecting' : 'connecting');
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
    socket.on(ServerEvent.ConversationUpdated, (conversation) =>
      this.conversationUpdated$.next(conversation),
    );
    socket.on(ServerEvent.MessageRead, (receipt) =>
      this.messageRead$.next(receipt),
    );
    socket.on(ServerEvent.Typing, (payload) => this.typing$.next(payload));
  }

  disconnect(): void {
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
    }
    this.statusSignal.set('offline');
  }

  /** Reconnects with growing pauses where Socket.io itself would give up. */
  private retryLater(socket: ChatSocket): void {
    clearTimeout(this.retryTimer);
    const delay = Math.min(30_000, 1_000 * 2 ** this.retries++);
    this.retryTimer = setTimeout(() => {
      if (this.socket === socket) {
        socket.connect();
      }
    }, delay);
  }

  /** Tells the other side of a conversation whether this person is typing. Dropped while offline. */
  sendTyping(conversationId: string, isTyping: boolean): void {
    if (this.socket?.connected) {
      this.socket.emit(ClientEvent.Typing, { conversationId, isTyping });
    }
  }
}
