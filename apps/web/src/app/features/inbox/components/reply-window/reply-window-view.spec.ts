import { formatTimeLeft, replyWindowView } from './reply-window-view';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = new Date('2026-11-20T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

describe('replyWindowView', () => {
  it('has nothing to say where the conversation has no window (local chat)', () => {
    expect(replyWindowView(undefined, false, NOW)).toBeNull();
  });

  it('counts down in days, hours, minutes, then "less than a minute"', () => {
    expect(formatTimeLeft(3 * 24 * HOUR + 5 * HOUR)).toBe('3 days');
    expect(formatTimeLeft(47 * HOUR)).toBe('47 h');
    expect(formatTimeLeft(5 * HOUR + 59 * MINUTE)).toBe('5 h');
    expect(formatTimeLeft(59 * MINUTE + 59_000)).toBe('59 min');
    expect(formatTimeLeft(59_000)).toBe('less than a minute');
  });

  it('warns in the last hour and closes at the very instant', () => {
    expect(replyWindowView(at(HOUR), false, NOW)?.state).toBe('open');
    expect(replyWindowView(at(HOUR - 1), false, NOW)?.state).toBe('closing');
    expect(replyWindowView(at(0), false, NOW)).toMatchObject({
      state: 'closed',
      open: false,
    });
  });

  it('switches to the human-agent notice once the first 24 hours of a 7-day window have passed', () => {
    expect(replyWindowView(at(6 * 24 * HOUR + 1), true, NOW)?.state).toBe(
      'open',
    );
    expect(replyWindowView(at(6 * 24 * HOUR), true, NOW)?.state).toBe(
      'human-agent',
    );
  });

  it('reads a malformed time as no window rather than a wrong one', () => {
    expect(replyWindowView('not a date', false, NOW)).toBeNull();
  });
});
