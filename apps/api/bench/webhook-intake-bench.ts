/**
 * Webhook intake against this machine's limit: signed ~1 KB Instagram DM deliveries posted to
 * `POST /webhook/instagram` by 50 connections (autocannon), every body distinct so each one is a
 * durable insert into the inbox (exact redeliveries would be dropped), on:
 *   - the built API started as `npm start` starts it (embedded database in a fresh DATA_DIR);
 *   - its reference, measured in the same run: a bare Node `http` server that only checks the
 *     signature and parses the JSON (bare-webhook-server.ts).
 * Target: the API answers at least half the reference's requests per second, every one 200. Each
 * process's CPU per delivery (every thread, `/proc`) is printed beside: the rates are capped by the
 * load generator sharing the machine's two cores, the CPU each server spends is not.
 *
 * The deliveries name an account nobody connected, so the processor records each as ignored: the
 * inbox's work, without the chat's. Each request carries an `X-Forwarded-For` from a pool
 * (deliveryAddress; the API runs with TRUST_PROXY=true), as Meta delivers from many servers.
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import {
  cpuPerDeliveryRow,
  describeMachine,
  log,
  perSecond,
  printTable,
} from './bench-report';
import { BenchScratch } from './bench-scratch';
import { type RunningProcess, withCpuSpent } from './built-api';
import {
  deliveryAddress,
  instagramDmBody,
  signatureHeaders,
} from './webhook-payload';

const TARGET_VS_REFERENCE = 0.5;
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const SECONDS = 10;
const ACCOUNT_ID = '17841400000000001';
const CONTACT_IGSID = '1234567890123456';
const WEBHOOK_PATH = '/webhook/instagram';

export async function runWebhookIntakeBench(
  workspaceRoot: string,
): Promise<boolean> {
  const machine = describeMachine();
  const scratch = new BenchScratch(workspaceRoot);
  const appSecret = randomBytes(16).toString('hex');
  try {
    log('starting the bare reference and the API');
    const reference = await scratch.startReference('bare-webhook-server.ts', {
      BENCH_APP_SECRET: appSecret,
    });
    const api = await scratch.startApi({
      META_APP_SECRET: appSecret,
      TRUST_PROXY: 'true',
    });

    const deliveries = signedDeliveries(appSecret);
    log(`POST ${WEBHOOK_PATH} on the reference, ${CONNECTIONS} connections`);
    await post(reference.baseUrl, deliveries, WARMUP_SECONDS);
    const bare = await timedPost(reference, deliveries);
    await reference.stop();
    log(`POST ${WEBHOOK_PATH} on the API, ${CONNECTIONS} connections`);
    await post(api.baseUrl, deliveries, WARMUP_SECONDS);
    const measured = await timedPost(api, deliveries);

    const ratio = measured.requests.average / bare.requests.average;
    const failed = (r: autocannon.AutocannonResult) =>
      r.non2xx + r.errors + r.timeouts;
    return printTable('InstantChat webhook intake bench', machine, [
      {
        name: `POST ${WEBHOOK_PATH} (API, durable insert), req/s, p50 / p99`,
        value: `${perSecond(measured.requests.average)} req/s, ${measured.latency.p50} / ${measured.latency.p99} ms`,
      },
      {
        name: 'bare http + HMAC + JSON.parse (reference)',
        value: `${perSecond(bare.requests.average)} req/s, ${bare.latency.p50} / ${bare.latency.p99} ms`,
      },
      {
        name: 'API ÷ reference',
        value: `${ratio.toFixed(2)}×`,
        target: `≥ ${TARGET_VS_REFERENCE}×`,
        ok: ratio >= TARGET_VS_REFERENCE,
      },
      // Rates are capped by the load generator sharing the two cores; CPU per delivery is not.
      cpuPerDeliveryRow(measured.cpuUsPerRequest, bare.cpuUsPerRequest),
      {
        name: 'deliveries not answered 200 (API / reference)',
        value: `${failed(measured)} / ${failed(bare)}`,
        target: 'none',
        ok: failed(measured) === 0 && failed(bare) === 0,
      },
    ]);
  } finally {
    await scratch.close();
  }
}

/** The request autocannon repeats, rewritten each time into a fresh signed delivery. */
function signedDeliveries(appSecret: string): autocannon.AutocannonRequest {
  let seq = 0;
  return {
    method: 'POST',
    path: WEBHOOK_PATH,
    setupRequest: (request) => {
      const n = seq++;
      const body = instagramDmBody(ACCOUNT_ID, CONTACT_IGSID, n);
      return {
        ...request,
        body,
        headers: {
          ...signatureHeaders(body, appSecret),
          'x-forwarded-for': deliveryAddress(n),
        },
      };
    },
  };
}

/** The measured phase on one server, with the CPU its process spent per request answered. */
async function timedPost(
  server: RunningProcess,
  delivery: autocannon.AutocannonRequest,
): Promise<autocannon.AutocannonResult & { cpuUsPerRequest: number }> {
  const { result, cpuMs } = await withCpuSpent(server, () =>
    post(server.baseUrl, delivery, SECONDS),
  );
  return {
    ...result,
    cpuUsPerRequest: (cpuMs * 1000) / Math.max(1, result.requests.total),
  };
}

function post(
  baseUrl: string,
  delivery: autocannon.AutocannonRequest,
  seconds: number,
): Promise<autocannon.AutocannonResult> {
  return autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [delivery],
  });
}
