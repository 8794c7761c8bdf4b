import {
  ClientEvent,
  type ClientToServerEvents,
  type MessageDto,
  type SendMessageEventDto,
  SOCKET_PATH,
  type ServerToClientEvents,
  type SocketAck,
  type WatchWebhookEventsDto,
} from '@instantchat/contracts';
import { io, type Socket } from 'socket.io-client';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long a test waits for an event that should arrive. */
export const EVENT_TIMEOUT_MS = 2_000;
/** How long a test listens to make sure an event does not arrive. */
export const SILENCE_MS = 300;

/**
 * Connects like the dashboard does (token in `auth.token`) and resolves once connected, or
 * rejects with the server's `connect_error`. No automatic reconnection: tests decide.
 */
export function connectSocket(
  url: string,
  token?: string,
): Promise<TestSocket> {
  const socket: TestSocket = io(url, {
    path: SOCKET_PATH,
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/**
 * The sockets one spec opens, so `afterEach(() => sockets.closeAll())` leaves none behind. The
 * URL is read at connect time: the app it points at starts in `beforeAll`.
 */
export class TestSockets {
  private readonly open: TestSocket[] = [];

  constructor(private readonly url: () => string) {}

  async connect(token?: string): Promise<TestSocket> {
    const socket = await connectSocket(this.url(), token);
    this.open.push(socket);
    return socket;
  }

  closeAll(): void {
    this.open.splice(0).forEach((socket) => socket.close());
  }
}

/**
 * `message:send` with its ack. The payload is `unknown` so specs can send invalid ones; a missing
 * ack rejects after EVENT_TIMEOUT_MS.
 */
export function emitSend(
  socket: TestSocket,
  payload: unknown,
): Promise<SocketAck<MessageDto>> {
  return socket
    .timeout(EVENT_TIMEOUT_MS)
    .emitWithAck(ClientEvent.Send, payload as SendMessageEventDto);
}

/** `instagram:events:watch` with its ack (as the events page sends it); `payload` may be invalid. */
export function watchInstagramEvents(
  socket: TestSocket,
  payload: unknown = { watching: true },
): Promise<SocketAck<WatchWebhookEventsDto>> {
  return socket
    .timeout(EVENT_TIMEOUT_MS)
    .emitWithAck(
      ClientEvent.WatchInstagramEvents,
      payload as WatchWebhookEventsDto,
    );
}

/** The next `event` on the socket (optionally the next one matching), or a timeout error. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: TestSocket,
  event: E,
  matches: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () =>
    true,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const listener = ((payload: Parameters<ServerToClientEvents[E]>[0]) => {
      if (matches(payload)) {
        clearTimeout(timer);
        socket.off(event, listener as never);
        resolve(payload);
      }
    }) as never;
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`No ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on(event, listener);
  });
}

/** Everything `event` delivers to the socket from now on, for asserting what did (not) arrive. */
export function recordEvents<E extends keyof ServerToClientEvents>(
  socket: TestSocket,
  event: E,
): Parameters<ServerToClientEvents[E]>[0][] {
  const received: Parameters<ServerToClientEvents[E]>[0][] = [];
  socket.on(event, ((payload: Parameters<ServerToClientEvents[E]>[0]) =>
    received.push(payload)) as never);
  return received;
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
