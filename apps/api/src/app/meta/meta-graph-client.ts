import { createHmac } from 'node:crypto';
import {
  BUSINESS_USE_CASE_USAGE_HEADER,
  INSTAGRAM_MESSAGING_SCOPES,
  INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
  type AccessTokenResponse,
  type BusinessUseCaseUsageHeader,
  type DebugTokenResponse,
  type GraphErrorBody,
  type InstagramBusinessAccount,
  type InstagramUserProfile,
  type PageAccountsResponse,
  type PageWithInstagramAccount,
  type SendMessageRequest,
  type SendMessageResponse,
  type SubscribedAppsResponse,
} from '@instantchat/meta-platform';
import {
  DEFAULT_RATE_LIMIT_RETRY_MS,
  mapGraphError,
  MetaApiError,
  MetaRateLimitedError,
  MetaRequestError,
  MetaTransientError,
} from './meta-api.errors';
import type {
  InstagramContactProfile,
  InstagramProfessionalAccount,
  MetaAccessToken,
  MetaPage,
  MetaTokenInfo,
  PageWebhookSubscription,
  SenderActionInput,
  SendMessageInput,
  SentMessage,
} from './meta-graph.types';

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

export interface MetaGraphClientOptions {
  appId: string;
  appSecret: string;
  /** Graph API base with its version, e.g. `https://graph.facebook.com/v19.0`. */
  graphUrl: string;
  /** Facebook Login dialog, e.g. `https://www.facebook.com/v19.0/dialog/oauth`. */
  oauthDialogUrl: string;
  /** Registered OAuth redirect URI (the API's callback). */
  redirectUri: string;
  /** Per attempt. */
  timeoutMs?: number;
  retry?: Partial<MetaRetryOptions>;
  logger?: MetaClientLogger;
  /** Test seams for the backoff. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface GraphRequest {
  /** Names the call in logs and errors, e.g. `sendMessage`. */
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  /** Sent as a Bearer header with `appsecret_proof`; never placed in the URL. */
  token?: string;
  body?: unknown;
  /**
   * Whether repeating the request is harmless. A non-idempotent call (a send) is not retried
   * after a timeout or a dropped connection, since Meta may already have acted on it.
   */
  idempotent: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A person managing more Pages than this many result pages is not someone we can serve anyway. */
const MAX_LIST_PAGES = 20;
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
 * The API's one client for Meta's Graph API: every call InstantChat makes, typed results, typed
 * errors (see meta-api.errors.ts), bounded retries with exponential backoff and jitter for
 * transient failures, and `appsecret_proof` on every token-bearing call. Tokens travel in the
 * Authorization header and never reach a log line or an error message.
 */
export class MetaGraphClient {
  private readonly graphUrl: string;
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

  constructor(private readonly options: MetaGraphClientOptions) {
    this.graphUrl = options.graphUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    if (this.retry.maxAttempts < 1)
      throw new Error('MetaGraphClient: retry.maxAttempts must be at least 1');
    this.random = options.random ?? Math.random;
    this.sleep =
      options.sleep ??
      ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The Facebook Login dialog URL the browser is sent to; `state` must be single-use. */
  buildAuthorizationUrl(
    state: string,
    scopes: readonly string[] = INSTAGRAM_MESSAGING_SCOPES,
  ): string {
    const url = new URL(this.options.oauthDialogUrl);
    url.searchParams.set('client_id', this.options.appId);
    url.searchParams.set('redirect_uri', this.options.redirectUri);
    url.searchParams.set('state', state);
    url.searchParams.set('scope', scopes.join(','));
    url.searchParams.set('response_type', 'code');
    return url.toString();
  }

  /** Trades the dialog's `code` for a short-lived user token. */
  async exchangeCodeForToken(code: string): Promise<MetaAccessToken> {
    const body = await this.request<AccessTokenResponse>({
      operation: 'exchangeCodeForToken',
      method: 'GET',
      path: '/oauth/access_token',
      query: {
        client_id: this.options.appId,
        client_secret: this.options.appSecret,
        redirect_uri: this.options.redirectUri,
        code,
      },
      // A code is single-use: replaying it after a lost answer can only fail.
      idempotent: false,
    });
    return this.toAccessToken(body);
  }

  /** Trades a short-lived user token for a long-lived one (about 60 days). */
  async exchangeForLongLivedToken(
    shortLivedUserToken: string,
  ): Promise<MetaAccessToken> {
    const body = await this.request<AccessTokenResponse>({
      operation: 'exchangeForLongLivedToken',
      method: 'GET',
      path: '/oauth/access_token',
      query: {
        grant_type: 'fb_exchange_token',
        client_id: this.options.appId,
        client_secret: this.options.appSecret,
        fb_exchange_token: shortLivedUserToken,
      },
      idempotent: true,
    });
    return this.toAccessToken(body);
  }

  /** Inspects a token with the app's own credentials. */
  async debugToken(inputToken: string): Promise<MetaTokenInfo> {
    const body = await this.request<DebugTokenResponse>({
      operation: 'debugToken',
      method: 'GET',
      path: '/debug_token',
      query: { input_token: inputToken },
      token: `${this.options.appId}|${this.options.appSecret}`,
      idempotent: true,
    });
    // An unparseable input token comes back with little more than `is_valid: false`.
    const data: Partial<DebugTokenResponse['data']> = body.data ?? {};
    return {
      isValid: data.is_valid === true,
      appId: String(data.app_id ?? ''),
      type: data.type,
      userId: String(data.user_id ?? ''),
      scopes: Array.isArray(data.scopes) ? data.scopes : [],
      expiresAt: data.expires_at ? new Date(data.expires_at * 1000) : null,
    };
  }

  /** The Pages the person granted, each with its Page access token (all result pages). */
  async listPages(userAccessToken: string): Promise<MetaPage[]> {
    const pages: MetaPage[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const body = await this.request<PageAccountsResponse>({
        operation: 'listPages',
        method: 'GET',
        path: '/me/accounts',
        query: {
          fields: 'id,name,access_token,tasks',
          limit: '100',
          ...(after ? { after } : {}),
        },
        token: userAccessToken,
        idempotent: true,
      });
      pages.push(
        ...(body.data ?? []).map((p) => ({
          id: p.id,
          name: p.name,
          accessToken: p.access_token,
          tasks: p.tasks ?? [],
        })),
      );
      // Follow the cursor, not `paging.next`: that URL carries the token in its query string.
      after = body.paging?.next ? body.paging.cursors?.after : undefined;
      if (!after) return pages;
    }
    return pages;
  }

  /** The Instagram professional account linked to a Page, or null when none is linked. */
  async getPageInstagramAccount(
    pageId: string,
    accessToken: string,
  ): Promise<InstagramProfessionalAccount | null> {
    const body = await this.request<PageWithInstagramAccount>({
      operation: 'getPageInstagramAccount',
      method: 'GET',
      path: `/${encodeURIComponent(pageId)}`,
      query: {
        fields:
          'instagram_business_account{id,username,name,profile_picture_url}',
      },
      token: accessToken,
      idempotent: true,
    });
    return body.instagram_business_account
      ? toInstagramAccount(body.instagram_business_account)
      : null;
  }

  async getInstagramAccount(
    instagramAccountId: string,
    accessToken: string,
  ): Promise<InstagramProfessionalAccount> {
    const body = await this.request<InstagramBusinessAccount>({
      operation: 'getInstagramAccount',
      method: 'GET',
      path: `/${encodeURIComponent(instagramAccountId)}`,
      query: { fields: 'id,username,name,profile_picture_url' },
      token: accessToken,
      idempotent: true,
    });
    return toInstagramAccount(body);
  }

  /** Subscribes the app to the Page's messaging webhooks (needed before Meta sends any). */
  async subscribePageToWebhooks(
    pageId: string,
    pageAccessToken: string,
    fields: readonly string[] = INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
  ): Promise<void> {
    await this.request<{ success: boolean }>({
      operation: 'subscribePageToWebhooks',
      method: 'POST',
      path: `/${encodeURIComponent(pageId)}/subscribed_apps`,
      query: { subscribed_fields: fields.join(',') },
      token: pageAccessToken,
      // Setting the same fields twice leaves the same subscription.
      idempotent: true,
    });
  }

  async getPageWebhookSubscriptions(
    pageId: string,
    pageAccessToken: string,
  ): Promise<PageWebhookSubscription[]> {
    const body = await this.request<SubscribedAppsResponse>({
      operation: 'getPageWebhookSubscriptions',
      method: 'GET',
      path: `/${encodeURIComponent(pageId)}/subscribed_apps`,
      token: pageAccessToken,
      idempotent: true,
    });
    return (body.data ?? []).map((app) => ({
      appId: app.id,
      appName: app.name,
      fields: app.subscribed_fields ?? [],
    }));
  }

  async unsubscribePageFromWebhooks(
    pageId: string,
    pageAccessToken: string,
  ): Promise<void> {
    await this.request<{ success: boolean }>({
      operation: 'unsubscribePageFromWebhooks',
      method: 'DELETE',
      path: `/${encodeURIComponent(pageId)}/subscribed_apps`,
      token: pageAccessToken,
      idempotent: true,
    });
  }

  /** Profile of a person who messaged the business, by Instagram-scoped id. */
  async getInstagramUserProfile(
    instagramScopedId: string,
    pageAccessToken: string,
  ): Promise<InstagramContactProfile> {
    const body = await this.request<InstagramUserProfile>({
      operation: 'getInstagramUserProfile',
      method: 'GET',
      path: `/${encodeURIComponent(instagramScopedId)}`,
      query: {
        fields:
          'name,username,profile_pic,follower_count,is_verified_user,is_user_follow_business',
      },
      token: pageAccessToken,
      idempotent: true,
    });
    return {
      id: body.id,
      name: body.name,
      username: body.username,
      profilePictureUrl: body.profile_pic,
      followerCount: body.follower_count,
      isVerified: body.is_verified_user,
      followsBusiness: body.is_user_follow_business,
    };
  }

  /** The Send API. Throws `MetaWindowClosedError` outside the messaging window. */
  async sendMessage(input: SendMessageInput): Promise<SentMessage> {
    const message: SendMessageRequest['message'] =
      input.attachment !== undefined
        ? {
            attachment: {
              type: input.attachment.type,
              payload: { url: input.attachment.url },
            },
          }
        : { text: input.text };
    const request: SendMessageRequest = {
      recipient: { id: input.recipientId },
      ...(input.humanAgent
        ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
        : { messaging_type: 'RESPONSE' }),
      message,
    };
    const body = await this.request<SendMessageResponse>({
      operation: 'sendMessage',
      method: 'POST',
      path: input.instagramAccountId
        ? `/${encodeURIComponent(input.instagramAccountId)}/messages`
        : '/me/messages',
      token: input.pageAccessToken,
      body: request,
      idempotent: false,
    });
    if (typeof body.message_id !== 'string')
      throw new MetaRequestError(
        'Meta accepted the message but returned no message_id',
      );
    return {
      recipientId: body.recipient_id ?? input.recipientId,
      messageId: body.message_id,
    };
  }

  async sendSenderAction(input: SenderActionInput): Promise<void> {
    const request: SendMessageRequest = {
      recipient: { id: input.recipientId },
      sender_action: input.action,
      ...(input.action === 'react'
        ? {
            payload: {
              message_id: input.messageId,
              reaction: input.reaction ?? 'love',
            },
          }
        : input.action === 'unreact'
          ? { payload: { message_id: input.messageId } }
          : {}),
    };
    await this.request<{ recipient_id: string }>({
      operation: 'sendSenderAction',
      method: 'POST',
      path: '/me/messages',
      token: input.pageAccessToken,
      body: request,
      idempotent: input.action !== 'react' && input.action !== 'unreact',
    });
  }

  private toAccessToken(body: AccessTokenResponse): MetaAccessToken {
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new MetaRequestError(
        'Meta answered the token exchange without an access_token',
      );
    }
    return {
      accessToken: body.access_token,
      ...(typeof body.expires_in === 'number' && body.expires_in > 0
        ? { expiresAt: new Date(Date.now() + body.expires_in * 1000) }
        : {}),
    };
  }

  private async request<T>(req: GraphRequest): Promise<T> {
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
    const url = new URL(this.graphUrl + req.path);
    for (const [key, value] of Object.entries(req.query ?? {}))
      url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.token) {
      headers['authorization'] = `Bearer ${req.token}`;
      url.searchParams.set(
        'appsecret_proof',
        createHmac('sha256', this.options.appSecret)
          .update(req.token)
          .digest('hex'),
      );
    }
    if (req.body !== undefined) headers['content-type'] = 'application/json';

    const started = Date.now();
    let response: Response;
    try {
      response = await fetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
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
    const graphError = isGraphErrorBody(parsed) ? parsed.error : undefined;
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

function toInstagramAccount(
  account: InstagramBusinessAccount,
): InstagramProfessionalAccount {
  return {
    id: account.id,
    username: account.username,
    name: account.name,
    profilePictureUrl: account.profile_picture_url,
  };
}

function isGraphErrorBody(body: unknown): body is GraphErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body))
    return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'number'
  );
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
