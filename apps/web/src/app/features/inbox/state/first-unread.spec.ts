import type { MessageDto } from '@instantchat/contracts';
import {
  type UnreadMarker,
  firstUnreadMessageId,
  reachesFirstUnread,
} from './first-unread';

const ME = 'me';
const THEM = 'them';

function message(id: string, minute: number, senderUserId = THEM): MessageDto {
  return {
    id,
    conversationId: 'c1',
    source: 'local',
    senderUserId,
    text: id,
    attachments: [],
    status: 'sent',
    isFromInstagram: false,
    createdAt: new Date(Date.UTC(2026, 10, 30, 9, minute)).toISOString(),
  };
}

const at = (minute: number) =>
  new Date(Date.UTC(2026, 10, 30, 9, minute)).toISOString();

const history = [
  message('m1', 1),
  message('m2', 2, ME),
  message('m3', 3),
  message('m4', 4),
  message('m5', 5, ME),
  message('m6', 6),
];

function marker(overrides: Partial<UnreadMarker>): UnreadMarker {
  return {
    conversationId: 'c1',
    lastReadAt: null,
    unreadCount: 0,
    until: at(6),
    ...overrides,
  };
}

describe('firstUnreadMessageId', () => {
  it('stays put as messages arrive after the marker was taken', () => {
    const taken = marker({ lastReadAt: at(5), unreadCount: 1 });
    expect(firstUnreadMessageId(history, taken, ME)).toBe('m6');
    const later = [...history, message('m7', 7), message('m8', 8)];
    expect(firstUnreadMessageId(later, taken, ME)).toBe('m6');
    expect(
      firstUnreadMessageId(later, marker({ unreadCount: 2, until: at(4) }), ME),
    ).toBe('m3');
  });

  it('is the first message from someone else after the read position', () => {
    expect(
      firstUnreadMessageId(
        history,
        marker({ lastReadAt: at(2), unreadCount: 3 }),
        ME,
      ),
    ).toBe('m3');
  });

  it('counts back from the newest when the person never read the conversation', () => {
    expect(firstUnreadMessageId(history, marker({ unreadCount: 2 }), ME)).toBe(
      'm4',
    );
  });

  it('is null when nothing was unread', () => {
    expect(
      firstUnreadMessageId(history, marker({ lastReadAt: at(6) }), ME),
    ).toBeNull();
    expect(firstUnreadMessageId(history, null, ME)).toBeNull();
  });
});

describe('reachesFirstUnread', () => {
  const newestFirst = [...history].reverse();

  it('is true once a message from before the read position is held', () => {
    expect(
      reachesFirstUnread(
        newestFirst.slice(0, 5),
        marker({ lastReadAt: at(2), unreadCount: 3 }),
        ME,
      ),
    ).toBe(true);
  });

  it('is false while fewer unread messages from others are held than were counted', () => {
    expect(
      reachesFirstUnread(
        newestFirst.slice(0, 3),
        marker({ lastReadAt: at(2), unreadCount: 3 }),
        ME,
      ),
    ).toBe(false);
    expect(
      reachesFirstUnread(
        newestFirst.slice(0, 2),
        marker({ unreadCount: 2 }),
        ME,
      ),
    ).toBe(false);
    expect(
      reachesFirstUnread(
        newestFirst.slice(0, 3),
        marker({ unreadCount: 2 }),
        ME,
      ),
    ).toBe(true);
  });
});
