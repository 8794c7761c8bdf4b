import type {
  ClientToServerEvents,
  ServerToClientEvents,
} from '@instantchat/contracts';
import type { Server, Socket } from 'socket.io';
import type { AuthenticatedUser } from '../core/authenticated-user';

/** What the handshake leaves on every connected socket. */
export interface SocketData {
  user: AuthenticatedUser;
  /** When the handshake's access token expires (ms since the epoch); the socket is closed then. */
  tokenExpiresAt: number | null;
}

type InterServerEvents = Record<string, never>;

export type RealtimeServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type RealtimeSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

/** Every socket of a user joins this room, so one emit reaches all of their tabs and devices. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}
