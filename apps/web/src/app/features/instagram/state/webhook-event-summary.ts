import type {
  InstagramAccountDto,
  WebhookEventDto,
  WebhookEventStatus,
  WebhookIgnoredReason,
} from '@instantchat/contracts';

/** One row of the events list, ready to render. */
export interface WebhookEventRow {
  id: string;
  status: WebhookEventStatus;
  receivedAt: string;
  attempts: number;
  /** The accounts the delivery's items belong to (`@username`, or the id when unknown). */
  accounts: string;
  /** What the items were: `message`, `reaction ×2`, … */
  kinds: string;
  /** Why it failed or was ignored, in words; empty when nothing went wrong. */
  problem: string;
  /** A failed or ignored delivery can be processed again. */
  canRetry: boolean;
}

export const STATUS_LABELS: Record<WebhookEventStatus, string> = {
  pending: 'Pending',
  processed: 'Processed',
  ignored: 'Ignored',
  failed: 'Failed',
};

const IGNORED_REASONS: Record<WebhookIgnoredReason, string> = {
  unknown_account: 'No InstantChat user had this account connected',
  account_disconnected: 'The account was disconnected',
  unsupported_kind: 'InstantChat does not handle this kind of event',
  incomplete_event: 'The event lacked what it needs (e.g. its sender)',
};

export function toWebhookEventRow(
  event: WebhookEventDto,
  accounts: readonly InstagramAccountDto[],
): WebhookEventRow {
  const usernames = new Map(accounts.map((a) => [a.id, `@${a.username}`]));
  const accountNames = unique(
    event.items.flatMap((item) =>
      item.accountId ? [usernames.get(item.accountId) ?? item.accountId] : [],
    ),
  );
  const kindCounts = new Map<string, number>();
  for (const item of event.items) {
    kindCounts.set(item.kind, (kindCounts.get(item.kind) ?? 0) + 1);
  }
  const problems = unique([
    ...event.items.flatMap((item) => [
      ...(item.error ? [item.error] : []),
      ...(item.reason ? [IGNORED_REASONS[item.reason]] : []),
    ]),
    ...(event.lastError ? [event.lastError] : []),
  ]);
  return {
    id: event.id,
    status: event.status,
    receivedAt: event.receivedAt,
    attempts: event.attempts,
    accounts: accountNames.join(', ') || '—',
    kinds:
      [...kindCounts]
        .map(([kind, count]) => (count > 1 ? `${kind} ×${count}` : kind))
        .join(', ') || '—',
    problem: problems.join('; '),
    canRetry: event.status === 'failed' || event.status === 'ignored',
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
