import {
  INSTAGRAM_LOGIN_SCOPES,
  INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
  type AccessTokenResponse,
  type InstagramLoginCodeExchangeResponse,
  type InstagramLoginGrantBody,
  type InstagramLoginMeResponse,
  type SendMessageResponse,
  type SubscribedAppsResponse,
} from '@instantchat/meta-platform';
import { MetaRequestError } from './meta-api.errors';
import type {
  InstagramContactProfile,
  InstagramLoginAccount,
  InstagramLoginGrant,
  InstagramLoginSendInput,
  MetaAccessToken,
  SentMessage,
} from './meta-graph.types';
import {
  MetaGraphTransport,
  type MetaTransportBehaviour,
} from './meta-graph-transport';
import {
  toAccessToken,
  requestContactProfile,
  toSendMessageRequest,
  toSentMessage,
} from './graph-bodies';

export interface InstagramLoginOptions {
  /** The Instagram app's id and secret (App Dashboard > Instagram), not the Meta app's. */
  appId: string;
  appSecret: string;
  /** The authorization window, e.g. `https://www.instagram.com/oauth/authorize`. */
  oauthUrl: string;
  /** The code exchange host, e.g. `https://api.instagram.com`. */
  apiUrl: string;
  /** graph.instagram.com with its version, e.g. `https://graph.instagram.com/v26.0`. */
  graphUrl: string;
  /** Registered OAuth redirect URI (the API's callback). */
  redirectUri: string;
}

/** Instagram's token endpoints are documented without a version; the rest of the host has one. */
const VERSION_SUFFIX = /\/v\d+\.\d+\/*$/;

/**
 * Instagram API with Instagram Login: the authorization window, the code and token exchanges,
 * the account behind a token, its webhook subscription and the Send API on graph.instagram.com.
 * Tokens travel in the Authorization header, except where Meta documents them as query
 * parameters (the long-lived exchange and the refresh); the transport logs paths only.
 * graph.instagram.com documents no `appsecret_proof`, so none is sent.
 */
export class InstagramLoginClient {
  private readonly codeExchange: MetaGraphTransport;
  private readonly tokens: MetaGraphTransport;
  private readonly graph: MetaGraphTransport;

  constructor(
    private readonly options: InstagramLoginOptions,
    behaviour: MetaTransportBehaviour = {},
  ) {
    const { timeoutMs, retry, logger, random, sleep } = behaviour;
    const transport = (baseUrl: string) =>
      new MetaGraphTransport({
        timeoutMs,
        retry,
        logger,
        random,
        sleep,
        baseUrl,
      });
    this.codeExchange = transport(options.apiUrl);
    this.tokens = transport(options.graphUrl.replace(VERSION_SUFFIX, ''));
    this.graph = transport(options.graphUrl);
  }

  /** Instagram's authorization window for the browser; `state` must be single-use. */
  buildAuthorizationUrl(
    state: string,
    scopes: readonly string[] = INSTAGRAM_LOGIN_SCOPES,
  ): string {
    const url = new URL(this.options.oauthUrl);
    url.searchParams.set('client_id', this.options.appId);
    url.searchParams.set('redirect_uri', this.options.redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', scopes.join(','));
    url.searchParams.set('state', state);
    return url.toString();
  }

  /** Trades the window's `code` for a short-lived (1 hour) token and the account's id. */
  async exchangeCode(code: string): Promise<InstagramLoginGrant> {
    const body =
      await this.codeExchange.request<InstagramLoginCodeExchangeResponse>({
        operation: 'instagramLogin.exchangeCode',
        method: 'POST',
        path: '/oauth/access_token',
        form: {
          client_id: this.options.appId,
          client_secret: this.options.appSecret,
          grant_type: 'authorization_code',
          redirect_uri: this.options.redirectUri,
          // Instagram appends `#_` to the redirect; a browser drops it, a copy-paste may not.
          code: code.replace(/#_$/, ''),
        },
        // A code is single-use: replaying it after a lost answer can only fail.
        idempotent: false,
      });
    const grant: Partial<InstagramLoginGrantBody> | undefined =
      'data' in body ? body.data?.[0] : body;
    if (
      typeof grant?.access_token !== 'string' ||
      grant.access_token === '' ||
      (typeof grant.user_id !== 'string' && typeof grant.user_id !== 'number')
    )
      throw new MetaRequestError(
        'Instagram answered the code exchange without an access_token and user_id',
      );
    return {
      accessToken: grant.access_token,
      userId: String(grant.user_id),
      permissions: Array.isArray(grant.permissions)
        ? grant.permissions
        : (grant.permissions ?? '')
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
    };
  }

  /** Trades a short-lived token for a long-lived one (60 days). */
  async exchangeForLongLivedToken(
    shortLivedToken: string,
  ): Promise<MetaAccessToken> {
    const body = await this.tokens.request<AccessTokenResponse>({
      operation: 'instagramLogin.exchangeForLongLivedToken',
      method: 'GET',
      path: '/access_token',
      query: {
        grant_type: 'ig_exchange_token',
        client_secret: this.options.appSecret,
        access_token: shortLivedToken,
      },
      idempotent: true,
    });
    return toAccessToken(body);
  }

  /**
   * A fresh 60-day token for a long-lived one at least 24 hours old and not expired; Meta refuses
   * others (`MetaRequestError` before 24 h, `MetaTokenInvalidError` once expired).
   */
  async refreshLongLivedToken(
    longLivedToken: string,
  ): Promise<MetaAccessToken> {
    const body = await this.tokens.request<AccessTokenResponse>({
      operation: 'instagramLogin.refreshLongLivedToken',
      method: 'GET',
      path: '/refresh_access_token',
      query: { grant_type: 'ig_refresh_token', access_token: longLivedToken },
      idempotent: true,
    });
    return toAccessToken(body);
  }

  /** The professional account behind a token, keyed by `user_id` as webhooks are. */
  async getAccount(accessToken: string): Promise<InstagramLoginAccount> {
    const body = await this.graph.request<InstagramLoginMeResponse>({
      operation: 'instagramLogin.getAccount',
      method: 'GET',
      path: '/me',
      query: { fields: 'user_id,username,name,profile_picture_url' },
      token: accessToken,
      idempotent: true,
    });
    if (typeof body.user_id !== 'string' || typeof body.id !== 'string')
      throw new MetaRequestError(
        'Instagram answered /me without the account id and user_id',
      );
    return {
      userId: body.user_id,
      appScopedId: body.id,
      username: body.username,
      name: body.name,
      profilePictureUrl: body.profile_picture_url,
    };
  }

  /** Subscribes the account's webhooks, with Instagram's field names. */
  async subscribeToWebhooks(
    accessToken: string,
    fields: readonly string[] = INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
  ): Promise<void> {
    await this.graph.request<{ success: boolean }>({
      operation: 'instagramLogin.subscribeToWebhooks',
      method: 'POST',
      path: '/me/subscribed_apps',
      query: { subscribed_fields: fields.join(',') },
      token: accessToken,
      // Setting the same fields twice leaves the same subscription.
      idempotent: true,
    });
  }

  /** The fields the account is subscribed to; empty when it is not. */
  async getWebhookFields(accessToken: string): Promise<string[]> {
    const body = await this.graph.request<SubscribedAppsResponse>({
      operation: 'instagramLogin.getWebhookFields',
      method: 'GET',
      path: '/me/subscribed_apps',
      token: accessToken,
      idempotent: true,
    });
    return body.data?.[0]?.subscribed_fields ?? [];
  }

  async unsubscribeFromWebhooks(accessToken: string): Promise<void> {
    await this.graph.request<{ success: boolean }>({
      operation: 'instagramLogin.unsubscribeFromWebhooks',
      method: 'DELETE',
      path: '/me/subscribed_apps',
      token: accessToken,
      idempotent: true,
    });
  }

  /**
   * Profile of a person who messaged the account, by Instagram-scoped id, on graph.instagram.com
   * with the account's Instagram token (the User Profile API of Instagram Login).
   */
  getUserProfile(
    instagramScopedId: string,
    accessToken: string,
  ): Promise<InstagramContactProfile> {
    return requestContactProfile(
      this.graph,
      'instagramLogin.getUserProfile',
      instagramScopedId,
      accessToken,
    );
  }

  /** The Send API on graph.instagram.com. Throws `MetaWindowClosedError` outside the window. */
  async sendMessage(input: InstagramLoginSendInput): Promise<SentMessage> {
    const body = await this.graph.request<SendMessageResponse>({
      operation: 'instagramLogin.sendMessage',
      method: 'POST',
      path: '/me/messages',
      token: input.accessToken,
      body: toSendMessageRequest(input),
      idempotent: false,
    });
    return toSentMessage(body, input.recipientId);
  }

  /**
   * `typing_on`, `typing_off` or `mark_seen` in the contact's thread, on graph.instagram.com.
   * Repeating one is harmless, so it is retried like a read.
   */
  async sendSenderAction(input: {
    accessToken: string;
    recipientId: string;
    action: 'typing_on' | 'typing_off' | 'mark_seen';
  }): Promise<void> {
    await this.graph.request<{ recipient_id: string }>({
      operation: 'instagramLogin.sendSenderAction',
      method: 'POST',
      path: '/me/messages',
      token: input.accessToken,
      body: {
        recipient: { id: input.recipientId },
        sender_action: input.action,
      },
      idempotent: true,
    });
  }
}
