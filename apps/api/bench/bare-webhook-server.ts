/**
 * The webhook intake bench's reference: what this machine does for `POST /webhook/instagram` when
 * nothing stands between the socket and the answer but the least work Meta's contract asks for. A
 * bare Node `http` server that reads the raw body, checks `X-Hub-Signature-256` (HMAC-SHA256 with
 * the app secret, compared in constant time), parses the JSON and answers `EVENT_RECEIVED`; it
 * stores nothing.
 *
 * Started by webhook-intake-bench.ts as its own process with BENCH_APP_SECRET in the environment.
 * Prints `listening <port>` once ready.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { answer, listenForTheBench } from './reference-http';

const appSecret = process.env['BENCH_APP_SECRET'] ?? '';
const TEXT = 'text/plain; charset=utf-8';
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

function isSigned(body: Buffer, header: string | undefined): boolean {
  const given = header ? SIGNATURE.exec(header)?.[1] : undefined;
  if (!given) return false;
  const expected = createHmac('sha256', appSecret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const signature = request.headers['x-hub-signature-256'];
    if (
      request.method !== 'POST' ||
      !isSigned(body, typeof signature === 'string' ? signature : undefined)
    ) {
      answer(response, 401, 'Invalid webhook signature', TEXT);
      return;
    }
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      answer(response, 400, 'Request body is not valid JSON', TEXT);
      return;
    }
    answer(response, 200, 'EVENT_RECEIVED', TEXT);
  });
});

listenForTheBench(server);
