import { createHmac } from 'node:crypto';
import {
  DEFAULT_GRAPH_API_VERSION,
  WEBHOOK_SIGNATURE_PREFIX,
  type InstagramWebhookPayload,
} from '@instantchat/meta-platform';

/**
 * Delivers webhook notifications the way Meta does: a JSON POST signed with the app secret
 * (`X-Hub-Signature-256: sha256=<hex>` plus the legacy SHA-1 `X-Hub-Signature`) and the Graph API
 * version the app's webhooks are set to (`Facebook-API-Version: v26.0`), a 2xx answer
 * expected within a time limit, and on failure the same bytes retried — immediately a few times,
 * then at decreasing frequency for about 36 hours.
 */

/** Roughly Meta's schedule; tests pass milliseconds instead. */
export const META_WEBHOOK_RETRY_DELAYS_MS = [
  1_000,
  5_000,
  30_000,
  2 * 60_000,
  10 * 60_000,
  30 * 60_000,
  60 * 60_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  12 * 3_600_000,
];
export const META_WEBHOOK_TIMEOUT_MS = 20_000;

export interface WebhookAttempt {
  at: number;
  durationMs: number;
  status?: number;
  error?: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'skipped';

export interface WebhookDelivery {
  id: number;
  createdAt: number;
  callbackUrl?: string;
  payload: InstagramWebhookPayload;
  /** The exact bytes sent (and signed) on every attempt. */
  body: string;
  state: DeliveryState;
  attempts: WebhookAttempt[];
  nextAttemptAt?: number;
  /** Why a delivery was skipped (no callback URL, Page not subscribed). */
  reason?: string;
  /** Whose secret signs it: the Meta app's (Facebook Login) or the Instagram app's. */
  signedBy: WebhookSigner;
}

export type WebhookSigner = 'meta_app' | 'instagram_app';

export interface SendOptions {
  skipReason?: string;
  signedBy?: WebhookSigner;
}

export interface WebhookSenderOptions {
  appSecret: string;
  /** Signs deliveries of Instagram Login subscriptions. */
  instagramAppSecret: string;
  callbackUrl?: string;
  retryDelaysMs?: number[];
  timeoutMs?: number;
  /** The Graph API version of the app's webhook subscription, sent as `Facebook-API-Version`. */
  apiVersion?: string;
  log?: (line: string) => void;
}

export function signWebhookBody(
  body: string,
  appSecret: string,
): { sha256: string; sha1: string } {
  return {
    sha256:
      WEBHOOK_SIGNATURE_PREFIX +
      createHmac('sha256', appSecret).update(body, 'utf8').digest('hex'),
    sha1:
      'sha1=' +
      createHmac('sha1', appSecret).update(body, 'utf8').digest('hex'),
  };
}

/**
 * Meta sends (and signs) its payloads with every non-ASCII character escaped as `\uXXXX` in
 * lowercase hex: "äöå" travels as `\u00e4\u00f6\u00e5`. A receiver that re-serialises the
 * parsed JSON instead of hashing the raw bytes computes a different signature; doing the same
 * here makes that mistake fail in tests as it would against Meta.
 */
export function escapeNonAscii(json: string): string {
  return json.replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  callbackUrl?: string;
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly idleWaiters: (() => void)[] = [];
  private nextId = 1;
  private stopped = false;

  constructor(private readonly options: WebhookSenderOptions) {
    this.callbackUrl = options.callbackUrl;
    this.retryDelaysMs = options.retryDelaysMs ?? META_WEBHOOK_RETRY_DELAYS_MS;
    this.timeoutMs = options.timeoutMs ?? META_WEBHOOK_TIMEOUT_MS;
  }

  send(
    payload: InstagramWebhookPayload,
    { skipReason, signedBy = 'meta_app' }: SendOptions = {},
  ): WebhookDelivery {
    const delivery: WebhookDelivery = {
      id: this.nextId++,
      createdAt: Date.now(),
      callbackUrl: this.callbackUrl,
      payload,
      body: escapeNonAscii(JSON.stringify(payload)),
      state: 'pending',
      attempts: [],
      signedBy,
    };
    this.deliveries.push(delivery);
    const reason =
      skipReason ??
      (this.callbackUrl ? undefined : 'No webhook callback URL is configured');
    if (reason) {
      delivery.state = 'skipped';
      delivery.reason = reason;
      this.options.log?.(`webhook #${delivery.id} skipped: ${reason}`);
      return delivery;
    }
    void this.attempt(delivery);
    return delivery;
  }

  /** Resolves once no delivery is pending (delivered, failed or skipped). */
  whenIdle(): Promise<void> {
    if (!this.deliveries.some((d) => d.state === 'pending'))
      return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  clear(): void {
    this.cancelAll();
    this.deliveries.length = 0;
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    this.cancelAll();
  }

  private cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
    this.inFlight.clear();
    for (const d of this.deliveries) {
      if (d.state === 'pending') {
        d.state = 'failed';
        d.reason = 'Sandbox stopped';
        d.nextAttemptAt = undefined;
      }
    }
    this.notifyIdle();
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    if (this.stopped || delivery.state !== 'pending' || !delivery.callbackUrl)
      return;
    delivery.nextAttemptAt = undefined;
    const signature = signWebhookBody(
      delivery.body,
      delivery.signedBy === 'instagram_app'
        ? this.options.instagramAppSecret
        : this.options.appSecret,
    );
    const controller = new AbortController();
    this.inFlight.add(controller);
    const started = Date.now();
    const attempt: WebhookAttempt = { at: started, durationMs: 0 };
    try {
      const response = await fetch(delivery.callbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          'facebook-api-version':
            this.options.apiVersion ?? DEFAULT_GRAPH_API_VERSION,
          'x-hub-signature': signature.sha1,
          'x-hub-signature-256': signature.sha256,
        },
        body: delivery.body,
        signal: AbortSignal.any([
          controller.signal,
          AbortSignal.timeout(this.timeoutMs),
        ]),
      });
      attempt.status = response.status;
      // Drain the body so the socket is released; its content does not matter to Meta.
      await response.arrayBuffer().catch(() => undefined);
    } catch (err) {
      attempt.error = describeFetchError(err);
    } finally {
      this.inFlight.delete(controller);
    }
    attempt.durationMs = Date.now() - started;
    if (delivery.state !== 'pending') return; // stopped meanwhile
    delivery.attempts.push(attempt);

    if (
      attempt.status !== undefined &&
      attempt.status >= 200 &&
      attempt.status < 300
    ) {
      delivery.state = 'delivered';
      this.options.log?.(
        `webhook #${delivery.id} delivered (attempt ${delivery.attempts.length})`,
      );
      this.notifyIdle();
      return;
    }
    const retryIndex = delivery.attempts.length - 1;
    const outcome =
      attempt.status !== undefined ? `HTTP ${attempt.status}` : attempt.error;
    if (retryIndex >= this.retryDelaysMs.length) {
      delivery.state = 'failed';
      delivery.reason = `Gave up after ${delivery.attempts.length} attempts (last: ${outcome})`;
      this.options.log?.(`webhook #${delivery.id} failed: ${delivery.reason}`);
      this.notifyIdle();
      return;
    }
    const delay = this.retryDelaysMs[retryIndex];
    delivery.nextAttemptAt = Date.now() + delay;
    this.options.log?.(
      `webhook #${delivery.id} attempt ${delivery.attempts.length} failed (${outcome}); retrying in ${delay} ms`,
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(delivery);
    }, delay);
    this.timers.add(timer);
  }

  private notifyIdle(): void {
    if (this.deliveries.some((d) => d.state === 'pending')) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function describeFetchError(err: unknown): string {
  // Duck-typed: abort reasons are DOMExceptions, which are not always `instanceof Error`.
  const e = err as
    | { name?: string; message?: string; cause?: { code?: string } }
    | undefined;
  if (e?.name === 'TimeoutError')
    return 'Timed out waiting for the callback to answer';
  if (e?.message)
    return e.cause?.code ? `${e.message} (${e.cause.code})` : e.message;
  return String(err);
}
