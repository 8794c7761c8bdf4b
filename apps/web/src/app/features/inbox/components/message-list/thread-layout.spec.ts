import type { TimelineEntry } from './timeline-entry';
import { initialsOf, layoutThread, withUnreadDivider } from './thread-layout';

describe('layoutThread', () => {
  // Local time on purpose: a day starts at the reader's midnight.
  const now = new Date(2026, 10, 25, 15, 0);
  const at = (day: number, hour: number, minute: number) =>
    new Date(2026, 10, day, hour, minute).toISOString();
  const entry = (
    key: string,
    createdAt: string,
    senderName = 'Grace Hopper',
    isMine = false,
  ): TimelineEntry => ({
    key,
    clientId: null,
    text: key,
    isDeleted: false,
    createdAt,
    isMine,
    senderName,
    status: 'sent',
    error: null,
    isFromInstagram: false,
    attachments: [],
  });

  const shape = (rows: ReturnType<typeof layoutThread>) =>
    rows.map((row) =>
      row.kind === 'day'
        ? `— ${row.label} —`
        : row.kind === 'unread'
          ? '== New messages =='
          : `${row.key}${row.startsGroup ? ' (new group)' : ''}${row.endsGroup ? ' (end)' : ''}`,
    );

  it('puts the "New messages" divider above the first unread message, and above its day separator when it starts a day', () => {
    const rows = layoutThread(
      [
        entry('a', at(23, 9, 0)),
        entry('b', at(24, 9, 0)),
        entry('c', at(24, 9, 3)),
      ],
      now,
    );

    expect(shape(withUnreadDivider(rows, 'c'))).toEqual([
      '— Monday, November 23 —',
      'a (new group) (end)',
      '— Yesterday —',
      'b (new group)',
      '== New messages ==',
      'c (end)',
    ]);
    expect(shape(withUnreadDivider(rows, 'b')).slice(2, 4)).toEqual([
      '== New messages ==',
      '— Yesterday —',
    ]);
    expect(withUnreadDivider(rows, null)).toBe(rows);
    expect(withUnreadDivider(rows, 'not-loaded')).toBe(rows);
  });

  it('separates days and groups one sender’s messages close in time', () => {
    const rows = layoutThread(
      [
        entry('a', at(23, 9, 0)),
        entry('b', at(24, 9, 0)),
        entry('c', at(24, 9, 3)),
        entry('d', at(24, 9, 20)),
        entry('e', at(25, 14, 0), 'You', true),
        entry('f', at(25, 14, 1)),
      ],
      now,
      'en-GB',
    );

    expect(shape(rows)).toEqual([
      '— Monday 23 November —',
      'a (new group) (end)',
      '— Yesterday —',
      'b (new group)',
      'c (end)',
      'd (new group) (end)',
      '— Today —',
      'e (new group) (end)',
      'f (new group) (end)',
    ]);
  });

  it('names last year’s days with their year', () => {
    const [separator] = layoutThread(
      [entry('a', new Date(2025, 0, 5, 12, 0).toISOString())],
      now,
      'en-GB',
    );
    expect(separator).toMatchObject({
      kind: 'day',
      label: 'Sunday, 5 January 2025',
    });
  });

  it('makes initials for avatars', () => {
    expect(initialsOf('Grace Hopper')).toBe('GH');
    expect(initialsOf('@coffee.lover')).toBe('C');
    expect(initialsOf('ada')).toBe('A');
  });
});
