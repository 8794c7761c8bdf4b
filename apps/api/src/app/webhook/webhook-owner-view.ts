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
  return {
    $or: [
      { ownerUserId: new Types.ObjectId(userId) },
      {
        ownerUserId: { $exists: false },
        accountId: { $in: queriedAccountIds(ownAccountIds, query) },
      },
    ],
    ...(query.accountId !== undefined && { accountId: query.accountId }),
    ...(query.status !== undefined && { status: query.status }),
  };
}

/**
 * A delivery the processor has not read yet has no items, so no item can say whose it is: it is
 * the caller's when its body names an account they hold (`accountIds`, recorded at intake). It is
 * pending, so it is asked for only with no status filter or `pending`.
 * Deliveries stored before intake recorded `accountIds` are not matched here: they show once the
 * processor has read them, as they always did.
 * @returns undefined when no unread delivery can match (another status, or no account to match).
 */
export function unreadFilter(
  ownAccountIds: readonly string[],
  query: Pick<WebhookEventQueryDto, 'status' | 'accountId'>,
): Record<string, unknown> | undefined {
  const pendingAsked = query.status === undefined || query.status === 'pending';
  const accountIds = queriedAccountIds(ownAccountIds, query);
  if (!pendingAsked || accountIds.length === 0) return undefined;
  // `itemsRead: false` also selects the partial index that holds only such deliveries.
  return {
    itemsRead: false,
    status: 'pending',
    accountIds: { $in: accountIds },
  };
}

/**
 * Whether the delivery waits for the processor to read its items (it has none until then). One
 * intake ended itself (not JSON, another object) is never read, and keeps its own status.
 */
export function isUnread(
  event: Pick<WebhookEventRecord, 'itemsRead' | 'status'>,
): boolean {
  return event.itemsRead === false && event.status === 'pending';
}

/** The caller's accounts the query asks about: all of them, or the one `accountId` names. */
function queriedAccountIds(
  ownAccountIds: readonly string[],
  query: Pick<WebhookEventQueryDto, 'accountId'>,
): string[] {
  return query.accountId === undefined
    ? [...ownAccountIds]
    : ownAccountIds.filter((id) => id === query.accountId);
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

/**
 * A delivery as the caller sees it: their items, and their state. One not read yet shows no items
 * and is pending (with no items, `overallStatus` would call it ignored).
 */
export function toWebhookEventDto(
  event: WebhookEventRecord,
  shows: (item: WebhookEventItem) => boolean,
): WebhookEventDto {
  const unread = isUnread(event);
  const items = unread ? [] : event.items.filter(shows);
  return {
    id: event._id.toHexString(),
    receivedAt: event.receivedAt.toISOString(),
    status: unread ? 'pending' : overallStatus(items),
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

/** A delivery as one owner sees it: their items only (the live event, a retried delivery). */
export function ownerViewOf(
  event: WebhookEventRecord,
  userId: string,
  ownAccountIds: readonly string[],
): WebhookEventDto {
  return toWebhookEventDto(event, (item) =>
    isOwnItem(item, userId, ownAccountIds),
  );
}
