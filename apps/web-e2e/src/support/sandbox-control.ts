import { eventually } from './eventually';

/*
 * The Meta sandbox's control API (`/_sandbox/…`, see apps/meta-sandbox/README.md) as the browser
 * tests use it: people who DM a business, what they do, what the Send API received, the clock.
 * The sandbox runs once per test run (the global setup), so every spec makes its own contacts.
 */

export function sandboxUrl(): string {
  const url = process.env['E2E_SANDBOX_URL'];
  if (!url) {
    throw new Error(
      'E2E_SANDBOX_URL is not set: run through `npx nx e2e web-e2e` (its global setup starts the Meta sandbox)',
    );
  }
  return url;
}

/** The seeded professional accounts (libs/meta-sandbox-server's world), by username. */
export const SANDBOX_ACCOUNTS = {
  'bluejacket.store': '17841405822304914',
  'corner.bakery': '17841405822304915',
  'solo.studio': '17841405822304916',
} as const;
export type SandboxAccount = keyof typeof SANDBOX_ACCOUNTS;

export interface InstagramContact {
  /** The Instagram-scoped id (IGSID) webhooks and the Send API use. */
  id: string;
  username: string;
  name: string;
}

/** What a contact does, as `POST /_sandbox/events` takes it. */
export interface ContactAction {
  type:
    | 'text'
    | 'image'
    | 'video'
    | 'audio'
    | 'file'
    | 'share'
    | 'story_mention'
    | 'reel'
    | 'story_reply'
    | 'reaction'
    | 'read'
    | 'unsend'
    | 'edit';
  text?: string;
  url?: string;
  /** The message a read, reaction, unsend or edit is about. */
  mid?: string;
}

/** One request the sandbox's Send API received (credentials already removed by the sandbox). */
export interface SendApiRequest {
  instagramAccountId: string;
  status: number;
  body: { recipient?: { id?: string }; message?: { text?: string } };
  response: { message_id?: string; error?: { code?: number } };
}

/** Someone on Instagram who will DM the business; unique per run so specs never share a thread. */
export function createInstagramContact(
  username: string,
  name: string,
): Promise<InstagramContact> {
  return control('POST', '/_sandbox/instagram-users', { username, name });
}

/**
 * The contact acts (writes, reads, sends a picture…) towards `account`: the sandbox signs and
 * delivers Meta's webhook to the API. Returns Meta's id of the message it created, if any.
 */
export async function actAsContact(
  contact: InstagramContact,
  account: SandboxAccount,
  action: ContactAction,
): Promise<string | undefined> {
  const answer = await control<{ events: { mid?: string }[] }>(
    'POST',
    '/_sandbox/events',
    { ...action, user: contact.id, account: SANDBOX_ACCOUNTS[account] },
  );
  return answer.events[0]?.mid;
}

/** Every Send API request the sandbox received for the contact, oldest first. */
export async function sendApiRequestsTo(
  contact: InstagramContact,
): Promise<SendApiRequest[]> {
  const answer = await control<{ data: SendApiRequest[] }>(
    'GET',
    `/_sandbox/sent-messages?recipient=${encodeURIComponent(contact.id)}`,
  );
  return answer.data;
}

/**
 * Waits (polling, generously) until the sandbox's Send API has answered a text message to the
 * contact, and returns that request: the proof that a reply really left for "Meta".
 */
export async function sentTextTo(
  contact: InstagramContact,
  text: string,
): Promise<SendApiRequest> {
  let seen: SendApiRequest[] = [];
  return eventually(
    async () => {
      seen = await sendApiRequestsTo(contact);
      return seen.find((request) => request.body.message?.text === text);
    },
    () =>
      `The sandbox's Send API received no "${text}" for ${contact.username}; it received: ${JSON.stringify(seen.map((request) => request.body))}`,
  );
}

/**
 * Moves Meta's clock forward (messaging windows, token lifetimes). There is no way back short of
 * a reset, so only the last steps of a spec should move it.
 */
export function advanceSandboxClock(ms: number): Promise<{ now: number }> {
  return control('POST', '/_sandbox/clock', { advanceMs: ms });
}

async function control<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(new URL(path, sandboxUrl()), {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(
      `The sandbox answered ${method} ${path} with ${response.status}: ${await response.text()}`,
    );
  }
  return (await response.json()) as T;
}
