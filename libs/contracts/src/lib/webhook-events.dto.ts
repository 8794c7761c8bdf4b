import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsMongoId,
  IsOptional,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { StringUnion } from './string-union';
import { DateTime } from './date-time';

/**
 * Where a webhook event (or one item of it) stands in the durable inbox. `pending`: stored, not
 * yet applied or waiting for a retry. `processed`: applied. `ignored`: deliberately not applied,
 * with the reason. `failed`: every retry failed, with the error.
 */
export const WEBHOOK_EVENT_STATUSES = [
  'pending',
  'processed',
  'ignored',
  'failed',
] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

/** Why an item was not applied. */
export const WEBHOOK_IGNORED_REASONS = [
  /** No InstantChat user has connected the account the event belongs to. */
  'unknown_account',
  /** The account's owner disconnected it. */
  'account_disconnected',
  /** An event InstantChat does not handle (e.g. comments), or a webhook object other than Instagram's. */
  'unsupported_kind',
  /** The event lacks what it needs to be applied (e.g. no sender). */
  'incomplete_event',
] as const;
export type WebhookIgnoredReason = (typeof WEBHOOK_IGNORED_REASONS)[number];

/** What one item of a webhook delivery was. */
export const WEBHOOK_ITEM_KINDS = [
  'message',
  'echo',
  'unsend',
  'reaction',
  'read',
  'edit',
  'postback',
  'referral',
  'other',
] as const;
export type WebhookItemKind = (typeof WEBHOOK_ITEM_KINDS)[number];

export const WEBHOOK_EVENT_PAGE_DEFAULT_LIMIT = 50;
export const WEBHOOK_EVENT_PAGE_MAX_LIMIT = 100;

/** `GET /api/instagram/events`: newest first. */
export class WebhookEventQueryDto {
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_STATUSES, {
    message: `status must be one of: ${WEBHOOK_EVENT_STATUSES.join(', ')}`,
  })
  @StringUnion(WEBHOOK_EVENT_STATUSES, 'WebhookEventStatus')
  status?: WebhookEventStatus;

  /** One of the caller's Instagram accounts (`id` in the status). */
  @IsOptional()
  @Matches(/^\d{1,32}$/, {
    message: 'accountId must be an Instagram account id',
  })
  accountId?: string;

  /** The previous page's `nextCursor`. */
  @IsOptional()
  @IsMongoId({ message: 'before must be a cursor from a previous page' })
  before?: string;

  @IsOptional()
  // Not @Type(): that needs reflect-metadata, which the dashboard's bundle does not load.
  @Transform(({ value }) =>
    value === undefined || value === '' ? undefined : Number(value),
  )
  @Min(1)
  @Max(WEBHOOK_EVENT_PAGE_MAX_LIMIT)
  @IsInt() // last: checked first (see SendMessageDto.text)
  limit?: number;
}

/** One item of a delivery (a message, reaction, read, …) of one of the caller's accounts. */
export class WebhookEventItemDto {
  /** Position in the delivery: entry, then item within it. */
  index!: number;
  @StringUnion(WEBHOOK_ITEM_KINDS, 'WebhookItemKind')
  kind!: WebhookItemKind;
  accountId?: string;
  /** The contact's Instagram-scoped id. */
  contactId?: string;
  /** Meta's message id the item concerns, when it has one. */
  externalMessageId?: string;
  @StringUnion(WEBHOOK_EVENT_STATUSES, 'WebhookEventStatus')
  status!: WebhookEventStatus;
  attempts!: number;
  @StringUnion(WEBHOOK_IGNORED_REASONS, 'WebhookIgnoredReason')
  reason?: WebhookIgnoredReason;
  /** The last error, for a failed item or one waiting for a retry. */
  error?: string;
  /** ISO 8601: when the next retry is due (pending items only). */
  @DateTime()
  nextAttemptAt?: string;
}

/** One webhook delivery as stored in the inbox, showing only the caller's items. */
export class WebhookEventDto {
  id!: string;
  /** ISO 8601. */
  @DateTime()
  receivedAt!: string;
  /** The state of the caller's items: pending while any is, then failed if any failed, … */
  @StringUnion(WEBHOOK_EVENT_STATUSES, 'WebhookEventStatus')
  status!: WebhookEventStatus;
  /** How many times the processor worked on the delivery. */
  attempts!: number;
  lastError?: string;
  items!: WebhookEventItemDto[];
}

export class WebhookEventPageDto {
  items!: WebhookEventDto[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor!: string | null;
}

/**
 * Socket `instagram:events:watch` payload, and its ack's: whether this socket wants
 * `instagram:event` (the events page does while it is open; nothing else needs every delivery).
 */
export class WatchWebhookEventsDto {
  @IsBoolean({ message: 'watching must be true or false' })
  watching!: boolean;
}
