import {
  formatDayLabel,
  localDayKey,
} from '../../../../ui/relative-time/relative-time';
import type { TimelineEntry } from './timeline-entry';

/**
 * One row of the chat window: a day separator, the "New messages" divider, or a message that may
 * start a group.
 */
export type ThreadRow =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'unread'; key: string }
  | {
      kind: 'message';
      key: string;
      entry: TimelineEntry;
      /** First of a run by the same sender: shows the avatar and name. */
      startsGroup: boolean;
      /** Last of the run: shows the time. */
      endsGroup: boolean;
      initials: string;
    };

/** Messages further apart than this start a new group even from the same sender. */
const GROUP_GAP_MS = 5 * 60_000;

/**
 * Lays a timeline out the way chat apps do: a separator at each new day, and consecutive
 * messages by one sender within a few minutes grouped under one avatar.
 */
export function layoutThread(
  entries: TimelineEntry[],
  now: Date,
  locale?: string,
): ThreadRow[] {
  const rows: ThreadRow[] = [];
  let previous: TimelineEntry | null = null;
  let previousRow: Extract<ThreadRow, { kind: 'message' }> | null = null;
  for (const entry of entries) {
    const day = localDayKey(entry.createdAt);
    const isNewDay = !previous || localDayKey(previous.createdAt) !== day;
    if (isNewDay) {
      rows.push({
        kind: 'day',
        key: `day:${day}`,
        label: formatDayLabel(entry.createdAt, now, locale),
      });
    }
    const startsGroup =
      isNewDay ||
      !previous ||
      previous.isMine !== entry.isMine ||
      previous.senderName !== entry.senderName ||
      Date.parse(entry.createdAt) - Date.parse(previous.createdAt) >
        GROUP_GAP_MS;
    if (startsGroup && previousRow) {
      previousRow.endsGroup = true;
    }
    previousRow = {
      kind: 'message',
      key: entry.key,
      entry,
      startsGroup,
      endsGroup: false,
      initials: initialsOf(entry.senderName),
    };
    rows.push(previousRow);
    previous = entry;
  }
  if (previousRow) {
    previousRow.endsGroup = true;
  }
  return rows;
}

/** The rows with the "New messages" divider just above the first unread message (if shown). */
export function withUnreadDivider(
  rows: ThreadRow[],
  firstUnreadKey: string | null,
): ThreadRow[] {
  const index = firstUnreadKey
    ? rows.findIndex((row) => row.key === firstUnreadKey)
    : -1;
  if (index === -1) {
    return rows;
  }
  // Starting a day, the divider goes above that day's separator: everything below it is new.
  const at = rows[index - 1]?.kind === 'day' ? index - 1 : index;
  return [
    ...rows.slice(0, at),
    { kind: 'unread', key: UNREAD_DIVIDER_KEY },
    ...rows.slice(at),
  ];
}

export const UNREAD_DIVIDER_KEY = 'unread-divider';

/** "Grace Hopper" → "GH", "@coffee.lover" → "C". */
export function initialsOf(name: string): string {
  return name
    .replace(/^@/, '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => Array.from(word)[0])
    .join('')
    .toUpperCase();
}
