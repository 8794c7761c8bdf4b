import { createHmac } from 'node:crypto';
import {
  BUSINESS_USE_CASE_USAGE_HEADER,
  type BusinessUseCaseUsageHeader,
  type GraphError,
  type GraphErrorBody,
} from '@instantchat/meta-platform';
import {
  DEFAULT_RATE_LIMIT_RETRY_MS,
  mapGraphError,
  MetaApiError,
  MetaRateLimitedError,
  MetaRequestError,
  MetaTransientError,
} from './meta-api.errors';

export interface MetaRetryOptions {
  /** Total tries for a transient failure, first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface MetaClientLogger {
  debug(message: string): void;
  warn(message: string): void;
}

/** How calls to one Meta host behave: the knobs `MetaGraphClient` passes through. */
export interface MetaTransportBehaviour {
  /** Per attempt. */
  timeoutMs?: number;
  retry?: Partial<MetaRetryOptions>;
  logger?: MetaClientLogger;
  /** Test seams for the backoff. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface MetaTransportOptions extends MetaTransportBehaviour {
  /** Base URL every request path is appended to, e.g. `https://graph.facebook.com/v26.0`. */
  baseUrl: string;
  /** Signs every token-bearing call with `appsecret_proof`; absent, no proof is sent. */
  appSecret?: string;
}

export interface GraphRequest {
  /** Names the call in logs and errors, e.g. `sendMessage`. */
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  /** Sent as a Bearer header (with `appsecret_proof` when the transport has a secret); never in the URL. */
  token?: string;
  /** A JSON body. */
  body?: unknown;
  /** A form body (`application/x-www-form-urlencoded`), as api.instagram.com takes it. */
  form?: Record<string, string>;
  /**
   * Whether repeating the request is harmless. A non-idempotent call (a send) is not retried
   * after a timeout or a dropped connection, since Meta may already have acted on it.
   */
  idempotent: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY: MetaRetryOptions = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
};
/** Connection errors raised before any byte reached Meta: always safe to retry. */
const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * HTTP to one Meta host: timeouts, bounded retries with exponential backoff and jitter for
 * transient failures, `appsecret_proof` on token-bearing calls, and Meta's error bodies turned
 * into typed errors (meta-api.errors.ts). Tokens travel in the Authorization header and never
 * reach a log line or an error message.
 */
export class MetaGraphTransport {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retry: MetaRetryOptions;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /**
   * Transient failures after which Meta has certainly not acted: the request never left this
   * process, or Meta itself answered with an error. Only these let a send be repeated; a timeout
   * or a gateway's bare 5xx may hide a message that was delivered.
   */
  private readonly notActedOn = new WeakSet<MetaTransientError>();

  constructor(private readonly options: MetaTransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    if (this.retry.maxAttempts < 1)
      throw new Error('MetaGraphClient: retry.maxAttempts must be at least 1');
    this.random = options.random ?? Math.random;
    this.sleep =
      options.sleep ??
      ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async request<T>(req: GraphRequest): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt<T>(req);
      } catch (err) {
        if (!(err instanceof MetaTransientError)) throw err;
        const safeToRepeat = req.idempotent || this.notActedOn.has(err);
        if (!safeToRepeat || attempt >= this.retry.maxAttempts) {
          throw new MetaTransientError(
            err.message,
            err.failure,
            {
              code: err.code,
              subcode: err.subcode,
              type: err.type,
              fbtraceId: err.fbtraceId,
              httpStatus: err.httpStatus,
              userTitle: err.userTitle,
              userMessage: err.userMessage,
            },
            attempt,
          );
        }
        const delay = this.backoff(attempt);
        this.options.logger?.warn(
          `${req.operation} failed (${err.message}); attempt ${attempt + 1}/${this.retry.maxAttempts} in ${delay} ms`,
        );
        await this.sleep(delay);
      }
    }
  }

  /** Exponential growth, capped, with half of each delay randomised so clients don't retry in step. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(
      this.retry.maxDelayMs,
      this.retry.baseDelayMs * 2 ** (attempt - 1),
    );
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  private async attempt<T>(req: GraphRequest): Promise<T> {
    const url = new URL(this.baseUrl + req.path);
    for (const [key, value] of Object.entries(req.query ?? {}))
      url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.token) {
      headers['authorization'] = `Bearer ${req.token}`;
      if (this.options.appSecret !== undefined)
        url.searchParams.set(
          'appsecret_proof',
          createHmac('sha256', this.options.appSecret)
            .update(req.token)
            .digest('hex'),
        );
    }
    let body: string | undefined;
    if (req.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    } else if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }

    const started = Date.now();
    let response: Response;
    try {
      response = await fetch(url, {
        method: req.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.networkError(req, err);
    }

    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw this.networkError(req, err);
    }
    // Path only: the query may hold a client secret or a code.
    this.options.logger?.debug(
      `${req.operation}: ${req.method} ${req.path} -> ${response.status} in ${Date.now() - started} ms`,
    );

    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const graphError = graphErrorOf(parsed);
    if (graphError) {
      const error = mapGraphError(
        graphError,
        response.status,
        retryAfterFromHeaders(response.headers),
      );
      if (error instanceof MetaTransientError) this.notActedOn.add(error);
      throw error;
    }
    if (!response.ok) {
      if (response.status === 429) {
        throw new MetaRateLimitedError(
          'Meta answered HTTP 429',
          retryAfterFromHeaders(response.headers) ??
            DEFAULT_RATE_LIMIT_RETRY_MS,
          { httpStatus: 429 },
        );
      }
      if (response.status >= 500) {
        const error = new MetaTransientError(
          `Meta answered HTTP ${response.status}`,
          'server_error',
          { httpStatus: response.status },
        );
        if (response.status === 503) this.notActedOn.add(error);
        throw error;
      }
      throw new MetaRequestError(
        `Meta answered HTTP ${response.status} without an error body`,
        { httpStatus: response.status },
      );
    }
    if (parsed === undefined || typeof parsed !== 'object' || parsed === null) {
      throw new MetaRequestError(
        `${req.operation}: Meta answered with a body that is not a JSON object`,
        { httpStatus: response.status },
      );
    }
    return parsed as T;
  }

  private networkError(req: GraphRequest, err: unknown): MetaApiError {
    // Duck-typed: abort reasons are DOMExceptions, which are not always `instanceof Error`.
    const name = (err as { name?: string } | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new MetaTransientError(
        `${req.operation}: Meta did not answer within ${this.timeoutMs} ms`,
        'timeout',
      );
    }
    const code = (err as { cause?: { code?: string } })?.cause?.code;
    const error = new MetaTransientError(
      `${req.operation}: could not reach Meta${code ? ` (${code})` : ''}`,
      'network',
    );
    if (code !== undefined && CONNECT_ERROR_CODES.has(code))
      this.notActedOn.add(error);
    return error;
  }
}

/**
 * Meta's error, from the Graph API's `{error: {message, type, code, …}}` or from api.instagram.com's
 * own `{error_type, code, error_message}` (its token endpoint), read as one shape.
 */
function graphErrorOf(body: unknown): GraphError | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  if ('error' in body) {
    const error = (body as GraphErrorBody).error as unknown;
    return typeof error === 'object' &&
      error !== null &&
      typeof (error as { code?: unknown }).code === 'number'
      ? (error as GraphError)
      : undefined;
  }
  const flat = body as {
    error_type?: unknown;
    code?: unknown;
    error_message?: unknown;
  };
  if (typeof flat.error_type === 'string' && typeof flat.code === 'number')
    return {
      type: flat.error_type,
      code: flat.code,
      ...(typeof flat.error_message === 'string'
        ? { message: flat.error_message }
        : {}),
    };
  return undefined;
}

/** Meta's own estimate (minutes) from `X-Business-Use-Case-Usage`, else `Retry-After` (seconds). */
function retryAfterFromHeaders(headers: Headers): number | undefined {
  const usage = headers.get(BUSINESS_USE_CASE_USAGE_HEADER);
  if (usage) {
    try {
      const parsed = JSON.parse(usage) as BusinessUseCaseUsageHeader;
      const minutes = Math.max(
        0,
        ...Object.values(parsed).flatMap((list) =>
          Array.isArray(list)
            ? list.map((u) => Number(u.estimated_time_to_regain_access) || 0)
            : [],
        ),
      );
      if (minutes > 0) return minutes * 60_000;
    } catch {
      // A malformed header is no reason to lose the error itself.
    }
  }
  const retryAfter = Number(headers.get('retry-after'));
  return Number.isFinite(retryAfter) && retryAfter > 0
    ? retryAfter * 1000
    : undefined;
}
