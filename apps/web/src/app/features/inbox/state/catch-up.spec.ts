import type { MessageDto } from '@instantchat/contracts';
import { catchUpAnchor, catchUpSince } from './catch-up';

function stored(id: string, createdAt: string): MessageDto {
  return {
    id,
    conversationId: 'c1',
    source: 'local',
    senderUserId: 'them',
    text: id,
    attachments: [],
    status: 'sent',
    isFromInstagram: false,
    createdAt,
  };
}

describe('catching up after a reconnect', () => {
  it('asks for conversations changed since 10 s before the newest updatedAt held', () => {
    expect(
      catchUpSince([
        '2026-11-20T11:00:00.000Z',
        '2026-11-20T14:00:05.000Z',
        '2026-11-20T09:00:00.000Z',
      ]),
    ).toBe('2026-11-20T13:59:55.000Z');
    // Nothing held: the whole list.
    expect(catchUpSince([])).toBeUndefined();
  });

  it('asks for messages after the newest held that is 10 s older than the newest', () => {
    const thread = [
      stored('m1', '2026-11-20T13:00:00.000Z'),
      stored('m2', '2026-11-20T13:59:50.000Z'),
      stored('m3', '2026-11-20T13:59:55.000Z'),
      stored('m4', '2026-11-20T14:00:00.000Z'),
    ];
    // m2 is exactly 10 s older: anything stamped after it (a late write at 13:59:58 included) comes.
    expect(catchUpAnchor(thread)).toBe('m2');
    // Every one recent: after the oldest held.
    expect(catchUpAnchor(thread.slice(2))).toBe('m3');
    expect(catchUpAnchor([])).toBeUndefined();
  });
});
