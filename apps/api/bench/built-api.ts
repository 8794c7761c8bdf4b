import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface RunningProcess {
  baseUrl: string;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

const BOOT_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Runs the built API (dist/apps/api/main.js) as `npm start` does: its own process, embedded
 * database and generated secrets under `dataDir`, development defaults otherwise. Auth's rate limit
 * is lifted so the bench can register its users; nothing else is tuned.
 */
export async function startBuiltApi(
  workspaceRoot: string,
  dataDir: string,
  webDistDir: string,
): Promise<RunningProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(workspaceRoot, 'dist/apps/api/main.js')],
    {
      cwd: workspaceRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        WEB_DIST_DIR: webDistDir,
        LOG_LEVEL: 'warn',
        AUTH_RATE_LIMIT: '1000000',
        MESSAGE_RATE_LIMIT: '100000000',
        ...(process.env['BENCH_API_NODE_OPTIONS'] && {
          NODE_OPTIONS: process.env['BENCH_API_NODE_OPTIONS'],
        }),
      },
    },
  );
  const output = collectOutput(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the API exited while starting:\n${output()}`);
    }
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) {
        return { baseUrl, stop: () => stopProcess(child) };
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await stopProcess(child);
  throw new Error(`the API did not become healthy in time:\n${output()}`);
}

/** Runs the bare reference server (bare-jwt-server.ts) and waits for its port. */
export async function startBareJwtServer(
  workspaceRoot: string,
  jwtSecret: string,
  users: readonly object[],
): Promise<RunningProcess> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'bare-jwt-server.ts')],
    {
      cwd: workspaceRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        BENCH_JWT_SECRET: jwtSecret,
        BENCH_USERS: JSON.stringify(users),
      },
    },
  );
  const output = collectOutput(child);
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const port = /listening (\d+)/.exec(output())?.[1];
    if (port) {
      return {
        baseUrl: `http://127.0.0.1:${port}`,
        stop: () => stopProcess(child),
      };
    }
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  await stopProcess(child);
  throw new Error(`the bare reference server did not start:\n${output()}`);
}

/** Keeps the last few kilobytes of a child's output, to explain a failed start. */
function collectOutput(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
