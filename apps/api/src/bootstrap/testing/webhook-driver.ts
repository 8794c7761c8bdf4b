import { createHmac } from 'node:crypto';

export interface FiringReport {
  /** Events the API answered 2xx: Meta forgets these. */
  acknowledged: number;
  /** POSTs made, retries included. */
  posts: number;
  /** POSTs answered otherwise or not at all (connection refused or reset, timeout). */
  failures: number;
}

export interface WebhookDriverOptions {
  /** Where to POST (read for every POST: the API may come back on another port). */
  url: () => string;
  /** The app secret Meta signs with. */
  secret: string;
  concurrency?: number;
  /** How long one POST may take before it counts as failed, like Meta's own timeout. */
  timeoutMs?: number;
  /** Pause before a failed event is sent again (Meta waits longer; tests cannot). */
  retryDelayMs?: number;
}

/**
 * Plays Meta's webhook sender under load: signs each body with `X-Hub-Signature-256`, POSTs it,
 * and sends the same bytes again after any non-2xx answer or connection error until it is
 * acknowledged. `progress` reports acknowledgements as they come, so a test can crash the API at
 * a chosen point.
 */
export async function fireWebhooks(
  bodies: readonly string[],
  {
    url,
    secret,
    concurrency = 16,
    timeoutMs = 5_000,
    retryDelayMs = 100,
  }: WebhookDriverOptions,
  progress: (report: FiringReport) => void = () => undefined,
): Promise<FiringReport> {
  const report: FiringReport = { acknowledged: 0, posts: 0, failures: 0 };
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next];
      next += 1;
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      for (;;) {
        report.posts += 1;
        try {
          const response = await fetch(url(), {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-hub-signature-256': signature,
            },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
          await response.arrayBuffer();
          if (response.ok) break;
        } catch {
          // Refused, reset or timed out: Meta retries.
        }
        report.failures += 1;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
      report.acknowledged += 1;
      progress(report);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return report;
}
