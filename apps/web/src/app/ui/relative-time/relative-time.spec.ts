import { formatRelativeTime } from './relative-time';

describe('formatRelativeTime', () => {
  // Local time on purpose: "Yesterday" is the reader's yesterday.
  const now = new Date(2026, 10, 25, 15, 0, 0);
  const at = (
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second = 0,
  ) => new Date(year, month, day, hour, minute, second).toISOString();

  it.each([
    ['just now', at(2026, 10, 25, 14, 59, 30)],
    ['1 min', at(2026, 10, 25, 14, 59, 0)],
    ['5 min', at(2026, 10, 25, 14, 55)],
    ['3 h', at(2026, 10, 25, 12, 0)],
    ['Yesterday', at(2026, 10, 24, 23, 30)],
  ])('says %s', (expected, iso) => {
    expect(formatRelativeTime(iso, now, 'en-US')).toBe(expected);
  });

  it('names the weekday within the last week', () => {
    expect(formatRelativeTime(at(2026, 10, 21, 9, 0), now, 'en-US')).toBe(
      'Sat',
    );
  });

  it('gives the date for older messages, with the year when it is not this year', () => {
    expect(formatRelativeTime(at(2026, 2, 4, 9, 0), now, 'en-US')).toBe(
      'Mar 4',
    );
    expect(formatRelativeTime(at(2025, 2, 4, 9, 0), now, 'en-US')).toBe(
      'Mar 4, 2025',
    );
  });

  it('returns nothing for an unreadable date', () => {
    expect(formatRelativeTime('not a date', now)).toBe('');
  });
});
