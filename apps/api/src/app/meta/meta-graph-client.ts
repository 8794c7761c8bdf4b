import {
  INSTAGRAM_MESSAGING_SCOPES,
  PAGE_MESSAGING_WEBHOOK_FIELDS,
  type AccessTokenResponse,
  type DebugTokenResponse,
  type InstagramBusinessAccount,
  type PageAccountsResponse,
  type PageWithInstagramAccount,
  type SendMessageRequest,
  type SendMessageResponse,
  type SubscribedAppsResponse,
} from '@instantchat/meta-platform';
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
import {
  InstagramLoginClient,
  type InstagramLoginOptions,
} from './instagram-login-client';

export type {
  MetaClientLogger,
  MetaRetryOptions,
} from './meta-graph-transport';

export interface MetaGraphClientOptions extends MetaTransportBehaviour {
  appId: string;
  appSecret: string;
  /** Graph API base with its version, e.g. `https://graph.facebook.com/v26.0`. */
  graphUrl: string;
  /** Facebook Login dialog, e.g. `https://www.facebook.com/v26.0/dialog/oauth`. */
  oauthDialogUrl: string;
  /** Registered OAuth redirect URI (the API's callback), for both login methods. */
  redirectUri: string;
  /** Instagram Login's app and hosts; absent when only Facebook Login is enabled. */
  instagramLogin?: Omit<InstagramLoginOptions, 'redirectUri'>;
}

/** A person managing more Pages than this many result pages is not someone we can serve anyway. */
const MAX_LIST_PAGES = 20;

/**
 * The API's one client for Meta: every call InstantChat makes, as typed operations with typed
 * results. How a call travels (timeouts, retries, `appsecret_proof`, Meta's error bodies) is
 * `MetaGraphTransport`'s job; this class only knows Meta's endpoints and shapes.
 */
export class MetaGraphClient {
  private readonly graph: MetaGraphTransport;
  private readonly instagramLoginClient?: InstagramLoginClient;

  constructor(private readonly options: MetaGraphClientOptions) {
    const { timeoutMs, retry, logger, random, sleep, instagramLogin } = options;
    const behaviour = { timeoutMs, retry, logger, random, sleep };
    this.graph = new MetaGraphTransport({
      ...behaviour,
      baseUrl: options.graphUrl,
      appSecret: options.appSecret,
    });
    if (instagramLogin)
      this.instagramLoginClient = new InstagramLoginClient(
        { ...instagramLogin, redirectUri: options.redirectUri },
        behaviour,
      );
  }

  /** The operations of Instagram Login (the default login method; no Facebook Page needed). */
  get instagramLogin(): InstagramLoginClient {
    if (!this.instagramLoginClient)
      throw new Error(
        'MetaGraphClient: Instagram Login is not configured (META_LOGIN_METHODS)',
      );
    return this.instagramLoginClient;
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
    const body = await this.graph.request<AccessTokenResponse>({
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
    return toAccessToken(body);
  }

  /** Trades a short-lived user token for a long-lived one (about 60 days). */
  async exchangeForLongLivedToken(
    shortLivedUserToken: string,
  ): Promise<MetaAccessToken> {
    const body = await this.graph.request<AccessTokenResponse>({
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
    return toAccessToken(body);
  }

  /** Inspects a token with the app's own credentials. */
  async debugToken(inputToken: string): Promise<MetaTokenInfo> {
    const body = await this.graph.request<DebugTokenResponse>({
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
      const body = await this.graph.request<PageAccountsResponse>({
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
    const body = await this.graph.request<PageWithInstagramAccount>({
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
    const body = await this.graph.request<InstagramBusinessAccount>({
      operation: 'getInstagramAccount',
      method: 'GET',
      path: `/${encodeURIComponent(instagramAccountId)}`,
      query: { fields: 'id,username,name,profile_picture_url' },
      token: accessToken,
      idempotent: true,
    });
    return toInstagramAccount(body);
  }

  /**
   * Subscribes the app to the Page's webhooks, with Page field names: without it Meta sends no
   * Instagram event of the Page's account (whose fields are chosen at app level).
   */
  async subscribePageToWebhooks(
    pageId: string,
    pageAccessToken: string,
    fields: readonly string[] = PAGE_MESSAGING_WEBHOOK_FIELDS,
  ): Promise<void> {
    await this.graph.request<{ success: boolean }>({
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
    const body = await this.graph.request<SubscribedAppsResponse>({
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
    await this.graph.request<{ success: boolean }>({
      operation: 'unsubscribePageFromWebhooks',
      method: 'DELETE',
      path: `/${encodeURIComponent(pageId)}/subscribed_apps`,
      token: pageAccessToken,
      idempotent: true,
    });
  }

  /** Profile of a person who messaged the business, by Instagram-scoped id (Facebook Login). */
  getInstagramUserProfile(
    instagramScopedId: string,
    pageAccessToken: string,
  ): Promise<InstagramContactProfile> {
    return requestContactProfile(
      this.graph,
      'getInstagramUserProfile',
      instagramScopedId,
      pageAccessToken,
    );
  }

  /**
   * The Send API for Facebook Login: the Page token, to `/me/messages` or `/{page-id}/messages`.
   * Throws `MetaWindowClosedError` outside the messaging window.
   */
  async sendMessage(input: SendMessageInput): Promise<SentMessage> {
    const body = await this.graph.request<SendMessageResponse>({
      operation: 'sendMessage',
      method: 'POST',
      path: input.pageId
        ? `/${encodeURIComponent(input.pageId)}/messages`
        : '/me/messages',
      token: input.pageAccessToken,
      body: toSendMessageRequest(input),
      idempotent: false,
    });
    return toSentMessage(body, input.recipientId);
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
    await this.graph.request<{ recipient_id: string }>({
      operation: 'sendSenderAction',
      method: 'POST',
      path: '/me/messages',
      token: input.pageAccessToken,
      body: request,
      idempotent: input.action !== 'react' && input.action !== 'unreact',
    });
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
