import type {
  WebhookEventDto,
  WebhookEventQueryDto,
  WebhookEventStatus,
} from '@instantchat/contracts';
import { Types } from 'mongoose';
import type {
  WebhookEventItem,
  WebhookEventRecord,
} from './schemas/webhook-event.schema';

/*
 * How an owner sees the shared inbox: a delivery may carry items of several businesses' accounts,
 * and each owner is shown (and may retry) only their own.
 */

/**
 * An item is the caller's when it was routed to them, or (not routed to anyone: it arrived before
 * they connected, or for an account nobody held then) it names an account they hold now.
 */
export function ownItemFilter(
  userId: string,
  ownAccountIds: readonly string[],
  query: Pick<WebhookEventQueryDto, 'status' | 'accountId'>,
): Record<string, unknown> {
  const accountIds =
    query.accountId === undefined
      ? [...ownAccountIds]
      : ownAccountIds.filter((id) => id === query.accountId);
  return {
    $or: [
      { ownerUserId: new Types.ObjectId(userId) },
      { ownerUserId: { $exists: false }, accountId: { $in: accountIds } },
    ],
    ...(query.accountId !== undefined && { accountId: query.accountId }),
    ...(query.status !== undefined && { status: query.status }),
  };
}

export function isOwnItem(
  item: WebhookEventItem,
  userId: string,
  ownAccountIds: readonly string[],
  accountId?: string,
): boolean {
  if (accountId !== undefined && item.accountId !== accountId) return false;
  if (item.ownerUserId) return item.ownerUserId.toHexString() === userId;
  return item.accountId !== undefined && ownAccountIds.includes(item.accountId);
}

/** The state of a set of items: pending while any is, then failed, processed, ignored. */
export function overallStatus(
  items: readonly Pick<WebhookEventItem, 'status'>[],
): WebhookEventStatus {
  for (const status of ['pending', 'failed', 'processed'] as const) {
    if (items.some((item) => item.status === status)) return status;
  }
  return 'ignored';
}

/** What names an item wherever it is shown or stored: its place, kind and the ids it carries. */
type ItemIdentity = Pick<
  WebhookEventItem,
  'index' | 'kind' | 'accountId' | 'contactId' | 'externalMessageId'
>;

export function itemIdentity(item: ItemIdentity): ItemIdentity {
  return {
    index: item.index,
    kind: item.kind,
    ...(item.accountId && { accountId: item.accountId }),
    ...(item.contactId && { contactId: item.contactId }),
    ...(item.externalMessageId && {
      externalMessageId: item.externalMessageId,
    }),
  };
}

export function toWebhookEventDto(
  event: WebhookEventRecord,
  shows: (item: WebhookEventItem) => boolean,
): WebhookEventDto {
  const items = event.items.filter(shows);
  return {
    id: event._id.toHexString(),
    receivedAt: event.receivedAt.toISOString(),
    status: overallStatus(items),
    attempts: event.attempts,
    ...(event.lastError && { lastError: event.lastError }),
    items: items.map((item) => ({
      ...itemIdentity(item),
      status: item.status,
      attempts: item.attempts,
      ...(item.reason && { reason: item.reason }),
      ...(item.lastError && { error: item.lastError }),
      ...(item.status === 'pending' &&
        item.nextAttemptAt && {
          nextAttemptAt: item.nextAttemptAt.toISOString(),
        }),
    })),
  };
}
