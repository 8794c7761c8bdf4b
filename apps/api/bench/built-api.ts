import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface RunningProcess {
  baseUrl: string;
  /** CPU time (user + system, every thread) the process has used so far, in ms (`/proc`). */
  cpuMs(): number;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

const BOOT_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** Every process a bench started and has not stopped yet. */
const children = new Set<ChildProcess>();

/** Stops whatever is still running, e.g. when a bench overruns its time. */
export async function stopEverything(): Promise<void> {
  await Promise.all([...children].map((child) => stopProcess(child)));
}

/**
 * Runs the built API (dist/apps/api/main.js) as `npm start` does: its own process, embedded
 * database and generated secrets under `dataDir`, development defaults otherwise. Auth's rate limit
 * is lifted so the bench can register its users; `env` adds what one bench needs (named there).
 */
export async function startBuiltApi(
  workspaceRoot: string,
  dataDir: string,
  webDistDir: string,
  env: Record<string, string> = {},
): Promise<RunningProcess> {
  const port = await freePort();
  const child = spawnNode(
    workspaceRoot,
    // The flags `npm start` gives the API (tools/scripts/start.mjs: a 32 MB young generation, no
    // allocation-site pretenuring).
    [
      '--max-semi-space-size=32',
      '--no-allocation-site-pretenuring',
      join(workspaceRoot, 'dist/apps/api/main.js'),
    ],
    {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      WEB_DIST_DIR: webDistDir,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '1000000',
      MESSAGE_RATE_LIMIT: '1000000',
      ...env,
      ...(process.env['BENCH_API_NODE_OPTIONS'] && {
        NODE_OPTIONS: process.env['BENCH_API_NODE_OPTIONS'],
      }),
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
        return {
          baseUrl,
          cpuMs: () => processCpuMs(child),
          stop: () => stopProcess(child),
        };
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await stopProcess(child);
  throw new Error(`the API did not become healthy in time:\n${output()}`);
}

/**
 * Runs one of the bench's reference servers (a `*.ts` file beside this one) in its own process, so
 * it does not share an event loop with the load generator, and waits for its `listening <port>`.
 */
export async function startReferenceServer(
  workspaceRoot: string,
  script: string,
  env: Record<string, string>,
): Promise<RunningProcess> {
  const child = spawnNode(
    workspaceRoot,
    ['-r', '@swc-node/register', join(__dirname, script)],
    { ...process.env, ...env },
  );
  const output = collectOutput(child);
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const port = /listening (\d+)/.exec(output())?.[1];
    if (port) {
      return {
        baseUrl: `http://127.0.0.1:${port}`,
        cpuMs: () => processCpuMs(child),
        stop: () => stopProcess(child),
      };
    }
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  await stopProcess(child);
  throw new Error(`the reference server ${script} did not start:\n${output()}`);
}

/**
 * The built dashboard when there is one (as `npm start` serves it); otherwise a one-file stand-in,
 * so the dashboard's middleware sits in front of the API exactly as it does in a real run.
 */
export function dashboardDir(workspaceRoot: string, tempDir: string): string {
  const built = join(workspaceRoot, 'dist/apps/web/browser');
  if (existsSync(join(built, 'index.html'))) return built;
  const standIn = join(tempDir, 'web');
  mkdirSync(standIn, { recursive: true });
  writeFileSync(join(standIn, 'index.html'), '<!doctype html><title>x</title>');
  return standIn;
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

/** Spawns `node args…` with piped output and remembers it until it exits. */
function spawnNode(
  workspaceRoot: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: workspaceRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * `work` on a server, with the CPU its process spent on it (ms, every thread), read from quiet to
 * quiet: the process's CPU once less than 10 ms of it went by in half a second (or after 20 s),
 * before and after. What a server does after it answered (the API processes deliveries after
 * their 200) counts to the load that caused it; what an earlier load left running does not.
 */
export async function withCpuSpent<T>(
  server: Pick<RunningProcess, 'cpuMs'>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: number }> {
  const before = await settledCpuMs(server);
  const result = await work();
  return { result, cpuMs: (await settledCpuMs(server)) - before };
}

async function settledCpuMs(
  server: Pick<RunningProcess, 'cpuMs'>,
  maxMs = 20_000,
): Promise<number> {
  const deadline = Date.now() + maxMs;
  let last = server.cpuMs();
  for (;;) {
    await sleep(500);
    const now = server.cpuMs();
    if (now - last < 10 || Date.now() > deadline) return now;
    last = now;
  }
}

/**
 * utime + stime in ms (100 ticks a second) of a process (`/proc/<pid>/stat`, every thread) or of
 * one of its threads (`/proc/<pid>/task/<tid>/stat`).
 */
export function cpuMsOfStat(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  // After the name, which may itself hold ") ".
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function processCpuMs(child: ChildProcess): number {
  return cpuMsOfStat(`/proc/${child.pid}/stat`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
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
