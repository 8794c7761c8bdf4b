import { randomUUID } from 'node:crypto';
import { call } from './http-json';

/** Concurrent REST senders, each writing into its own conversation. */
export const SENDERS = 32;
/** Conversations (and recipients) the send → socket load is spread over. */
export const LATENCY_CONVERSATIONS = 100;
/** The two history lengths whose newest page is read. */
export const HISTORY_SIZES = [10_000, 100_000] as const;

export interface Person {
  id: string;
  accessToken: string;
  user: object;
}

export interface Setup {
  senders: Person[];
  recipients: Person[];
  /** sendConversationIds[i] is between senders[i] and recipients[i]. */
  sendConversationIds: string[];
  /** latencyConversations[k] is between senders[k % SENDERS] and recipients[k]. */
  latencyConversations: { id: string; sender: Person; recipient: Person }[];
  /** Between senders[0] and senders[1] and [2], one per HISTORY_SIZES entry; read by senders[0]. */
  historyConversationIds: string[];
}

/** Registers the chat bench's people through REST and opens their conversations. */
export async function createPeopleAndConversations(
  baseUrl: string,
): Promise<Setup> {
  const senders = await registerMany(baseUrl, 'sender', SENDERS);
  const recipients = await registerMany(
    baseUrl,
    'recipient',
    LATENCY_CONVERSATIONS,
  );
  const open = async (from: Person, to: Person) =>
    (
      (await call(baseUrl, 'POST', '/api/conversations', from.accessToken, {
        participantId: to.id,
      })) as { id: string }
    ).id;
  const latencyConversations = [];
  for (let k = 0; k < LATENCY_CONVERSATIONS; k++) {
    const sender = senders[k % SENDERS];
    const recipient = recipients[k];
    latencyConversations.push({
      id: await open(sender, recipient),
      sender,
      recipient,
    });
  }
  const historyConversationIds = [];
  for (let i = 0; i < HISTORY_SIZES.length; i++) {
    historyConversationIds.push(await open(senders[0], senders[i + 1]));
  }
  return {
    senders,
    recipients,
    sendConversationIds: latencyConversations
      .slice(0, SENDERS)
      .map((c) => c.id),
    latencyConversations,
    historyConversationIds,
  };
}

async function registerMany(
  baseUrl: string,
  role: string,
  count: number,
): Promise<Person[]> {
  const people: Person[] = [];
  // Password hashing is deliberately slow: a few at a time keeps both cores busy and no more.
  for (let start = 0; start < count; start += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - start) }, async (_, j) => {
        const body = (await call(baseUrl, 'POST', '/api/auth/register', null, {
          email: `${role}${start + j}-${randomUUID()}@bench.example`,
          password: `Bench-${randomUUID()}`,
          displayName: `${role} ${start + j}`,
        })) as { accessToken: string; user: { id: string } };
        return {
          id: body.user.id,
          accessToken: body.accessToken,
          user: body.user,
        };
      }),
    );
    people.push(...batch);
  }
  return people;
}
