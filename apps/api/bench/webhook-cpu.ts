/**
 * CPU per webhook delivery (scratch tool, not part of `api:bench`): starts the built API
 * (API_MAIN, default dist/apps/api/main.js) and the bare reference, posts N signed distinct
 * deliveries to each with 50 connections, and reads each process's utime+stime (/proc) before and
 * after (and after the processor settles, for the API), with each thread's share while the load
 * ran: the main thread, the embedded database's, V8's helpers (garbage collection, compilation) and
 * libuv's pool (file system, journal syncs) all count.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cpuMsOfStat,
  freePort,
  sleep,
  startReferenceServer,
} from './built-api';
import {
  deliveryAddress,
  instagramDmBody,
  signatureHeaders,
} from './webhook-payload';

const root = process.cwd();
const N = Number(process.env['N'] ?? 20000);
const mains = (process.env['API_MAIN'] ?? 'dist/apps/api/main.js').split(',');

function cpuMs(pid: number): number {
  return cpuMsOfStat(`/proc/${pid}/stat`);
}

/** CPU ms so far of each thread of a process, by thread id. */
function threadCpuMs(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(Number(tid), cpuMsOfStat(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // exited meanwhile
    }
  }
  return threads;
}

/** Each thread's CPU per request between two readings, busiest first; the main thread named. */
function threadShares(
  pid: number,
  before: Map<number, number>,
  after: Map<number, number>,
  requests: number,
): string {
  return [...after]
    .map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)] as const)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(
      ([tid, ms]) =>
        `${tid === pid ? 'main' : `thread ${tid}`} ${((ms * 1000) / requests).toFixed(1)}`,
    )
    .join(', ');
}

let seqBase = 0;
async function load(url: string, secret: string, amount: number) {
  let seq = seqBase;
  seqBase += amount + 1;
  // `amount` (stop after that many requests) is autocannon's, missing from our declarations.
  const options = {
    url,
    connections: 50,
    amount,
    requests: [
      {
        method: 'POST',
        path: '/webhook/instagram',
        setupRequest: (request: autocannon.AutocannonRequest) => {
          const n = seq++;
          const body = instagramDmBody(
            '17841400000000001',
            '1234567890123456',
            n,
          );
          return {
            ...request,
            body,
            headers: {
              ...signatureHeaders(body, secret),
              'x-forwarded-for': deliveryAddress(n),
            },
          };
        },
      },
    ],
  };
  return autocannon(options as autocannon.AutocannonOptions);
}

async function measure(name: string, pid: number, url: string, secret: string) {
  await load(url, secret, 2000);
  await sleep(1500);
  const threadsBefore = threadCpuMs(pid);
  const before = cpuMs(pid);
  const t0 = Date.now();
  const r = await load(url, secret, N);
  const wall = Date.now() - t0;
  const answered = cpuMs(pid);
  const threadsAfter = threadCpuMs(pid);
  await sleep(3000);
  const settled = cpuMs(pid);
  const bad = r.non2xx + r.errors + r.timeouts;
  console.log(
    `${name}: ${(((answered - before) * 1000) / N).toFixed(1)} µs CPU/req at answer, ${(((settled - before) * 1000) / N).toFixed(1)} µs settled; ${Math.round(N / (wall / 1000))} req/s, p50 ${r.latency.p50} p99 ${r.latency.p99} ms; not 200: ${bad}`,
  );
  console.log(
    `  µs CPU/req by thread: ${threadShares(pid, threadsBefore, threadsAfter, N)}`,
  );
}

async function main() {
  const secret = randomBytes(16).toString('hex');
  const bare = await startReferenceServer(root, 'bare-webhook-server.ts', {
    BENCH_APP_SECRET: secret,
  });
  const barePid = Number(
    (await import('node:child_process'))
      .execSync(`lsof -t -i :${new URL(bare.baseUrl).port} -sTCP:LISTEN`)
      .toString()
      .trim(),
  );
  const apis: {
    main: string;
    pid: number;
    url: string;
    stop: () => void;
    dir: string;
  }[] = [];
  try {
    for (const main of mains) {
      const dir = mkdtempSync(join(tmpdir(), 'webhook2-cpu-'));
      const port = await freePort();
      const prof = process.env['PROF']
        ? [`--cpu-prof`, `--cpu-prof-dir=${process.env['PROF']}`]
        : [];
      const child = spawn(
        process.execPath,
        [
          ...prof,
          '--max-semi-space-size=32',
          '--no-allocation-site-pretenuring',
          join(root, main),
        ],
        {
          cwd: root,
          stdio: ['ignore', 'ignore', 'inherit'],
          env: {
            ...process.env,
            NODE_ENV: 'development',
            PORT: String(port),
            HOST: '127.0.0.1',
            DATA_DIR: join(dir, 'data'),
            WEB_DIST_DIR: dir,
            LOG_LEVEL: 'warn',
            META_APP_SECRET: secret,
            TRUST_PROXY: 'true',
          },
        },
      );
      const url = `http://127.0.0.1:${port}`;
      for (;;) {
        try {
          if ((await fetch(`${url}/api/health`)).ok) break;
        } catch {
          /* not yet */
        }
        await sleep(200);
      }
      apis.push({
        main,
        pid: child.pid ?? 0,
        url,
        stop: () => child.kill('SIGTERM'),
        dir,
      });
    }
    const rounds = Number(process.env['ROUNDS'] ?? 1);
    for (let i = 0; i < rounds; i++) {
      console.log(
        `load average ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
      );
      await measure('bare', barePid, bare.baseUrl, secret);
      for (const api of apis) await measure(api.main, api.pid, api.url, secret);
    }
  } finally {
    // Also when a run fails: no API or scratch directory is left behind.
    await bare.stop();
    for (const api of apis) api.stop();
    await sleep(2000);
    for (const api of apis) rmSync(api.dir, { recursive: true, force: true });
  }
}

// Exits when done: autocannon's and fetch's keep-alive sockets must not hold the process open.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
