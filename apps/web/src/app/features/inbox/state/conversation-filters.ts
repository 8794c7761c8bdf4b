import type { ConversationListItem } from '../components/conversation-list/conversation-list-item';

/**
 * Which conversations the list shows: all, those with unread messages, team (local) ones,
 * Instagram ones, or those of one connected Instagram account (`account:<id>`).
 */
export type ConversationFilter =
  | 'all'
  | 'unread'
  | 'local'
  | 'instagram'
  | `account:${string}`;

/** One button of the filter bar, with how many conversations it would show. */
export interface FilterOption {
  value: ConversationFilter;
  label: string;
  count: number;
}

/** What an empty list says, and the one thing it offers to do next. */
export interface ListEmptyState {
  message: string;
  action: 'start' | 'connect' | 'show-all';
}

/** The Instagram accounts the list's conversations reach, in order of first appearance. */
export function receivingAccounts(
  items: readonly ConversationListItem[],
): { id: string; label: string }[] {
  const accounts = new Map<string, string>();
  for (const { account } of items) {
    if (account && !accounts.has(account.id)) {
      accounts.set(account.id, account.label);
    }
  }
  return [...accounts].map(([id, label]) => ({ id, label }));
}

export function matchesFilter(
  item: ConversationListItem,
  filter: ConversationFilter,
): boolean {
  switch (filter) {
    case 'all':
      return true;
    // The open conversation stays while it is read, so it does not vanish under the cursor.
    case 'unread':
      return item.unreadCount > 0 || item.isActive;
    case 'local':
    case 'instagram':
      return item.kind === filter;
    default:
      return item.account?.id === filter.slice('account:'.length);
  }
}

/**
 * The filter bar: All, Unread, Team, Instagram, then one button per receiving account once the
 * conversations reach several.
 */
export function filterOptions(
  items: readonly ConversationListItem[],
): FilterOption[] {
  const accounts = receivingAccounts(items);
  const candidates: Omit<FilterOption, 'count'>[] = [
    { value: 'all', label: 'All' },
    { value: 'unread', label: 'Unread' },
    { value: 'local', label: 'Team' },
    { value: 'instagram', label: 'Instagram' },
    ...(accounts.length > 1
      ? accounts.map(({ id, label }) => ({
          value: `account:${id}` as const,
          label,
        }))
      : []),
  ];
  return candidates.map((option) => ({
    ...option,
    // The open conversation stays under Unread while it is read, but it is not unread.
    count: items.filter((item) =>
      option.value === 'unread'
        ? item.unreadCount > 0
        : matchesFilter(item, option.value),
    ).length,
  }));
}

/** What the list says when the chosen filter leaves nothing to show. */
export function emptyStateFor(
  filter: ConversationFilter,
  hasAny: boolean,
): ListEmptyState {
  if (!hasAny) {
    return { message: 'No conversations yet.', action: 'start' };
  }
  switch (filter) {
    case 'unread':
      return { message: 'You are all caught up.', action: 'show-all' };
    case 'local':
      return { message: 'No team conversations yet.', action: 'start' };
    case 'instagram':
      return {
        message:
          'No Instagram conversations yet. Direct messages to a connected account appear here as they arrive.',
        action: 'connect',
      };
    default:
      return {
        message: 'No conversation matches this filter.',
        action: 'show-all',
      };
  }
}
