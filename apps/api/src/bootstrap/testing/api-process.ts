import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../../../..');

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

export interface RunningApi {
  process: ChildProcess;
  port: number;
  output: () => string;
  /** Resolves when the output contains `text` (rejects after `timeoutMs`). */
  waitFor(text: string, timeoutMs: number): Promise<number>;
  exited: Promise<{ code: number | null; at: number }>;
  /** `kill -9`: resolves once the process is gone. */
  kill(): Promise<void>;
}

export interface ApiProcessOptions {
  /** The API's DATA_DIR: embedded database and the compiler's tsconfig. */
  dataDir: string;
  /** PORT; a free one when absent. A restart passes the same one. */
  port?: number;
  /** Variables on top of the defaults below (NODE_ENV=test, embedded database, lifted limits). */
  env?: Record<string, string>;
  bootTimeoutMs?: number;
}

/**
 * Starts the API as `npm start` does (main.ts, its own process, embedded database under
 * DATA_DIR), compiled on the fly by @swc-node/register so the test needs no build first.
 */
export async function startApiProcess({
  dataDir,
  port,
  env = {},
  bootTimeoutMs = 90_000,
}: ApiProcessOptions): Promise<RunningApi> {
  const listenPort = port ?? (await freePort());
  const tsconfig = join(dataDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(REPO_ROOT, 'apps/api/tsconfig.app.json'),
      compilerOptions: { baseUrl: REPO_ROOT },
    }),
  );
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(REPO_ROOT, 'apps/api/src/main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'],
        SWC_NODE_PROJECT: tsconfig,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(listenPort),
        DATA_DIR: dataDir,
        WEB_DIST_DIR: join(dataDir, 'no-dashboard'),
        LOG_LEVEL: 'log',
        NO_COLOR: '1',
        AUTH_RATE_LIMIT: '10000',
        MESSAGE_RATE_LIMIT: '100000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const watchers: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    watchers.forEach((watch) => watch());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; at: number }>((done) =>
    child.once('exit', (code) => done({ code, at: Date.now() })),
  );
  const api: RunningApi = {
    process: child,
    port: listenPort,
    output: () => output,
    exited,
    waitFor(text, timeoutMs) {
      return new Promise((done, fail) => {
        const check = () => {
          if (output.includes(text)) {
            clearTimeout(timer);
            done(Date.now());
          }
        };
        const timer = setTimeout(
          () => fail(new Error(`"${text}" not seen; output:\n${output}`)),
          timeoutMs,
        );
        watchers.push(check);
        check();
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    await api.waitFor('InstantChat is running', bootTimeoutMs);
  } catch (error) {
    await api.kill();
    throw error;
  }
  return api;
}
