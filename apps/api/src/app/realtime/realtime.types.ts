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

/**
 * What a socket may ask to hear beyond its user's room: events only one page of the dashboard
 * shows, so the other tabs are not sent a frame per event for nothing.
 */
export type WatchTopic = 'instagram-events';

/** The sockets of a user that watch `topic` (they are in userRoom too). */
export function watchRoom(userId: string, topic: WatchTopic): string {
  return `watch:${topic}:${userId}`;
}
