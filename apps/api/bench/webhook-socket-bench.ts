/**
 * Webhook → owner's socket: with 1,000 users connected over Socket.io, each owning one Instagram
 * account, signed DM deliveries are posted to `POST /webhook/instagram` at 500 per second on a
 * fixed schedule (OpenLoop), each for one owner in turn, and timed from the scheduled POST to
 * `message:new` on that owner's socket. The path is the whole receive flow: signature, durable
 * inbox, processor, message stored, owner's room. Target: p99 < 10 ms, none lost.
 *
 * Its reference, measured in the same run with the same 1,000 sockets and schedule: Socket.io's own
 * delivery, a bare server that turns each POST into an emit to the named room
 * (bare-socketio-server.ts). The built API runs as `npm start` runs it (embedded database in a
 * fresh DATA_DIR), with the owners seeded into it (business-owners-seed.ts), the JWT secret and
 * app secret from the bench, and TRUST_PROXY=true for deliveries from many addresses
 * (deliveryAddress), as Meta's servers send them. Each server's CPU per delivery over the measured
 * run (every thread of its process, `/proc`) is printed too: above about half the machine, the API
 * queues, and its latencies are the queue's.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import {
  cpuPerDeliveryRow,
  describeMachine,
  log,
  ms,
  percentile,
  printTable,
  type Row,
} from './bench-report';
import { type BusinessOwner, seedBusinessOwners } from './business-owners-seed';
import { BenchScratch } from './bench-scratch';
import { type RunningProcess, withCpuSpent } from './built-api';
import { connectSocket, send } from './http-json';
import { describeOutcome, OpenLoop, type OpenLoopResult } from './open-loop';
import {
  deliveryAddress,
  instagramDmBody,
  seqOfText,
  signatureHeaders,
} from './webhook-payload';

const TARGET_P99_MS = 10;
const OWNERS = 1_000;
const EVENTS_PER_SECOND = 500;
const SECONDS = 8;
const WARMUP_SECONDS = 2;
const GRACE_MS = 10_000;
const CONNECT_BATCH = 50;
/** Warm-up deliveries are numbered from here, so a late one is never taken for a measured one. */
const WARMUP_SEQ_OFFSET = 10_000_000;

/** Sends delivery `seq` (for `owners[seq % OWNERS]`) to the server under test. */
type Deliver = (owner: BusinessOwner, seq: number) => Promise<unknown>;

export async function runWebhookSocketBench(
  workspaceRoot: string,
): Promise<boolean> {
  const machine = describeMachine();
  const scratch = new BenchScratch(workspaceRoot);
  const jwtSecret = randomBytes(48).toString('base64url');
  const appSecret = randomBytes(16).toString('hex');
  try {
    log(`seeding ${OWNERS} users with an Instagram account each`);
    const owners = await seedBusinessOwners(scratch.dataDir, OWNERS, jwtSecret);

    log('Socket.io reference: 1,000 sockets, POST → emit');
    const reference = await scratch.startReference('bare-socketio-server.ts');
    const bare = await measure(
      reference,
      owners.map((owner) => owner.userId),
      owners,
      (owner, seq) =>
        send(
          reference.baseUrl,
          'POST',
          '/emit',
          { 'content-type': 'application/json' },
          JSON.stringify({ userId: owner.userId, text: `bench ${seq} ` }),
        ),
    );
    await reference.stop();

    log('the API: 1,000 owners connected, webhook deliveries');
    const api = await scratch.startApi({
      JWT_SECRET: jwtSecret,
      META_APP_SECRET: appSecret,
      TRUST_PROXY: 'true',
    });
    const measured = await measure(
      api,
      owners.map((owner) => owner.accessToken),
      owners,
      (owner, seq) => {
        const body = instagramDmBody(
          owner.instagramAccountId,
          owner.contactIgsid,
          seq,
        );
        return send(
          api.baseUrl,
          'POST',
          '/webhook/instagram',
          {
            ...signatureHeaders(body, appSecret),
            'x-forwarded-for': deliveryAddress(seq),
          },
          body,
        );
      },
    );

    return printTable('InstantChat webhook → socket bench', machine, [
      ...resultRows(
        `webhook POST → owner's socket (API), ${OWNERS} users, ${EVENTS_PER_SECOND}/s, p50 / p99`,
        measured,
        true,
      ),
      ...resultRows(
        'POST → emit → socket (Socket.io reference), p50 / p99',
        bare,
        false,
      ),
      cpuPerDeliveryRow(measured.cpuUsPerDelivery, bare.cpuUsPerDelivery),
    ]);
  } finally {
    await scratch.close();
  }
}

/**
 * Connects one socket per owner, warms up, then runs the measured open loop; with the CPU the
 * server's process spent on it per delivery offered (every thread, `/proc`).
 */
async function measure(
  server: RunningProcess,
  socketTokens: readonly string[],
  owners: readonly BusinessOwner[],
  deliver: Deliver,
): Promise<OpenLoopResult & { cpuUsPerDelivery: number }> {
  const { baseUrl } = server;
  const warmup = new OpenLoop();
  const measured = new OpenLoop();
  const sockets: Socket[] = [];
  try {
    for (let start = 0; start < socketTokens.length; start += CONNECT_BATCH) {
      sockets.push(
        ...(await Promise.all(
          socketTokens
            .slice(start, start + CONNECT_BATCH)
            .map((token) => connectSocket(baseUrl, token)),
        )),
      );
    }
    for (const socket of sockets) {
      socket.on('message:new', (message: { text?: string }) => {
        const seq = seqOfText(message.text ?? '');
        if (seq === undefined) return;
        if (seq >= WARMUP_SEQ_OFFSET) warmup.received(seq - WARMUP_SEQ_OFFSET);
        else measured.received(seq);
      });
    }
    const run = (loop: OpenLoop, seconds: number, offset: number) =>
      loop.run({
        ratePerSecond: EVENTS_PER_SECOND,
        seconds,
        graceMs: GRACE_MS,
        send: (seq) => deliver(owners[seq % owners.length], seq + offset),
      });
    await run(warmup, WARMUP_SECONDS, WARMUP_SEQ_OFFSET);
    const { result, cpuMs } = await withCpuSpent(server, () =>
      run(measured, SECONDS, 0),
    );
    return {
      ...result,
      cpuUsPerDelivery: (cpuMs * 1000) / Math.max(1, result.offered),
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
}

function resultRows(
  name: string,
  result: OpenLoopResult,
  withTarget: boolean,
): Row[] {
  const delivered = result.latenciesMs.length;
  const lost = result.offered - result.failed - delivered;
  const p99 = delivered > 0 ? percentile(result.latenciesMs, 0.99) : Infinity;
  return [
    {
      name,
      value: `${ms(percentile(result.latenciesMs, 0.5))} / ${ms(p99)}`,
      ...(withTarget && {
        target: `p99 < ${TARGET_P99_MS} ms, none lost`,
        ok: p99 < TARGET_P99_MS && lost === 0 && result.failed === 0,
      }),
    },
    {
      name: '  offered / answered / delivered / failed',
      value: describeOutcome(result),
    },
  ];
}
