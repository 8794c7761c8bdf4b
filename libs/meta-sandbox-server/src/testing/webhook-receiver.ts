import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in for the API's webhook endpoint, for tests: records every POST, answers as told. */
export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status for the next requests, in order; the last one repeats. Default 200. */
  respondWith(...statuses: number[]): void;
  /** Answer only after this delay. */
  delayAnswers(ms: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(
  path = '/webhook/instagram',
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let statuses: number[] = [200];
  let delayMs = 0;
  const waiters: { count: number; resolve: () => void }[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      });
      const status =
        statuses.length > 1 ? (statuses.shift() as number) : statuses[0];
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status < 300 ? 'EVENT_RECEIVED' : 'error');
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
      for (const w of waiters.filter((w) => received.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    respondWith: (...next) => {
      statuses = next.length > 0 ? next : [200];
    },
    delayAnswers: (ms) => {
      delayMs = ms;
    },
    waitFor: (count, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        if (received.length >= count) return resolve(received);
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `Expected ${count} webhook requests, got ${received.length}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => (clearTimeout(timer), resolve(received)),
        });
      }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
