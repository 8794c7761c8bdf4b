import type {
  ConversationDto,
  MessageDto,
  UserDto,
} from '@instantchat/contracts';
import type { Session } from '../app/core/session/auth.service';

/** A token shaped like the API's JWTs; only `exp` matters to the dashboard. */
export function fakeJwt(expiresInSeconds = 3600, subject = 'u-me'): string {
  const encode = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, '');
  const exp = Math.floor(Date.now() / 1000) + expiresInSeconds;
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: subject, exp })}.signature`;
}

export const me: UserDto = {
  id: 'u-me',
  email: 'ada@example.com',
  displayName: 'Ada Lovelace',
  createdAt: '2026-11-01T09:00:00.000Z',
};

export const grace: UserDto = {
  id: 'u-grace',
  email: 'grace@example.com',
  displayName: 'Grace Hopper',
  createdAt: '2026-11-02T09:00:00.000Z',
};

export const alan: UserDto = {
  id: 'u-alan',
  email: 'alan@example.com',
  displayName: 'Alan Turing',
  createdAt: '2026-11-03T09:00:00.000Z',
};

export function session(overrides: Partial<Session> = {}): Session {
  return { accessToken: fakeJwt(), user: me, ...overrides };
}

/** A Storage that lives in memory, pre-filled with a signed-in session when given one. */
export function memoryStorage(initial?: Session): Storage {
  const data = new Map<string, string>();
  if (initial) {
    data.set('instantchat.session', JSON.stringify(initial));
  }
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (key) => data.get(key) ?? null,
    key: (index) => [...data.keys()][index] ?? null,
    removeItem: (key) => void data.delete(key),
    setItem: (key, value) => void data.set(key, value),
  };
}

export function localConversation(
  id: string,
  other: UserDto,
  overrides: Partial<ConversationDto> = {},
): ConversationDto {
  return {
    id,
    kind: 'local',
    participants: [
      { id: me.id, displayName: me.displayName },
      { id: other.id, displayName: other.displayName },
    ],
    lastMessage: null,
    lastMessageAt: '2026-11-20T10:00:00.000Z',
    unreadCount: 0,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

export function instagramConversation(
  id: string,
  overrides: Partial<ConversationDto> = {},
): ConversationDto {
  return {
    id,
    kind: 'instagram',
    participants: [{ id: me.id, displayName: me.displayName }],
    instagramContact: {
      igsid: '1784001',
      username: 'coffee.lover',
      name: 'Cleo Customer',
    },
    lastMessage: {
      text: 'Do you ship to Lisbon?',
      senderUserId: null,
      createdAt: '2026-11-20T11:00:00.000Z',
    },
    lastMessageAt: '2026-11-20T11:00:00.000Z',
    unreadCount: 2,
    createdAt: '2026-11-19T10:00:00.000Z',
    updatedAt: '2026-11-20T11:00:00.000Z',
    ...overrides,
  };
}

export function message(
  id: string,
  conversationId: string,
  senderUserId: string | null,
  text: string,
  createdAt: string,
  overrides: Partial<MessageDto> = {},
): MessageDto {
  return {
    id,
    conversationId,
    source: senderUserId === null ? 'instagram' : 'local',
    senderUserId,
    text,
    attachments: [],
    status: 'sent',
    error: null,
    isFromInstagram: senderUserId === null,
    createdAt,
    ...overrides,
  };
}
