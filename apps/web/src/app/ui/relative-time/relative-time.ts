const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A chat-list timestamp: "just now", "5 min", "3 h", "Yesterday", "Mon", "Mar 4", "Mar 4, 2025".
 * Local time, so "Yesterday" means the person's yesterday.
 */
export function formatRelativeTime(
  iso: string,
  now: Date,
  locale?: string,
): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) {
    return '';
  }
  const elapsed = now.getTime() - then.getTime();
  if (elapsed < 45_000) {
    return 'just now';
  }
  if (elapsed < HOUR) {
    return `${Math.max(1, Math.round(elapsed / MINUTE))} min`;
  }
  const daysApart = calendarDaysBetween(then, now);
  if (daysApart === 0) {
    return `${Math.floor(elapsed / HOUR)} h`;
  }
  if (daysApart === 1) {
    return 'Yesterday';
  }
  if (daysApart < 7) {
    return then.toLocaleDateString(locale, { weekday: 'short' });
  }
  if (then.getFullYear() === now.getFullYear()) {
    return then.toLocaleDateString(locale, { month: 'short', day: 'numeric' });
  }
  return then.toLocaleDateString(locale, {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  });
}

/** The full date and time, for tooltips and screen readers. */
export function formatFullTime(iso: string, locale?: string): string {
  const then = new Date(iso);
  return Number.isNaN(then.getTime())
    ? ''
    : then.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

function calendarDaysBetween(earlier: Date, later: Date): number {
  const startOf = (date: Date) =>
    new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  return Math.round((startOf(later) - startOf(earlier)) / DAY);
}

/**
 * A thread's day separator: "Today", "Yesterday", "Monday 24 November", with the year when it is
 * not this year. Local time, like every date the person reads.
 */
export function formatDayLabel(
  iso: string,
  now: Date,
  locale?: string,
): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) {
    return '';
  }
  const daysApart = calendarDaysBetween(then, now);
  if (daysApart === 0) {
    return 'Today';
  }
  if (daysApart === 1) {
    return 'Yesterday';
  }
  return then.toLocaleDateString(locale, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(then.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
  });
}

/** The local calendar day of an instant, as `YYYY-MM-DD`, for grouping by day. */
export function localDayKey(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
