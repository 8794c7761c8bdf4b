import { type INestApplication, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { AppConfigService } from '../config/app-config.service';
import {
  InProcessRateLimitStore,
  RATE_LIMIT_STORE,
  type RateLimitStore,
} from '../core/rate-limit-store';
import {
  connectAll,
  createRedisClient,
  listenForErrors,
  type RedisClient,
} from '../rate-limit/redis-client';
import { ClientEventGuard, clientEventLimits } from './client-event-guard';
import type { RealtimeSocket } from './realtime.types';

// Nest's socket.io adapter package resolves its own copy of socket.io; name its types, not ours.
type IoServer = Parameters<IoAdapter['close']>[0];
type IoServerOptions = Partial<NonNullable<Parameters<IoAdapter['create']>[1]>>;

/**
 * Socket.io as configured for this API: CORS limited to the dashboard's origin; messages no larger
 * than BODY_LIMIT (a larger one closes the connection); every client event of every namespace
 * through the ClientEventGuard (depth and rate limits) before any gateway sees it; and with
 * REDIS_URL the Redis adapter, so an emit to `user:<id>` reaches that user's sockets on every API
 * instance.
 *
 * Use through `useRealtimeAdapter(app, config)` before the app initialises.
 */
export class RealtimeIoAdapter extends IoAdapter {
  private readonly logger = new Logger(RealtimeIoAdapter.name);
  private redisAdapter: ReturnType<typeof createAdapter> | null = null;
  private redisClients: RedisClient[] = [];

  constructor(
    app: INestApplication,
    private readonly config: AppConfigService,
    /** Where the per-user event limits count (shared through Redis when configured). */
    private readonly rateLimits: RateLimitStore,
  ) {
    super(app);
  }

  /**
   * Connects the publish and subscribe clients; a no-op without REDIS_URL.
   * @throws when Redis cannot be reached at boot: better no start than instances that silently
   * stop sharing rooms.
   */
  async connectToRedis(): Promise<void> {
    const url = this.config.redis?.url;
    if (!url) {
      return;
    }
    const { client: publisher, connected } = createRedisClient(
      url,
      this.logger,
    );
    const subscriber: RedisClient = publisher.duplicate();
    let ready = false;
    listenForErrors(subscriber, this.logger, () => ready);
    await connectAll([publisher, subscriber]);
    connected();
    ready = true;
    this.redisClients = [publisher, subscriber];
    this.redisAdapter = createAdapter(publisher, subscriber);
    this.logger.log('Socket.io uses the Redis adapter');
  }

  override createIOServer(port: number, options?: IoServerOptions): IoServer {
    const server: IoServer = super.createIOServer(port, {
      ...options,
      cors: { origin: this.config.http.clientUrl, credentials: true },
      maxHttpBufferSize: this.config.http.bodyLimitBytes,
    });
    const guard = new ClientEventGuard(
      clientEventLimits(this.config.chat.messageRateLimitPerMinute),
      this.rateLimits,
    );
    const protect = (socket: unknown) =>
      guard.protect(socket as RealtimeSocket);
    server.on('connection', protect);
    server.on('new_namespace', (namespace) =>
      namespace.on('connection', protect),
    );
    if (this.redisAdapter) {
      server.adapter(this.redisAdapter);
    }
    return server;
  }

  override async close(server: IoServer): Promise<void> {
    await super.close(server);
    const clients = this.redisClients;
    this.redisClients = [];
    await Promise.all(
      clients.map((client) => client.quit().catch(() => undefined)),
    );
  }
}

/** Installs the realtime adapter; call from `configureApp`, before `app.init()` / `app.listen()`. */
export async function useRealtimeAdapter(
  app: INestApplication,
  config: AppConfigService,
): Promise<void> {
  const adapter = new RealtimeIoAdapter(app, config, rateLimitStoreOf(app));
  await adapter.connectToRedis();
  app.useWebSocketAdapter(adapter);
}

/**
 * The app's RateLimitStore; an app assembled without the rate-limit module (tests of the bootstrap
 * alone) counts in-process. Looked up through ModuleRef: a failed `app.get` would end the process.
 */
function rateLimitStoreOf(app: INestApplication): RateLimitStore {
  try {
    return app
      .get(ModuleRef)
      .get<RateLimitStore>(RATE_LIMIT_STORE, { strict: false });
  } catch {
    return new InProcessRateLimitStore();
  }
}
