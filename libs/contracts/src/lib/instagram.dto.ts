import {
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { StringUnion } from './string-union';
import { DateTime } from './date-time';

/**
 * How an Instagram professional account is connected: Instagram Login (Instagram's own dialog, no
 * Facebook Page needed; the default) or Facebook Login for Business through a Page linked to it.
 */
export const INSTAGRAM_LOGIN_METHODS = ['instagram', 'facebook'] as const;
export type InstagramLoginMethod = (typeof INSTAGRAM_LOGIN_METHODS)[number];

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
  /** `instagram` or `facebook`; by default the server's first enabled method (`instagram` unless disabled). */
  @IsOptional()
  @IsIn(INSTAGRAM_LOGIN_METHODS, {
    message: `method must be one of: ${INSTAGRAM_LOGIN_METHODS.join(', ')}`,
  })
  @StringUnion(INSTAGRAM_LOGIN_METHODS, 'InstagramLoginMethod')
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
  @StringUnion(INSTAGRAM_LOGIN_METHODS, 'InstagramLoginMethod')
  method!: InstagramLoginMethod;
  /** Facebook Login: the Page the account is linked to. */
  pageId?: string;
  pageName?: string;
  /** ISO 8601; null when the token does not expire (Page tokens) or none is held. */
  @DateTime()
  tokenExpiresAt!: string | null;
  /** Whole days until the token expires; null when it does not expire. */
  daysLeft!: number | null;
  /** Whether Meta sends this account's messages to our webhook. */
  webhookSubscribed!: boolean;
  @StringUnion(INSTAGRAM_CONNECTION_STATES, 'InstagramConnectionState')
  state!: InstagramConnectionState;
  /** The last problem with this account, in words a person can act on. */
  lastError?: string;
}

export class InstagramStatusDto {
  /** True when at least one account is `connected`. */
  connected!: boolean;
  /** The login methods this server offers, the default first: the connect buttons to show. */
  @StringUnion(INSTAGRAM_LOGIN_METHODS, 'InstagramLoginMethod', {
    each: true,
  })
  loginMethods!: InstagramLoginMethod[];
  /** Every account the caller has connected, oldest first, disconnected ones included. */
  accounts!: InstagramAccountDto[];
}

/**
 * Longest text Instagram's Send API takes in one message, counted in characters (Unicode code
 * points, so an emoji counts once), not in UTF-8 bytes.
 */
export const INSTAGRAM_TEXT_MAX_LENGTH = 1000;

/**
 * The `code` of a 409 that refuses a reply because its Instagram account must be connected again
 * (Meta no longer accepts its access); the dashboard offers the way to the connect page.
 */
export const RECONNECT_REQUIRED_CODE = 'reconnect_required';

/** The length Instagram's limit is measured in: code points, not UTF-16 units or bytes. */
export function instagramTextLength(text: string): number {
  return Array.from(text).length;
}

export const INSTAGRAM_TEXT_TOO_LONG_MESSAGE = `Instagram messages are limited to ${INSTAGRAM_TEXT_MAX_LENGTH} characters`;

/** `POST /api/instagram/sendMessage`: a reply to a contact, by their Instagram-scoped id. */
export class InstagramSendMessageDto {
  /** The contact's Instagram-scoped id (IGSID), as their conversation shows it. */
  @Matches(/^\d{1,32}$/, {
    message: 'recipientId must be an Instagram-scoped user id',
  })
  recipientId!: string;

  /** The text, up to 1,000 characters (emoji count as one). */
  @ValidateBy(
    {
      name: 'instagramTextLength',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          instagramTextLength(value) <= INSTAGRAM_TEXT_MAX_LENGTH,
      },
    },
    { message: INSTAGRAM_TEXT_TOO_LONG_MESSAGE },
  )
  @MinLength(1, { message: 'message must not be empty' })
  // Last on purpose: checked first (see SendMessageDto.text).
  @IsString({ message: 'message must be a string' })
  message!: string;

  /** The account to send from; optional when the caller has exactly one connected. */
  @IsOptional()
  @Matches(/^\d{1,32}$/, {
    message: 'accountId must be an Instagram account id',
  })
  accountId?: string;

  /** Same rule as `POST /api/conversations/:id/messages`: a retry with it stores nothing new. */
  @IsOptional()
  @IsUUID('all', { message: 'clientMessageId must be a UUID' })
  clientMessageId?: string;
}
