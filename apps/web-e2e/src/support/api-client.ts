import { baseUrl } from './browser';
import { eventually } from './eventually';

/*
 * The few fields of the API's answers these tests read. (The e2e project is not allowed to
 * depend on libs/contracts by the workspace's module-boundary rules; the full shapes live there.)
 */
interface AuthResponse {
  accessToken: string;
  user: { id: string; displayName: string; email: string };
}
export interface Conversation {
  id: string;
  unreadCount?: number;
  lastMessage?: { text: string } | null;
}
export interface StoredMessage {
  id: string;
  text: string;
  clientMessageId?: string | null;
  status?: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
  /** Why a reply failed, in words. */
  error?: string | null;
  attachments?: { type: string; url?: string }[];
}

/** Someone registered through the real API, with the token their requests carry. */
export interface Person extends AuthResponse {
  password: string;
}

/**
 * Sets the scene through the REST API the dashboard itself uses, so a test starts where the
 * behaviour under test begins instead of clicking its way there.
 */
export async function registerPerson(
  displayName: string,
  runId: string,
): Promise<Person> {
  const password = `password-of-${displayName.toLowerCase()}-${runId}`;
  const email = `${displayName.toLowerCase().replace(/\W+/g, '.')}.${runId}@example.com`;
  const response = await call<AuthResponse>(
    'POST',
    '/api/auth/register',
    null,
    { email, password, displayName },
  );
  return { ...response, password };
}

export function openConversation(
  person: Person,
  other: Person,
): Promise<Conversation> {
  return call('POST', '/api/conversations', person, {
    participantId: other.user.id,
  });
}

export function sendMessage(
  person: Person,
  conversationId: string,
  text: string,
): Promise<StoredMessage> {
  return call('POST', `/api/conversations/${conversationId}/messages`, person, {
    text,
  });
}

export function markRead(
  person: Person,
  conversationId: string,
): Promise<unknown> {
  return call('POST', `/api/conversations/${conversationId}/read`, person, {});
}

/** The person's conversations as the API lists them (newest activity first). */
export function conversationsOf(person: Person): Promise<Conversation[]> {
  return call('GET', '/api/conversations', person);
}

/** The newest messages of a conversation as the API stores them (newest first). */
export async function storedMessages(
  person: Person,
  conversationId: string,
): Promise<StoredMessage[]> {
  const page = await call<{ items: StoredMessage[] }>(
    'GET',
    `/api/conversations/${conversationId}/messages?limit=100`,
    person,
  );
  return page.items;
}

/** Waits until the API stores the message with `text` in a state that satisfies `done`. */
export function storedMessageUntil(
  person: Person,
  conversationId: string,
  text: string,
  done: (message: StoredMessage) => boolean,
): Promise<StoredMessage> {
  let last: StoredMessage | undefined;
  return eventually(
    async () => {
      last = (await storedMessages(person, conversationId)).find(
        (message) => message.text === text,
      );
      return last && done(last) ? last : undefined;
    },
    () => `"${text}" never got there; last: ${JSON.stringify(last)}`,
  );
}

/** The webhook deliveries the API shows the person (only items of their own accounts). */
export async function instagramEventsOf(person: Person): Promise<unknown[]> {
  const page = await call<{ items: unknown[] }>(
    'GET',
    '/api/instagram/events',
    person,
  );
  return page.items;
}

/** The HTTP status the API answers the person's GET with (for refusals such as 404). */
export async function statusOfGet(
  person: Person,
  path: string,
): Promise<number> {
  const response = await fetch(new URL(path, baseUrl()), {
    headers: { authorization: `Bearer ${person.accessToken}` },
  });
  await response.body?.cancel();
  return response.status;
}

async function call<T>(
  method: string,
  path: string,
  as: Person | null,
  body?: unknown,
): Promise<T> {
  const response = await fetch(new URL(path, baseUrl()), {
    method,
    headers: {
      'content-type': 'application/json',
      ...(as ? { authorization: `Bearer ${as.accessToken}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(
      `${method} ${path} answered ${response.status}: ${await response.text()}`,
    );
  }
  return (await response.json()) as T;
}
