import { createHmac } from 'node:crypto';

/** Small HTTP helpers for tests that drive the sandbox as the API and as a test harness would. */

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
}

/** Tests read answers loosely and assert on them; a precise type per call would only restate them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseJson = any;

export async function httpJson<T = LooseJson>(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body !== undefined
        ? { 'content-type': 'application/json' }
        : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    redirect: 'manual',
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: (text ? JSON.parse(text) : undefined) as T,
  };
}

/** Plays the person in the OAuth dialog: approves with one Page and returns the redirect URL. */
export async function approveInDialog(
  sandboxUrl: string,
  graphVersion: string,
  params: {
    clientId: string;
    redirectUri: string;
    state: string;
    scopes: string[];
    pageId: string;
    action?: 'approve' | 'cancel';
  },
): Promise<URL> {
  const form = new URLSearchParams({
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    state: params.state,
    scope: params.scopes.join(','),
    response_type: 'code',
    page_id: params.pageId,
    action: params.action ?? 'approve',
  });
  const response = await fetch(
    `${sandboxUrl}/${graphVersion}/dialog/oauth/confirm`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    },
  );
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new Error(`The dialog did not redirect (HTTP ${response.status})`);
  return new URL(location);
}

export interface GraphCaller {
  get<T = LooseJson>(
    path: string,
    token: string,
    query?: Record<string, string>,
  ): Promise<JsonResponse<T>>;
  post<T = LooseJson>(
    path: string,
    token: string,
    body?: unknown,
    query?: Record<string, string>,
  ): Promise<JsonResponse<T>>;
  del<T = LooseJson>(path: string, token: string): Promise<JsonResponse<T>>;
}

/** Calls the sandbox's Graph API as a well-behaved app: token in the header, appsecret_proof in the query. */
export function graphCaller(graphUrl: string, appSecret: string): GraphCaller {
  const url = (
    path: string,
    token: string,
    query: Record<string, string> = {},
  ) => {
    const u = new URL(graphUrl + path);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    u.searchParams.set(
      'appsecret_proof',
      createHmac('sha256', appSecret).update(token).digest('hex'),
    );
    return u.toString();
  };
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  return {
    get: (path, token, query) =>
      httpJson(url(path, token, query), { headers: auth(token) }),
    post: (path, token, body, query) =>
      httpJson(url(path, token, query), {
        method: 'POST',
        body,
        headers: auth(token),
      }),
    del: (path, token) =>
      httpJson(url(path, token), { method: 'DELETE', headers: auth(token) }),
  };
}

/** Plays the person in Instagram Login's window: allows one account (or cancels); the redirect URL. */
export async function allowInInstagramLogin(
  instagramOAuthUrl: string,
  params: {
    clientId: string;
    redirectUri: string;
    state: string;
    scopes: string[];
    accountId: string;
    action?: 'allow' | 'cancel';
  },
): Promise<URL> {
  const form = new URLSearchParams({
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    state: params.state,
    scope: params.scopes.join(','),
    response_type: 'code',
    account_id: params.accountId,
    action: params.action ?? 'allow',
  });
  const response = await fetch(`${instagramOAuthUrl}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new Error(
      `The Instagram window did not redirect (HTTP ${response.status})`,
    );
  return new URL(location);
}

/**
 * What Facebook Login's connect leaves behind, without the dialog: a Page token from a fresh user
 * token (the control API's `POST /tokens`), and the app subscribed to the Page for `fields`.
 * @returns the Page token.
 */
export async function subscribePage(
  sandboxUrl: string,
  graph: GraphCaller,
  pageId: string,
  fields: string,
): Promise<string> {
  const user = await httpJson(`${sandboxUrl}/_sandbox/tokens`, {
    method: 'POST',
    body: { pageIds: [pageId] },
  });
  const pageToken = (await graph.get('/me/accounts', user.json.access_token))
    .json.data[0].access_token as string;
  await graph.post(`/${pageId}/subscribed_apps`, pageToken, undefined, {
    subscribed_fields: fields,
  });
  return pageToken;
}
