#!/usr/bin/env node
// The one-command run: builds the API, the dashboard and the Meta sandbox, then runs the
// sandbox and the API (which serves the dashboard) on embedded defaults. No MongoDB, Redis
// or Meta account is needed; data lives under .data/.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const nxEnv = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_INTERACTIVE: 'false',
  NG_CLI_ANALYTICS: 'false',
};
const skipBuild = process.argv.includes('--no-build');

if (!skipBuild) {
  console.log(
    '[start] building api, web and meta-sandbox (first run takes a minute)…',
  );
  const build = spawnSync(
    'npx',
    [
      'nx',
      'run-many',
      '-t',
      'build',
      '-p',
      'api',
      'web',
      'meta-sandbox',
      '--parallel=2',
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...nxEnv } },
  );
  if (build.status !== 0) {
    console.error('[start] build failed; see the output above');
    process.exit(build.status ?? 1);
  }
}

const port = process.env.PORT ?? '3000';
const sandboxPort = process.env.SANDBOX_PORT ?? '3100';
const children = [];

/**
 * The API's process also hosts the embedded database: a larger young generation (V8's default
 * semi-space is 16 MB) makes scavenges rarer, which halves the p99 of a history page
 * (`npx nx run mongo-embedded:bench`: 58 pauses and 4.7 ms at 100k messages; 25 and 2.5 ms).
 * Without allocation-site pretenuring: the database thread decodes the documents it stores and the
 * commands it throws away at the same allocation sites, so V8 learnt to allocate both straight in
 * the old generation, and every update pipeline's spec became garbage there (during the chat
 * bench's sends: 210 -> 104 MB promoted on that thread, and its major collection, 100-300 ms of the
 * thread, no longer fell in the measured phases).
 */
const API_NODE_FLAGS = [
  '--max-semi-space-size=32',
  '--no-allocation-site-pretenuring',
];

function run(name, script, env, nodeFlags = []) {
  const child = spawn(process.execPath, [...nodeFlags, script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const prefix = (line) => (line ? `[${name}] ${line}` : line);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) console.log(prefix(line));
    });
  }
  child.on('exit', (code, signal) => {
    console.log(`[start] ${name} exited (${signal ?? code})`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

run('meta-sandbox', 'dist/apps/meta-sandbox/main.js', {
  SANDBOX_PORT: sandboxPort,
});
run('api', 'dist/apps/api/main.js', { PORT: port }, API_NODE_FLAGS);

const url = process.env.PUBLIC_URL ?? `http://localhost:${port}`;
const deadline = Date.now() + 120_000;
(async function waitForHealth() {
  while (!stopping && Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) {
        console.log(
          `\n  InstantChat is running: ${url}\n  API docs: ${url}/api/docs\n  Meta sandbox: http://127.0.0.1:${sandboxPort} (DM the business as an Instagram user at /instagram)\n  Stop with Ctrl+C.\n`,
        );
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!stopping)
    console.error('[start] the API did not become healthy within 2 minutes');
})();
