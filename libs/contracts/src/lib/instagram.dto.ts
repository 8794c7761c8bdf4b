import { IsIn, IsOptional, Matches } from 'class-validator';

/**
 * How an Instagram professional account is connected: Instagram Login (Instagram's own dialog, no
 * Facebook Page needed; the default) or Facebook Login for Business through a Page linked to it.
 */
export const INSTAGRAM_LOGIN_METHODS = ['instagram', 'facebook'] as const;
export type InstagramLoginMethod = (typeof INSTAGRAM_LOGIN_METHODS)[number];
export const DEFAULT_INSTAGRAM_LOGIN_METHOD: InstagramLoginMethod = 'instagram';

/**
 * `connected`: the token works. `needs_reconnect`: Meta refused the token (expired, revoked, a
 * failed refresh); the account stays the owner's until they connect it again or disconnect it.
 * `disconnected`: the owner disconnected it; its conversations stay.
 */
export const INSTAGRAM_CONNECTION_STATES = [
  'connected',
  'needs_reconnect',
  'disconnected',
] as const;
export type InstagramConnectionState =
  (typeof INSTAGRAM_CONNECTION_STATES)[number];

/**
 * Why connecting failed, as `reason=` on the dashboard's connect page
 * (`/instagram?status=error&reason=…`). One message per reason; none carries detail from Meta.
 */
export const INSTAGRAM_CONNECT_ERROR_REASONS = [
  /** The person cancelled Meta's consent dialog. */
  'denied',
  /** Instagram Login: the account is a personal one, not a business or creator account. */
  'no_professional_account',
  /** Facebook Login: no granted Page, or none with a linked Instagram professional account. */
  'no_page',
  /** Another InstantChat user has this account connected; it is not taken over. */
  'already_connected',
  /** The callback carried no state, or one this server never issued. */
  'state_invalid',
  /** The state is older than 10 minutes: start again. */
  'state_expired',
  /** The state was already used (the callback URL was opened twice). */
  'state_used',
  /** Meta refused the authorization code (missing, already used or expired): start again. */
  'code_invalid',
  /** Meta failed or did not answer in time; nothing was stored, starting again should work. */
  'meta_unavailable',
  /** Meta refused a step of the flow (e.g. a permission was not granted). */
  'meta_error',
] as const;
export type InstagramConnectErrorReason =
  (typeof INSTAGRAM_CONNECT_ERROR_REASONS)[number];

/** The dashboard route Meta's callback finally redirects the browser to. */
export const INSTAGRAM_CONNECT_PAGE_PATH = '/instagram';

/** `GET /api/instagram/auth/instagram` */
export class InstagramAuthQueryDto {
  /** `instagram` (the default) or `facebook`. */
  @IsOptional()
  @IsIn(INSTAGRAM_LOGIN_METHODS, {
    message: `method must be one of: ${INSTAGRAM_LOGIN_METHODS.join(', ')}`,
  })
  method?: InstagramLoginMethod;
}

export class InstagramAuthUrlDto {
  /** Meta's consent dialog, with a fresh single-use `state` valid for 10 minutes. Open it in the browser. */
  url!: string;
}

/** `DELETE /api/instagram/disconnect` */
export class InstagramDisconnectQueryDto {
  /** The account's `id` from the status; optional when the caller has exactly one account. */
  @IsOptional()
  @Matches(/^\d{1,32}$/, {
    message: 'accountId must be an Instagram account id',
  })
  accountId?: string;
}

export class InstagramAccountDto {
  /** Instagram's id of the professional account, as webhooks carry it in `entry[].id`. */
  id!: string;
  username!: string;
  name?: string;
  pictureUrl?: string;
  method!: InstagramLoginMethod;
  /** Facebook Login: the Page the account is linked to. */
  pageId?: string;
  pageName?: string;
  /** ISO 8601; null when the token does not expire (Page tokens) or none is held. */
  tokenExpiresAt!: string | null;
  /** Whole days until the token expires; null when it does not expire. */
  daysLeft!: number | null;
  /** Whether Meta sends this account's messages to our webhook. */
  webhookSubscribed!: boolean;
  state!: InstagramConnectionState;
  /** The last problem with this account, in words a person can act on. */
  lastError?: string;
}

export class InstagramStatusDto {
  /** True when at least one account is `connected`. */
  connected!: boolean;
  /** Every account the caller has connected, oldest first, disconnected ones included. */
  accounts!: InstagramAccountDto[];
}
