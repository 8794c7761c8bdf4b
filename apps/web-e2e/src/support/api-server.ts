import { type ChildProcess, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const API_ENTRY = 'dist/apps/api/main.js';
const WEB_DIST_DIR = 'dist/apps/web/browser';
const READY_TIMEOUT_MS = 90_000;

export interface RunningApi {
  baseUrl: string;
  process: ChildProcess;
  dataDir: string;
  logFile: string;
}

/**
 * Starts the built API (which also serves the built dashboard) on a free port (or the one
 * given), with a fresh data directory so every run starts from an empty embedded database, and
 * waits until it is healthy. `extraEnv` adds variables such as the Meta sandbox's addresses.
 */
export async function startApi(
  options: { port?: number; extraEnv?: NodeJS.ProcessEnv } = {},
): Promise<RunningApi> {
  for (const required of [API_ENTRY, join(WEB_DIST_DIR, 'index.html')]) {
    if (!existsSync(join(WORKSPACE_ROOT, required))) {
      throw new Error(
        `${required} is missing: run \`npx nx e2e web-e2e\` (it builds api and web first)`,
      );
    }
  }
  const port = options.port ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'instantchat-e2e-'));
  const logFile = join(dataDir, 'api.log');
  const log = createWriteStream(logFile);
  // MONGO_URI stays unset on purpose: the API then starts its embedded database under DATA_DIR.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    PORT: String(port),
    DATA_DIR: dataDir,
    NODE_ENV: 'development',
    WEB_DIST_DIR,
    // Tests seed conversations faster than a person types; the limit itself has API tests.
    MESSAGE_RATE_LIMIT: '100000',
    ...options.extraEnv,
    // The browser tests register a few dozen people within a minute from one address.
    AUTH_RATE_LIMIT: '1000',
  };
  const child = spawn(process.execPath, [API_ENTRY], {
    cwd: WORKSPACE_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const baseUrl = `http://localhost:${port}`;
  try {
    await waitUntilHealthy(
      'The API',
      `http://127.0.0.1:${port}/api/health`,
      child,
    );
  } catch (error) {
    child.kill('SIGKILL');
    const output = existsSync(logFile)
      ? readFileSync(logFile, 'utf8').slice(-4000)
      : '';
    throw new Error(
      `${(error as Error).message}\n--- API output (last 4000 characters) ---\n${output}`,
    );
  }
  return { baseUrl, process: child, dataDir, logFile };
}

export async function stopApi(api: RunningApi): Promise<void> {
  if (api.process.exitCode === null && api.process.signalCode === null) {
    const exited = new Promise<void>((done) =>
      api.process.once('exit', () => done()),
    );
    api.process.kill('SIGTERM');
    const forced = setTimeout(() => api.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(forced);
  }
  rmSync(api.dataDir, { recursive: true, force: true });
}

export async function waitUntilHealthy(
  name: string,
  url: string,
  child: ChildProcess,
  isHealthy: (body: unknown) => boolean = (body) =>
    (body as { status?: string }).status === 'ok',
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `${name} exited with code ${child.exitCode} before it was healthy`,
      );
    }
    try {
      const response = await fetch(url);
      const body: unknown = await response.json();
      if (response.ok && isHealthy(body)) {
        return;
      }
      lastProblem = `HTTP ${response.status}: ${JSON.stringify(body)}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(
    `${name} was not healthy within ${READY_TIMEOUT_MS / 1000}s (${lastProblem})`,
  );
}

/** Asks the OS for a free port (port 0), then releases it for the API to take. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
