import { Injectable, Logger } from '@nestjs/common';
import type { ServerToClientEvents } from '@instantchat/contracts';
import {
  type RealtimeServer,
  type RealtimeSocket,
  userRoom,
  type WatchTopic,
  watchRoom,
} from './realtime.types';

/**
 * The one way the rest of the API pushes events to browsers. Other modules call it; it never calls
 * them, so realtime stays at the bottom of the module graph.
 */
@Injectable()
export class RealtimeService {
  private readonly logger = new Logger(RealtimeService.name);
  private server: RealtimeServer | null = null;

  /** Called by the gateway once Socket.io is up. */
  attachServer(server: RealtimeServer): void {
    this.server = server;
  }

  /** Closes every socket's connection (at shutdown); clients reconnect, to another instance. */
  disconnectEveryone(): void {
    this.server?.disconnectSockets(true);
  }

  emitToUser<E extends keyof ServerToClientEvents>(
    userId: string,
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void {
    this.emitToUsers([userId], event, ...args);
  }

  /** One emit to several users' rooms: a socket in more than one of them still gets it once. */
  emitToUsers<E extends keyof ServerToClientEvents>(
    userIds: readonly string[],
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void {
    if (userIds.length === 0) {
      return;
    }
    if (!this.server) {
      // Only possible before the gateway initialised (e.g. a service used in a script): nobody is
      // connected then, so there is nobody to tell.
      this.logger.debug(`Dropped ${event}: the socket server is not running`);
      return;
    }
    this.server.to(userIds.map(userRoom)).emit(event, ...args);
  }

  /** Only to the user's sockets that watch `topic` (watch()), on every instance. */
  emitToWatchers<E extends keyof ServerToClientEvents>(
    userId: string,
    topic: WatchTopic,
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void {
    if (!this.server) {
      this.logger.debug(`Dropped ${event}: the socket server is not running`);
      return;
    }
    this.server.to(watchRoom(userId, topic)).emit(event, ...args);
  }

  /** The socket starts (or stops) hearing its user's `topic`; a reconnected socket starts afresh. */
  async watch(
    socket: RealtimeSocket,
    topic: WatchTopic,
    watching: boolean,
  ): Promise<void> {
    const room = watchRoom(socket.data.user.id, topic);
    await (watching ? socket.join(room) : socket.leave(room));
  }
}
