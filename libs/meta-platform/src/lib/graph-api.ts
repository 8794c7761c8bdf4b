/**
 * Request and response bodies of the Graph API calls InstantChat makes (Facebook Login for
 * Business + Instagram Messaging through a Facebook Page).
 */

/** Current since July 2026 (v19.0 was retired in May 2026); the API takes it from its config URLs. */
export const DEFAULT_GRAPH_API_VERSION = 'v26.0';

/** Permissions the app asks for in the OAuth dialog. */
export const INSTAGRAM_MESSAGING_SCOPES = [
  'instagram_basic',
  'instagram_manage_messages',
  'pages_show_list',
  'pages_manage_metadata',
  'pages_messaging',
  'business_management',
] as const;

/**
 * Instagram's webhook field names for messaging: what the app chooses at app level for the
 * `instagram` object, and what Instagram Login's `POST /me/subscribed_apps` takes. A Page
 * subscription refuses them (see `PAGE_MESSAGING_WEBHOOK_FIELDS`).
 */
export const INSTAGRAM_MESSAGING_WEBHOOK_FIELDS = [
  'messages',
  'messaging_postbacks',
  'messaging_seen',
  'message_reactions',
  'message_edit',
  'messaging_referral',
] as const;

/** Every field Instagram's webhooks know (`instagram` object and `me/subscribed_apps`). */
export const INSTAGRAM_WEBHOOK_FIELDS = [
  ...INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
  'messaging_optins',
  'messaging_handover',
  'standby',
  'comments',
  'live_comments',
  'mentions',
  'story_insights',
] as const;

/**
 * Page field names the app subscribes a Page to with `POST /{page-id}/subscribed_apps`
 * (Facebook Login). Instagram events of the Page's account arrive once the Page is subscribed,
 * for the Instagram fields chosen at app level.
 */
export const PAGE_MESSAGING_WEBHOOK_FIELDS = [
  'messages',
  'messaging_postbacks',
  'message_reactions',
  'message_reads',
  'messaging_referrals',
  'message_echoes',
  'standby',
] as const;

/** `GET /oauth/access_token` (code exchange and `fb_exchange_token`). */
export interface AccessTokenResponse {
  access_token: string;
  token_type?: 'bearer';
  /** Seconds; Meta omits it for tokens that do not expire. */
  expires_in?: number;
}

export type GraphTokenType = 'USER' | 'PAGE' | 'APP';

/** `GET /debug_token?input_token=…` */
export interface DebugTokenResponse {
  /** For a token Meta cannot parse, only `is_valid: false`, `error` and maybe `scopes` come back. */
  data: {
    app_id?: string;
    type?: GraphTokenType;
    application?: string;
    /** Epoch seconds; 0 for a token that never expires. */
    expires_at?: number;
    data_access_expires_at?: number;
    issued_at?: number;
    is_valid: boolean;
    scopes?: string[];
    user_id?: string;
    profile_id?: string;
    error?: { code: number; message: string; subcode?: number };
  };
}

export interface GraphPaging {
  cursors: { before: string; after: string };
  next?: string;
}

export interface PageAccount {
  id: string;
  name: string;
  access_token: string;
  category: string;
  category_list?: { id: string; name: string }[];
  tasks: string[];
}

/** `GET /me/accounts` */
export interface PageAccountsResponse {
  data: PageAccount[];
  paging?: GraphPaging;
}

/** `GET /{page-id}?fields=instagram_business_account{id,username,…}` */
export interface PageWithInstagramAccount {
  id: string;
  name?: string;
  instagram_business_account?: InstagramBusinessAccount;
}

/** `GET /{ig-id}?fields=username,name,profile_picture_url` */
export interface InstagramBusinessAccount {
  id: string;
  username?: string;
  name?: string;
  profile_picture_url?: string;
  followers_count?: number;
}

/** `GET /{ig-scoped-id}?fields=name,username,profile_pic,…` */
export interface InstagramUserProfile {
  id: string;
  name?: string;
  username?: string;
  profile_pic?: string;
  follower_count?: number;
  is_user_follow_business?: boolean;
  is_business_follow_user?: boolean;
  is_verified_user?: boolean;
}

export interface SubscribedApp {
  id: string;
  name: string;
  link?: string;
  category?: string;
  subscribed_fields: string[];
}

/** `GET /{page-id}/subscribed_apps` */
export interface SubscribedAppsResponse {
  data: SubscribedApp[];
}

/** `POST|DELETE /{page-id}/subscribed_apps` and other writes. */
export interface GraphSuccessResponse {
  success: boolean;
}

export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG';
export type MessageTag = 'HUMAN_AGENT';
export type SenderAction =
  | 'typing_on'
  | 'typing_off'
  | 'mark_seen'
  | 'react'
  | 'unreact';
export type SendAttachmentType =
  | 'image'
  | 'video'
  | 'audio'
  | 'file'
  | 'like_heart'
  | 'MEDIA_SHARE';

export interface SendMessageContent {
  text?: string;
  attachment?: {
    type: SendAttachmentType;
    /** Absent for `like_heart`. */
    payload?: { url?: string; id?: string; is_reusable?: boolean };
  };
  quick_replies?: { content_type: 'text'; title: string; payload: string }[];
}

/** `POST /me/messages` and `POST /{ig-id}/messages` */
export interface SendMessageRequest {
  recipient: { id: string } | { comment_id: string };
  messaging_type?: MessagingType;
  tag?: MessageTag;
  message?: SendMessageContent;
  sender_action?: SenderAction;
  /** With `react`/`unreact`. */
  payload?: { message_id: string; reaction?: string };
}

export interface SendMessageResponse {
  recipient_id: string;
  message_id: string;
}

/** Every Graph API error answer: `{ "error": { … } }` with an HTTP 4xx/5xx status. */
export interface GraphErrorBody {
  error: GraphError;
}

export interface GraphError {
  message?: string;
  type?: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
}

/** The header Meta uses to tell how much of a business-use-case budget is spent. */
export const BUSINESS_USE_CASE_USAGE_HEADER = 'x-business-use-case-usage';
export const APP_USAGE_HEADER = 'x-app-usage';

export interface BusinessUseCaseUsage {
  type: string;
  call_count: number;
  total_cputime: number;
  total_time: number;
  /** Minutes until calls are accepted again (0 when not throttled). */
  estimated_time_to_regain_access: number;
}

/** Value of `X-Business-Use-Case-Usage`: usages keyed by business object id. */
export type BusinessUseCaseUsageHeader = Record<string, BusinessUseCaseUsage[]>;
