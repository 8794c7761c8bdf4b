/**
 * Standalone runner: `nx run mongo-embedded:serve --port 27017 --dbPath .data/db`, so several
 * processes can share one embedded server. Prints one line when ready and stops cleanly on
 * SIGTERM / SIGINT (pending writes are flushed, the dbPath lock released).
 */
import { startEmbeddedMongo } from './index';

function parseArgs(argv: string[]): {
  port?: number;
  dbPath?: string;
  host?: string;
} {
  const out: { port?: number; dbPath?: string; host?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new Error(`invalid --port: ${argv[i]}`);
        out.port = port;
        break;
      }
      case '--dbPath':
      case '--dbpath':
        out.dbPath = value();
        break;
      case '--host':
      case '--bind_ip':
        out.host = value();
        break;
      case '--help':
        console.log(
          'usage: mongo-embedded [--port 27017] [--dbPath DIR] [--host 127.0.0.1]',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument: ${argv[i]} (try --help)`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const server = await startEmbeddedMongo({
    port: options.port ?? 27017,
    dbPath: options.dbPath,
    host: options.host,
  });
  console.log(`mongo-embedded listening on ${server.uri}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`mongo-embedded stopping (${signal})`);
    server.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(
          `mongo-embedded: error while stopping: ${(err as Error).message}`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  console.error(`mongo-embedded failed to start: ${(err as Error).message}`);
  process.exit(1);
});
