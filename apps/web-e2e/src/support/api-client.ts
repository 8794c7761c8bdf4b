import type {
  AuthResponseDto,
  ConversationDto,
  MessageDto,
  Page,
} from '@instantchat/contracts';
import { baseUrl } from './browser';

/** Someone registered through the real API, with the token their requests carry. */
export interface Person extends AuthResponseDto {
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
  const response = await call<AuthResponseDto>(
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
): Promise<ConversationDto> {
  return call('POST', '/api/conversations', person, {
    participantId: other.user.id,
  });
}

export function sendMessage(
  person: Person,
  conversationId: string,
  text: string,
): Promise<MessageDto> {
  return call('POST', `/api/conversations/${conversationId}/messages`, person, {
    text,
  });
}

/** The newest messages of a conversation as the API stores them (newest first). */
export async function storedMessages(
  person: Person,
  conversationId: string,
): Promise<MessageDto[]> {
  const page = await call<Page<MessageDto>>(
    'GET',
    `/api/conversations/${conversationId}/messages?limit=100`,
    person,
  );
  return page.items;
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
