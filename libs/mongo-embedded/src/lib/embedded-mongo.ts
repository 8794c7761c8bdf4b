import { Catalog } from './catalog';
import { CommandDispatcher } from './commands';
import { CursorManager } from './cursor-manager';
import { Journal } from './journal';
import {
  ConnectionLimits,
  resolveConnectionLimits,
  WireServer,
} from './server';

export interface EmbeddedMongoOptions {
  /** TCP port; 0 (the default) picks any free port. */
  port?: number;
  /** Directory for the journal; without it, data lives in memory only. */
  dbPath?: string;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Bounds on connections, bytes in flight and idle time; see DEFAULT_CONNECTION_LIMITS. */
  limits?: Partial<ConnectionLimits>;
  /** Where warnings and closed-connection reasons go; `console.warn` with a prefix by default. */
  log?: (message: string) => void;
}

export interface EmbeddedMongo {
  /** `mongodb://127.0.0.1:PORT` (no database name; clients add it). */
  uri: string;
  port: number;
  stop(): Promise<void>;
}

const TTL_SWEEP_MS = 1000;

/** Starts a MongoDB wire-protocol server in this process. */
export async function startEmbeddedMongo(
  options: EmbeddedMongoOptions = {},
): Promise<EmbeddedMongo> {
  const host = options.host ?? '127.0.0.1';
  const log =
    options.log ?? ((msg: string) => console.warn(`[mongo-embedded] ${msg}`));
  // Checked before anything touches the disk, so a bad option leaves nothing locked or created.
  const limits = resolveConnectionLimits(options.limits);
  const catalog = new Catalog();
  const journal = options.dbPath
    ? await Journal.open(options.dbPath, catalog, log)
    : undefined;
  const cursors = new CursorManager();
  const dispatcher = new CommandDispatcher(catalog, cursors);
  const server = new WireServer(dispatcher, journal, log, limits);
  let port: number;
  try {
    port = await server.listen(options.port ?? 0, host);
  } catch (err) {
    await journal?.close();
    throw err;
  }
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const coll of catalog.allCollections()) coll.expireDocuments(now);
    cursors.sweepIdle(now);
    journal
      ?.flush()
      .catch((err) => log(`journal flush failed: ${(err as Error).message}`));
  }, TTL_SWEEP_MS);
  sweep.unref();
  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stop: () => {
      stopped ??= (async () => {
        clearInterval(sweep);
        await server.close();
        cursors.clear();
        await journal?.close();
      })();
      return stopped;
    },
  };
}
