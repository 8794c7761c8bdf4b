import { parentPort, Worker, workerData } from 'node:worker_threads';
import {
  type EmbeddedMongo,
  type EmbeddedMongoOptions,
  startEmbeddedMongo,
} from './embedded-mongo';

/** What the server's thread tells the thread that started it. */
type FromServerThread =
  | { type: 'ready'; uri: string; port: number }
  | { type: 'failed'; message: string }
  | { type: 'log'; message: string }
  | { type: 'stopped' };

/** Everything of EmbeddedMongoOptions that can cross to another thread (not `log`). */
type ThreadOptions = Omit<EmbeddedMongoOptions, 'log'>;

export interface EmbeddedMongoThreadOptions extends EmbeddedMongoOptions {
  /**
   * Called when the server's thread ends without being stopped (it threw, or ran out of memory):
   * the data is safe in the journal, but nothing answers on the port any more.
   */
  onUnexpectedExit?: (reason: string) => void;
  /** Node options for the thread (e.g. `['-r', '@swc-node/register']` to run TypeScript). */
  execArgv?: string[];
}

/**
 * Starts the server on a thread of its own, from `workerScript` (a script that calls
 * `serveEmbeddedMongoFromThread()`). Clients connect over TCP as to any MongoDB; the server's CPU
 * (commands, BSON, index upkeep, journal writes) and its heap (every stored document, which a full
 * garbage collection would otherwise trace) stay off the caller's event loop.
 */
export async function startEmbeddedMongoThread(
  workerScript: string,
  options: EmbeddedMongoThreadOptions = {},
): Promise<EmbeddedMongo> {
  const log =
    options.log ?? ((msg: string) => console.warn(`[mongo-embedded] ${msg}`));
  const threadOptions: ThreadOptions = {
    port: options.port,
    dbPath: options.dbPath,
    host: options.host,
    limits: options.limits,
  };
  const worker = new Worker(workerScript, {
    workerData: threadOptions,
    execArgv: options.execArgv,
  });
  let stopping = false;
  let exited = false;
  let stopped: (() => void) | undefined;
  worker.once('exit', () => {
    exited = true;
  });
  const started = new Promise<{ uri: string; port: number }>(
    (resolve, reject) => {
      worker.on('message', (message: FromServerThread) => {
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'failed') reject(new Error(message.message));
        else if (message.type === 'log') log(message.message);
        else if (message.type === 'stopped') stopped?.();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        const reason = `the embedded database's thread exited (code ${code})`;
        reject(new Error(reason));
        if (!stopping) options.onUnexpectedExit?.(reason);
      });
    },
  );
  worker.on('error', (error) => log(`thread failed: ${error.message}`));
  let ready: { uri: string; port: number };
  try {
    ready = await started;
  } catch (error) {
    stopping = true;
    await worker.terminate();
    throw error;
  }
  let stopping$: Promise<void> | undefined;
  return {
    uri: ready.uri,
    port: ready.port,
    stop: () => {
      stopping$ ??= new Promise<void>((resolve) => {
        stopping = true;
        if (exited) return resolve();
        worker.once('exit', () => resolve());
        // The server closes its connections and its journal (everything acknowledged is already
        // durable); the thread then ends on its own, or is ended once it has said so.
        stopped = () => {
          setTimeout(() => void worker.terminate(), STOPPED_GRACE_MS).unref();
        };
        worker.postMessage({ type: 'stop' });
      });
      return stopping$;
    },
  };
}

/** How long a thread that has stopped its server may take to end by itself. */
const STOPPED_GRACE_MS = 2_000;

/**
 * The server thread's side of startEmbeddedMongoThread: starts the server with the options the
 * caller passed, reports its address, and stops it (journal closed) when told to.
 */
export function serveEmbeddedMongoFromThread(): void {
  const port = parentPort;
  if (!port) {
    throw new Error('serveEmbeddedMongoFromThread runs on a worker thread');
  }
  const tell = (message: FromServerThread) => port.postMessage(message);
  startEmbeddedMongo({
    ...(workerData as ThreadOptions),
    log: (message) => tell({ type: 'log', message }),
  }).then(
    (server) => {
      port.on('message', (message: { type?: unknown }) => {
        if (message?.type !== 'stop') return;
        server.stop().then(
          () => {
            tell({ type: 'stopped' });
            port.close();
          },
          (error: unknown) => {
            tell({ type: 'log', message: `stop failed: ${String(error)}` });
            port.close();
          },
        );
      });
      tell({ type: 'ready', uri: server.uri, port: server.port });
    },
    (error: unknown) => {
      tell({
        type: 'failed',
        message: error instanceof Error ? error.message : String(error),
      });
      port.close();
    },
  );
}
