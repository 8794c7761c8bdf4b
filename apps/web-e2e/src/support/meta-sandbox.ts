import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT, freePort, waitUntilHealthy } from './api-server';

const SANDBOX_ENTRY = 'dist/apps/meta-sandbox/main.js';
/** The API's callback path (libs/meta-platform's OAUTH_CALLBACK_PATH). */
const OAUTH_CALLBACK_PATH = '/api/instagram/auth/instagram/callback';
const GRAPH_VERSION = 'v26.0';

export interface RunningSandbox {
  url: string;
  process: ChildProcess;
  logFile: string;
}

/**
 * Starts the built Meta sandbox on a free loopback port, accepting the API's callback on
 * `apiPort` and sending webhooks there; memory only, so every run starts from its seeded world.
 */
export async function startMetaSandbox(
  apiPort: number,
  logDir: string,
): Promise<RunningSandbox> {
  if (!existsSync(join(WORKSPACE_ROOT, SANDBOX_ENTRY))) {
    throw new Error(
      `${SANDBOX_ENTRY} is missing: run \`npx nx e2e web-e2e\` (it builds the sandbox first)`,
    );
  }
  const port = await freePort();
  const logFile = join(logDir, 'meta-sandbox.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [SANDBOX_ENTRY], {
    cwd: WORKSPACE_ROOT,
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      SANDBOX_PORT: String(port),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_REDIRECT_URIS: [
        `http://localhost:${apiPort}${OAUTH_CALLBACK_PATH}`,
        `http://127.0.0.1:${apiPort}${OAUTH_CALLBACK_PATH}`,
      ].join(','),
      SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${apiPort}/webhook/instagram`,
      SANDBOX_STATE_FILE: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(
      'The Meta sandbox',
      `${url}/_sandbox/state`,
      child,
      () => true,
    );
  } catch (error) {
    child.kill('SIGKILL');
    const output = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    throw new Error(`${(error as Error).message}\n${output.slice(-4000)}`);
  }
  return { url, process: child, logFile };
}

/** The API's `META_*` variables pointing both login methods at the sandbox. */
export function metaEnvironmentFor(sandboxUrl: string): NodeJS.ProcessEnv {
  return {
    META_GRAPH_URL: `${sandboxUrl}/${GRAPH_VERSION}`,
    META_OAUTH_DIALOG_URL: `${sandboxUrl}/${GRAPH_VERSION}/dialog/oauth`,
    META_IG_OAUTH_URL: `${sandboxUrl}/www.instagram.com/oauth/authorize`,
    META_IG_API_URL: `${sandboxUrl}/api.instagram.com`,
    META_IG_GRAPH_URL: `${sandboxUrl}/graph.instagram.com/${GRAPH_VERSION}`,
  };
}

export async function stopMetaSandbox(sandbox: RunningSandbox): Promise<void> {
  if (
    sandbox.process.exitCode === null &&
    sandbox.process.signalCode === null
  ) {
    const exited = new Promise<void>((done) =>
      sandbox.process.once('exit', () => done()),
    );
    sandbox.process.kill('SIGTERM');
    const forced = setTimeout(() => sandbox.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(forced);
  }
}
