/**
 * The chat API's hot paths, measured against this machine's own limit.
 *
 *   npm run bench            (every project's bench)
 *   npx nx run api:bench     (this one; builds the API first)
 *
 * Runs the built API the way `npm start` does (dist/apps/api/main.js, embedded database, secrets
 * generated into a fresh DATA_DIR under the system's temp dir; no Meta sandbox), then measures:
 *   - sends: 32 concurrent REST senders, each in its own conversation (autocannon);
 *   - send → recipient's socket: 500 sends/s offered on a fixed schedule over 100 conversations,
 *     timed from the scheduled send to `message:new` on the recipient's socket (socket.io-client);
 *   - history: the newest 50 messages of a conversation holding 10k and one holding 100k;
 *   - `GET /api/auth/me` with 16 connections, against a bare Node `http` server measured in the same
 *     run that verifies the same token and answers from a Map (bare-jwt-server.ts).
 * Prints a table and exits 1 when a target is missed. Takes about two minutes.
 */
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import {
  type RunningProcess,
  sleep,
  startBareJwtServer,
  startBuiltApi,
} from './built-api';
import { seedHistories } from './history-seed';

const TARGET_SENDS_PER_SECOND = 1_500;
const TARGET_SOCKET_P99_MS = 50;
const TARGET_HISTORY_P99_MS = 5;
const TARGET_HISTORY_RATIO = 1.5;
const TARGET_ME_VS_BARE = 0.3;

const SENDERS = 32;
const LATENCY_CONVERSATIONS = 100;
const OFFERED_SENDS_PER_SECOND = 500;
const OFFERED_SECONDS = 8;
/** How long after the last scheduled send answers and deliveries may still arrive. */
const DELIVERY_GRACE_MS = 10_000;
const SEND_SECONDS = 6;
const ME_CONNECTIONS = 16;
const ME_SECONDS = 5;
const HISTORY_PAGE = 50;
const HISTORY_SIZES = [10_000, 100_000] as const;
const HISTORY_WARMUP = 100;
const HISTORY_SAMPLES = 1_000;
// Below this a p99 is timer and scheduler noise on a shared machine: the ratio compares at least this much.
const HISTORY_RATIO_FLOOR_MS = 1;
const WHOLE_RUN_LIMIT_MS = 6 * 60_000;

const WORKSPACE_ROOT = resolve(__dirname, '../../..');
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

interface Person {
  id: string;
  accessToken: string;
  user: object;
}

interface Row {
  name: string;
  value: string;
  target?: string;
  ok?: boolean;
}

async function main(): Promise<number> {
  if (!existsSync(join(WORKSPACE_ROOT, 'dist/apps/api/main.js'))) {
    console.error('Build the API first: npx nx build api');
    return 1;
  }
  const tempDir = mkdtempSync(join(tmpdir(), 'instantchat-bench-'));
  const dataDir = join(tempDir, 'data');
  const webDistDir = dashboardDir(tempDir);
  const running: RunningProcess[] = [];
  const overrun = setTimeout(() => {
    console.error(`The bench ran longer than ${WHOLE_RUN_LIMIT_MS / 1000} s`);
    void Promise.all(running.map((p) => p.stop())).then(() => process.exit(1));
  }, WHOLE_RUN_LIMIT_MS);
  try {
    log('starting the API and creating users and conversations');
    let api = await startBuiltApi(WORKSPACE_ROOT, dataDir, webDistDir);
    running.push(api);
    const setup = await createPeopleAndConversations(api.baseUrl);
    await api.stop();

    log(`seeding ${HISTORY_SIZES.join(' and ')} messages of history`);
    await seedHistories(
      dataDir,
      HISTORY_SIZES.map((messages, i) => ({
        conversationId: setup.historyConversationIds[i],
        senderUserId: setup.senders[1].id,
        messages,
      })),
    );
    api = await startBuiltApi(WORKSPACE_ROOT, dataDir, webDistDir);
    running.push(api);

    const rows: Row[] = [];
    log('history pages');
    rows.push(...(await measureHistory(api.baseUrl, setup)));
    log('GET /api/auth/me against the bare reference');
    const jwtSecret = (
      JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
        jwtSecret: string;
      }
    ).jwtSecret;
    const bare = await startBareJwtServer(
      WORKSPACE_ROOT,
      jwtSecret,
      setup.senders.map((p) => p.user),
    );
    running.push(bare);
    rows.push(...(await measureMe(api.baseUrl, bare.baseUrl, setup)));
    await bare.stop();
    log('sends, 32 concurrent');
    rows.push(...(await measureSends(api.baseUrl, setup)));
    log('send → socket at 500/s');
    rows.push(...(await measureSendToSocket(api.baseUrl, setup)));

    printTable(rows);
    return rows.every((row) => row.ok !== false) ? 0 : 1;
  } finally {
    clearTimeout(overrun);
    agent.destroy();
    await Promise.all(running.map((p) => p.stop()));
    rmSync(tempDir, { recursive: true, force: true });
  }
}

/**
 * The built dashboard when there is one (as `npm start` serves it); otherwise a one-file stand-in,
 * so the dashboard's middleware sits in front of the API exactly as it does in a real run.
 */
function dashboardDir(tempDir: string): string {
  const built = join(WORKSPACE_ROOT, 'dist/apps/web/browser');
  if (existsSync(join(built, 'index.html'))) return built;
  const standIn = join(tempDir, 'web');
  mkdirSync(standIn, { recursive: true });
  writeFileSync(join(standIn, 'index.html'), '<!doctype html><title>x</title>');
  return standIn;
}

interface Setup {
  senders: Person[];
  recipients: Person[];
  /** sendConversationIds[i] is between senders[i] and recipients[i]. */
  sendConversationIds: string[];
  /** latencyConversations[k] is between senders[k % SENDERS] and recipients[k]. */
  latencyConversations: { id: string; sender: Person; recipient: Person }[];
  /** Between senders[0] and senders[1] and [2], one per HISTORY_SIZES entry; read by senders[0]. */
  historyConversationIds: string[];
}

async function createPeopleAndConversations(baseUrl: string): Promise<Setup> {
  const senders = await registerMany(baseUrl, 'sender', SENDERS);
  const recipients = await registerMany(
    baseUrl,
    'recipient',
    LATENCY_CONVERSATIONS,
  );
  const open = async (from: Person, to: Person) =>
    (
      (await call(baseUrl, 'POST', '/api/conversations', from.accessToken, {
        participantId: to.id,
      })) as { id: string }
    ).id;
  const latencyConversations = [];
  for (let k = 0; k < LATENCY_CONVERSATIONS; k++) {
    const sender = senders[k % SENDERS];
    const recipient = recipients[k];
    latencyConversations.push({
      id: await open(sender, recipient),
      sender,
      recipient,
    });
  }
  const historyConversationIds = [];
  for (let i = 0; i < HISTORY_SIZES.length; i++) {
    historyConversationIds.push(await open(senders[0], senders[i + 1]));
  }
  return {
    senders,
    recipients,
    sendConversationIds: latencyConversations
      .slice(0, SENDERS)
      .map((c) => c.id),
    latencyConversations,
    historyConversationIds,
  };
}

async function registerMany(
  baseUrl: string,
  role: string,
  count: number,
): Promise<Person[]> {
  const people: Person[] = [];
  // Password hashing is deliberately slow: a few at a time keeps both cores busy and no more.
  for (let start = 0; start < count; start += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - start) }, async (_, j) => {
        const body = (await call(baseUrl, 'POST', '/api/auth/register', null, {
          email: `${role}${start + j}-${randomUUID()}@bench.example`,
          password: `Bench-${randomUUID()}`,
          displayName: `${role} ${start + j}`,
        })) as { accessToken: string; user: { id: string } };
        return {
          id: body.user.id,
          accessToken: body.accessToken,
          user: body.user,
        };
      }),
    );
    people.push(...batch);
  }
  return people;
}

async function measureHistory(baseUrl: string, setup: Setup): Promise<Row[]> {
  const reader = setup.senders[0];
  const paths = setup.historyConversationIds.map(
    (id) => `/api/conversations/${id}/messages?limit=${HISTORY_PAGE}`,
  );
  const samples: number[][] = paths.map(() => []);
  for (let i = 0; i < HISTORY_WARMUP + HISTORY_SAMPLES; i++) {
    // Interleaved, so both sizes see the same background load on a shared machine.
    for (let p = 0; p < paths.length; p++) {
      const t0 = performance.now();
      const page = (await call(
        baseUrl,
        'GET',
        paths[p],
        reader.accessToken,
      )) as { items: unknown[] };
      const elapsed = performance.now() - t0;
      if (page.items.length !== HISTORY_PAGE) {
        throw new Error(`a history page held ${page.items.length} messages`);
      }
      if (i >= HISTORY_WARMUP) samples[p].push(elapsed);
    }
  }
  const rows: Row[] = [];
  const p99s = samples.map((s) => percentile(s, 0.99));
  HISTORY_SIZES.forEach((size, i) => {
    const last = i === HISTORY_SIZES.length - 1;
    rows.push({
      name: `history page (newest ${HISTORY_PAGE}) at ${size / 1000}k, p50 / p99`,
      value: `${ms(percentile(samples[i], 0.5))} / ${ms(p99s[i])}`,
      ...(last && {
        target: `p99 < ${TARGET_HISTORY_P99_MS} ms`,
        ok: p99s[i] < TARGET_HISTORY_P99_MS,
      }),
    });
  });
  const ratio =
    Math.max(p99s[1], HISTORY_RATIO_FLOOR_MS) /
    Math.max(p99s[0], HISTORY_RATIO_FLOOR_MS);
  rows.push({
    name: 'history p99, 100k ÷ 10k',
    value: `${ratio.toFixed(2)}×`,
    target: `≤ ${TARGET_HISTORY_RATIO}×`,
    ok: ratio <= TARGET_HISTORY_RATIO,
  });
  return rows;
}

async function measureMe(
  baseUrl: string,
  bareUrl: string,
  setup: Setup,
): Promise<Row[]> {
  const token = setup.senders[0].accessToken;
  const run = (url: string) =>
    autocannon({
      url: `${url}/api/auth/me`,
      connections: ME_CONNECTIONS,
      duration: ME_SECONDS,
      headers: { authorization: `Bearer ${token}` },
    });
  const bare = await run(bareUrl);
  const api = await run(baseUrl);
  for (const [name, result] of [
    ['bare reference', bare],
    ['API', api],
  ] as const) {
    if (result.non2xx > 0 || result.errors > 0 || result['2xx'] === 0) {
      throw new Error(
        `GET /api/auth/me on the ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`,
      );
    }
  }
  const ratio = api.requests.average / bare.requests.average;
  return [
    {
      name: `GET /api/auth/me, ${ME_CONNECTIONS} connections, p50 / p99`,
      value: `${perSecond(api.requests.average)} req/s, ${api.latency.p50} / ${api.latency.p99} ms`,
    },
    {
      name: 'bare http + same JWT + Map (reference)',
      value: `${perSecond(bare.requests.average)} req/s, ${bare.latency.p50} / ${bare.latency.p99} ms`,
    },
    {
      name: '/me ÷ reference',
      value: `${ratio.toFixed(2)}×`,
      target: `≥ ${TARGET_ME_VS_BARE}×`,
      ok: ratio >= TARGET_ME_VS_BARE,
    },
  ];
}

async function measureSends(baseUrl: string, setup: Setup): Promise<Row[]> {
  let nextClient = 0;
  const result = await autocannon({
    url: baseUrl,
    connections: SENDERS,
    duration: SEND_SECONDS,
    // Each connection is one sender writing into its own conversation.
    setupClient: (client) => {
      const i = nextClient++ % SENDERS;
      client.setRequests([
        {
          method: 'POST',
          path: `/api/conversations/${setup.sendConversationIds[i]}/messages`,
          headers: {
            authorization: `Bearer ${setup.senders[i].accessToken}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ text: `throughput from sender ${i}` }),
        },
      ]);
    },
  });
  const rate = result['2xx'] / result.duration;
  const failed = result.non2xx + result.errors + result.timeouts;
  return [
    {
      name: `sends, ${SENDERS} concurrent REST senders`,
      value: `${perSecond(rate)} msgs/s`,
      target: `≥ ${perSecond(TARGET_SENDS_PER_SECOND)}/s, none failed`,
      ok: rate >= TARGET_SENDS_PER_SECOND && failed === 0,
    },
    {
      name: 'sends p50 / p99',
      value: `${result.latency.p50} / ${result.latency.p99} ms${failed ? `, ${failed} failed` : ''}`,
    },
  ];
}

/**
 * An open-loop load: sends leave on a fixed schedule whether or not earlier ones have finished, and
 * latency counts from the scheduled instant, so a server that falls behind shows its queue.
 */
async function measureSendToSocket(
  baseUrl: string,
  setup: Setup,
): Promise<Row[]> {
  const scheduledAt = new Map<number, number>();
  const latencies: number[] = [];
  let failedSends = 0;
  const sockets = await Promise.all(
    setup.latencyConversations.map(({ recipient }) =>
      connectSocket(baseUrl, recipient.accessToken),
    ),
  );
  try {
    for (const socket of sockets) {
      socket.on('message:new', (message: { text: string }) => {
        const match = /^latency (\d+)$/.exec(message.text);
        const sent = match ? scheduledAt.get(Number(match[1])) : undefined;
        if (sent !== undefined) latencies.push(performance.now() - sent);
      });
    }
    const total = OFFERED_SENDS_PER_SECOND * OFFERED_SECONDS;
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let seq = 0; seq < total; ) {
      const due = Math.min(
        total,
        Math.floor(
          ((performance.now() - start) / 1000) * OFFERED_SENDS_PER_SECOND,
        ),
      );
      for (; seq < due; seq++) {
        const conversation =
          setup.latencyConversations[seq % LATENCY_CONVERSATIONS];
        scheduledAt.set(seq, start + (seq * 1000) / OFFERED_SENDS_PER_SECOND);
        inFlight.push(
          call(
            baseUrl,
            'POST',
            `/api/conversations/${conversation.id}/messages`,
            conversation.sender.accessToken,
            { text: `latency ${seq}` },
          ).then(
            () => undefined,
            () => {
              failedSends++;
            },
          ),
        );
      }
      await sleep(1);
    }
    // Bounded: a server that falls far behind is reported as losing sends, not waited for.
    const graceEnds = performance.now() + DELIVERY_GRACE_MS;
    await Promise.race([
      Promise.all(inFlight),
      sleep(graceEnds - performance.now()),
    ]);
    while (
      latencies.length < total - failedSends &&
      performance.now() < graceEnds
    ) {
      await sleep(20);
    }
    const lost = total - failedSends - latencies.length;
    const p99 = latencies.length > 0 ? percentile(latencies, 0.99) : Infinity;
    return [
      {
        name: `send → recipient socket, ${OFFERED_SENDS_PER_SECOND}/s over ${LATENCY_CONVERSATIONS} conversations, p50 / p99`,
        value: `${ms(percentile(latencies, 0.5))} / ${ms(p99)}`,
        target: `p99 < ${TARGET_SOCKET_P99_MS} ms, none lost`,
        ok: p99 < TARGET_SOCKET_P99_MS && lost === 0 && failedSends === 0,
      },
      {
        name: 'offered / delivered / failed sends',
        value: `${total} / ${latencies.length} / ${failedSends}`,
      },
    ];
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
}

function connectSocket(baseUrl: string, token: string): Promise<Socket> {
  return new Promise((resolvePromise, reject) => {
    const socket = io(baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
    });
    socket.once('connect', () => resolvePromise(socket));
    socket.once('connect_error', reject);
  });
}

/** One JSON request over the shared keep-alive agent; rejects on a non-2xx answer. */
function call(
  baseUrl: string,
  method: string,
  path: string,
  token: string | null,
  body?: object,
): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      {
        method,
        agent,
        headers: {
          ...(token && { authorization: `Bearer ${token}` }),
          ...(payload !== undefined && {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(new Error(`${method} ${path}: ${status} ${text}`));
          } else {
            resolvePromise(text ? JSON.parse(text) : null);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  ];
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : '—';
}

function perSecond(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function log(step: string): void {
  console.log(`[bench] ${step}…`);
}

function printTable(rows: readonly Row[]): void {
  const cpu = cpus();
  console.log(
    `\nInstantChat API bench — ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average before the run ${loadAtStart}\n`,
  );
  const cells = rows.map((row) => [
    row.name,
    row.value,
    row.target ?? '',
    row.ok === undefined ? '' : row.ok ? 'ok' : 'MISSED',
  ]);
  const header = ['measure', 'value', 'target', ''];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => c[i].length)),
  );
  const line = (c: string[]) =>
    `| ${c.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
}

const loadAtStart = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
