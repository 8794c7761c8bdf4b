import { Logger, UseFilters } from '@nestjs/common';
import {
  type OnGatewayConnection,
  type OnGatewayInit,
  WebSocketGateway,
} from '@nestjs/websockets';
import { SOCKET_PATH, SOCKET_UNAUTHORIZED } from '@instantchat/contracts';
import { AuthService } from '../auth/auth.service';
import { AppMetrics } from '../metrics/app-metrics';
import { RealtimeService } from './realtime.service';
import { SocketExceptionFilter } from './socket-exception.filter';
import {
  type RealtimeServer,
  type RealtimeSocket,
  userRoom,
} from './realtime.types';

/**
 * Owns the Socket.io server's connection lifecycle: nobody gets a connection without a valid JWT,
 * and every connection lands in its user's room. Client events are handled by the feature that
 * owns them (chat's gateway shares this server: same path, same HTTP server).
 */
@WebSocketGateway({ path: SOCKET_PATH })
@UseFilters(SocketExceptionFilter)
export class RealtimeGateway
  implements OnGatewayInit<RealtimeServer>, OnGatewayConnection<RealtimeSocket>
{
  private readonly logger = new Logger(RealtimeGateway.name);

  constructor(
    private readonly auth: AuthService,
    private readonly realtime: RealtimeService,
    private readonly metrics: AppMetrics,
  ) {}

  afterInit(server: RealtimeServer): void {
    // A middleware refuses the handshake itself, so an unauthenticated client never sees `connect`
    // and never gets a chance to emit anything.
    server.use((socket, next) => {
      const token = accessTokenOf(socket);
      if (!token) {
        next(new Error(SOCKET_UNAUTHORIZED));
        return;
      }
      this.auth.verifyAccessToken(token).then(
        (user) => {
          socket.data.user = user;
          socket.data.tokenExpiresAt = expiryOf(token);
          next();
        },
        () => next(new Error(SOCKET_UNAUTHORIZED)),
      );
    });
    this.realtime.attachServer(server);
    this.metrics.countSocketsWith(() => server.sockets.sockets.size);
  }

  handleConnection(socket: RealtimeSocket): void {
    // Joined synchronously in the connection handler, before any packet of this socket is read.
    void socket.join(userRoom(socket.data.user.id));
    this.disconnectWhenTokenExpires(socket);
    this.logger.debug(
      `Socket ${socket.id} connected for user ${socket.data.user.id}`,
    );
  }

  /**
   * A socket can outlive the token that opened it; without this, a client whose token has expired
   * would keep receiving messages. The client reconnects with a fresh token.
   */
  private disconnectWhenTokenExpires(socket: RealtimeSocket): void {
    const expiresAt = socket.data.tokenExpiresAt;
    if (expiresAt === null) {
      return;
    }
    const timer = setTimeout(
      () => socket.disconnect(true),
      Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS),
    );
    socket.once('disconnect', () => clearTimeout(timer));
  }
}

/** setTimeout's ceiling (about 24.8 days): longer-lived tokens are cut then, and the client reconnects. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The `exp` claim of an already verified JWT, in ms; null when the token does not expire. */
function expiryOf(token: string): number | null {
  try {
    const claims = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** The access token from the handshake's `auth.token` (socket.io clients in every language can set it). */
function accessTokenOf(socket: RealtimeSocket): string | null {
  const token: unknown = socket.handshake.auth?.['token'];
  return typeof token === 'string' && token.length > 0 ? token : null;
}
