import type {
  InstagramAttachment,
  SendMessageRequest,
} from '@instantchat/meta-platform';

/** The shapes of what the sandbox's world holds (see world.ts for the world itself). */

export interface FacebookUser {
  id: string;
  name: string;
}

export interface SandboxPage {
  id: string;
  name: string;
  category: string;
  /** The linked Instagram professional account, if any. */
  instagramAccountId?: string;
  /** Business portfolio id, used as the key of `X-Business-Use-Case-Usage`. */
  businessId: string;
}

export interface InstagramProfessionalAccount {
  id: string;
  username: string;
  name: string;
  profilePictureUrl: string;
  followersCount: number;
  /** The linked Facebook Page (Facebook Login); Instagram Login needs none. */
  pageId?: string;
  /** The id Instagram Login's `/me` answers as `id` (app-scoped); `id` here is its `user_id`. */
  appScopedId: string;
}

/** A person on Instagram who DMs the business; `id` is their Instagram-scoped id (IGSID). */
export interface InstagramUser {
  id: string;
  username: string;
  name: string;
  profilePic: string;
  followerCount: number;
  isVerified: boolean;
  followsBusiness: boolean;
  /** false makes the Send API answer #551 (blocked the business, deactivated, …). */
  available: boolean;
}

/** USER and PAGE: Facebook Login. INSTAGRAM: an Instagram User token from Instagram Login. */
export type TokenType = 'USER' | 'PAGE' | 'INSTAGRAM';

export interface IssuedToken {
  value: string;
  type: TokenType;
  appId: string;
  userId: string;
  /** PAGE tokens: the Page. USER tokens: the Pages the person granted in the dialog. */
  pageIds: string[];
  /** INSTAGRAM tokens: the professional account (its `user_id`). */
  instagramAccountId?: string;
  scopes: string[];
  issuedAt: number;
  /** Epoch ms; undefined for tokens that never expire (Page tokens from a long-lived user token). */
  expiresAt?: number;
  invalidated: boolean;
  /** Why an invalidated token stopped working; absent means a password change. */
  invalidatedBy?: 'password_changed' | 'revoked';
  longLived: boolean;
}

export type TokenSelector =
  | { accessToken: string }
  | { instagramAccountId: string };

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  pageIds: string[];
  /** Instagram Login codes: the professional account the person chose. */
  instagramAccountId?: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface StoredMessage {
  mid: string;
  instagramAccountId: string;
  instagramUserId: string;
  direction: 'inbound' | 'outbound';
  /** Outbound: sent through the Send API (`api`) or from the Instagram app (`instagram_app`). */
  origin: 'user' | 'api' | 'instagram_app';
  text?: string;
  attachments?: InstagramAttachment[];
  timestamp: number;
  numEdit: number;
  deleted: boolean;
  reactions: Record<string, string>;
}

export interface SendApiRecord {
  id: number;
  receivedAt: number;
  path: string;
  instagramAccountId?: string;
  body: Partial<SendMessageRequest> & Record<string, unknown>;
  status: number;
  response: unknown;
}

export type FaultKind =
  | 'token_expired'
  | 'token_invalidated'
  | 'rate_limit'
  | 'app_rate_limit'
  | 'server_error'
  | 'gateway_error'
  | 'permission'
  | 'slow';

export interface Fault {
  id: number;
  kind: FaultKind;
  /** How many more matching requests it applies to. */
  remaining: number;
  /** Applies only to Graph paths containing this text (e.g. `/messages`). */
  pathIncludes?: string;
  /** `slow`: delay before answering normally. */
  delayMs?: number;
  /** `rate_limit` / `app_rate_limit`: advertised minutes until access returns. */
  retryAfterMinutes?: number;
  /** `server_error` / `gateway_error`: the HTTP status (5xx; 429 too for a gateway). */
  status?: number;
}

/** What survives a restart (see `MetaSandboxOptions.stateFile`); faults and deliveries do not. */
export interface WorldSnapshot {
  version: 1;
  clockOffsetMs: number;
  sequence: number;
  facebookUser: FacebookUser;
  pages: SandboxPage[];
  instagramAccounts: InstagramProfessionalAccount[];
  instagramUsers: InstagramUser[];
  tokens: IssuedToken[];
  codes: AuthorizationCode[];
  subscriptions: [string, string[]][];
  messages: StoredMessage[];
  lastInboundAt: [string, number][];
  sendLog: SendApiRecord[];
  /** Absent in states saved before Instagram Login was played. */
  instagramLoginSubscriptions?: [string, string[]][];
  appInstagramWebhookFields?: string[];
}

/** Which shape `api.instagram.com/oauth/access_token` answers in (both are reported in the wild). */
export type InstagramTokenShape = 'flat' | 'data';
