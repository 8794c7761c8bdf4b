import type { Logger } from '@nestjs/common';
import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

const BOOT_CONNECT_ATTEMPTS = 3;
const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * A Redis client for REDIS_URL that gives up after a few quick tries at boot (better no start
 * than instances that silently stop sharing) and, once connected, keeps reconnecting with backoff,
 * logging what goes wrong instead of crashing the process.
 */
export function createRedisClient(
  url: string,
  logger: Logger,
  options: { disableOfflineQueue?: boolean } = {},
): { client: RedisClient; connected: () => void } {
  let ready = false;
  const client: RedisClient = createClient({
    url,
    disableOfflineQueue: options.disableOfflineQueue ?? false,
    socket: {
      reconnectStrategy: (retries: number, cause: Error) =>
        ready
          ? Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS)
          : retries < BOOT_CONNECT_ATTEMPTS
            ? 200
            : new Error(
                `Could not connect to Redis (REDIS_URL): ${cause.message}`,
              ),
    },
  });
  listenForErrors(client, logger, () => ready);
  return { client, connected: () => (ready = true) };
}

/** Without a listener a dropped connection would crash the process; the client reconnects. */
export function listenForErrors(
  client: RedisClient,
  logger: Logger,
  isReady: () => boolean,
): void {
  client.on('error', (error: Error) => {
    if (isReady()) logger.error(`Redis: ${error.message}`);
  });
}

/** Connects the clients, or closes them all and throws. */
export async function connectAll(clients: RedisClient[]): Promise<void> {
  try {
    await Promise.all(clients.map((client) => client.connect()));
  } catch (error) {
    await Promise.all(clients.map((client) => client.destroy()));
    throw error;
  }
}
