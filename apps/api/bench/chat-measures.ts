import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { ms, percentile, perSecond, type Row } from './bench-report';
import {
  HISTORY_SIZES,
  LATENCY_CONVERSATIONS,
  SENDERS,
  type Setup,
} from './chat-bench-setup';
import { call, connectSocket } from './http-json';
import { describeOutcome, OpenLoop } from './open-loop';

const TARGET_SENDS_PER_SECOND = 1_500;
const TARGET_SOCKET_P99_MS = 50;
const TARGET_HISTORY_P99_MS = 5;
const TARGET_HISTORY_RATIO = 1.5;
const TARGET_ME_VS_BARE = 0.3;

const OFFERED_SENDS_PER_SECOND = 500;
const OFFERED_SECONDS = 8;
/** How long after the last scheduled send answers and deliveries may still arrive. */
const DELIVERY_GRACE_MS = 10_000;
const SEND_SECONDS = 6;
const SEND_WARMUP_SECONDS = 3;
const ME_CONNECTIONS = 16;
const ME_SECONDS = 5;
const HISTORY_PAGE = 50;
const HISTORY_WARMUP = 100;
const HISTORY_SAMPLES = 1_000;
// Below this a p99 is timer and scheduler noise on a shared machine: the ratio compares at least this much.
const HISTORY_RATIO_FLOOR_MS = 1;

/** The history pages the bench reads: the newest HISTORY_PAGE messages of each history conversation. */
export function historyPaths(setup: Setup): string[] {
  return setup.historyConversationIds.map(
    (id) => `/api/conversations/${id}/messages?limit=${HISTORY_PAGE}`,
  );
}

/**
 * Reads history pages one at a time over one keep-alive connection (undici, whose client costs
 * about a third less CPU per request than node:http's: the figure is the server's time, with as
 * little of the client's as possible), as the reader of the bench's conversations.
 */
class PageReader {
  private readonly connection: Pool;

  constructor(
    baseUrl: string,
    private readonly accessToken: string,
  ) {
    this.connection = new Pool(baseUrl, { connections: 1 });
  }

  /**
   * The page's body, checked to hold a full page; and how long it took to fetch and parse, in ms
   * (parsed as a client would, and as the figures before the reference was added were taken).
   */
  async read(path: string): Promise<{ text: string; elapsed: number }> {
    const t0 = performance.now();
    const response = await this.connection.request({
      method: 'GET',
      path,
      headers: { authorization: `Bearer ${this.accessToken}` },
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      throw new Error(`GET ${path}: ${response.statusCode} ${text}`);
    }
    const page = JSON.parse(text) as { items?: unknown[] };
    const elapsed = performance.now() - t0;
    if (page.items?.length !== HISTORY_PAGE) {
      throw new Error(
        `GET ${path}: a history page held ${page.items?.length ?? 'no'} messages`,
      );
    }
    return { text, elapsed };
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/** Each history page's body as the API answers it (the reference answers the same bytes). */
export async function readHistoryPages(
  baseUrl: string,
  setup: Setup,
): Promise<Record<string, string>> {
  const reader = new PageReader(baseUrl, setup.senders[0].accessToken);
  try {
    const pages: Record<string, string> = {};
    for (const path of historyPaths(setup)) {
      pages[path] = (await reader.read(path)).text;
    }
    return pages;
  } finally {
    await reader.close();
  }
}

/**
 * The history pages through the API, and the largest through the bare reference, which answers
 * the same body after the same token check (bare-jwt-server.ts): interleaved, request by request,
 * so all three see the same background load. The reference's figures are this machine's floor for
 * the measure: a tail there (the host taking the CPU away for milliseconds) is a tail the API's
 * figures carry too.
 */
export async function measureHistory(
  baseUrl: string,
  bareUrl: string,
  setup: Setup,
): Promise<Row[]> {
  const paths = historyPaths(setup);
  const token = setup.senders[0].accessToken;
  const api = new PageReader(baseUrl, token);
  const bare = new PageReader(bareUrl, token);
  const samples: number[][] = paths.map(() => []);
  const bareSamples: number[] = [];
  const largest = paths[paths.length - 1];
  try {
    for (let i = 0; i < HISTORY_WARMUP + HISTORY_SAMPLES; i++) {
      const measured = i >= HISTORY_WARMUP;
      for (let p = 0; p < paths.length; p++) {
        const { elapsed } = await api.read(paths[p]);
        if (measured) samples[p].push(elapsed);
      }
      const { elapsed } = await bare.read(largest);
      if (measured) bareSamples.push(elapsed);
    }
  } finally {
    await Promise.all([api.close(), bare.close()]);
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
  rows.push({
    name: `bare http + same JWT + the ${HISTORY_SIZES[HISTORY_SIZES.length - 1] / 1000}k page from a Map (reference), p50 / p99`,
    value: `${ms(percentile(bareSamples, 0.5))} / ${ms(percentile(bareSamples, 0.99))}`,
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

export async function measureMe(
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

export async function measureSends(
  baseUrl: string,
  setup: Setup,
): Promise<Row[]> {
  // Steady state, as a server that has been up for a while runs: the first seconds after a start
  // run the send path's code unoptimised on both threads (measured: ~2.5× the CPU per send).
  await sendFromAllSenders(baseUrl, setup, SEND_WARMUP_SECONDS);
  const result = await sendFromAllSenders(baseUrl, setup, SEND_SECONDS);
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

/** Sends on a fixed schedule (OpenLoop), timed to `message:new` on each recipient's socket. */
export async function measureSendToSocket(
  baseUrl: string,
  setup: Setup,
): Promise<Row[]> {
  const loop = new OpenLoop();
  const sockets = await Promise.all(
    setup.latencyConversations.map(({ recipient }) =>
      connectSocket(baseUrl, recipient.accessToken),
    ),
  );
  try {
    for (const socket of sockets) {
      socket.on('message:new', (message: { text: string }) => {
        const match = /^latency (\d+)$/.exec(message.text);
        if (match) loop.received(Number(match[1]));
      });
    }
    const result = await loop.run({
      ratePerSecond: OFFERED_SENDS_PER_SECOND,
      seconds: OFFERED_SECONDS,
      graceMs: DELIVERY_GRACE_MS,
      send: (seq) => {
        const conversation =
          setup.latencyConversations[seq % LATENCY_CONVERSATIONS];
        return call(
          baseUrl,
          'POST',
          `/api/conversations/${conversation.id}/messages`,
          conversation.sender.accessToken,
          { text: `latency ${seq}` },
        );
      },
    });
    const delivered = result.latenciesMs.length;
    const lost = result.offered - result.failed - delivered;
    const p99 = delivered > 0 ? percentile(result.latenciesMs, 0.99) : Infinity;
    return [
      {
        name: `send → recipient socket, ${OFFERED_SENDS_PER_SECOND}/s over ${LATENCY_CONVERSATIONS} conversations, p50 / p99`,
        value: `${ms(percentile(result.latenciesMs, 0.5))} / ${ms(p99)}`,
        target: `p99 < ${TARGET_SOCKET_P99_MS} ms, none lost`,
        ok: p99 < TARGET_SOCKET_P99_MS && lost === 0 && result.failed === 0,
      },
      {
        name: 'sends offered / answered / delivered / failed',
        value: describeOutcome(result),
      },
    ];
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
}

/** 32 REST senders, each writing into its own conversation, as fast as answers come back. */
function sendFromAllSenders(baseUrl: string, setup: Setup, seconds: number) {
  let nextClient = 0;
  return autocannon({
    url: baseUrl,
    connections: SENDERS,
    duration: seconds,
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
}
