import { randomBytes } from 'node:crypto';
import { OAUTH_STATE_TTL_MS } from './oauth-state.service';

/**
 * The connect flow's `state` names the user who started it, but Meta's callback arrives without a
 * bearer token: anyone holding a consent URL could finish it. Sent to a victim, an attacker's URL
 * would attach the *victim's* Instagram account to the *attacker's* InstantChat account (login
 * CSRF). So the state is also bound to the browser that asked for it, through this cookie: the
 * callback completes only in that browser.
 */
export const OAUTH_BROWSER_COOKIE = 'instantchat_oauth_browser';

/** Covers the start (`…/auth/instagram`) and the callback (`…/auth/instagram/callback`) only. */
const COOKIE_PATH = '/api/instagram/auth';

/** 32 random bytes, base64url. */
const KEY_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export function newBrowserKey(): string {
  return randomBytes(32).toString('base64url');
}

/** The browser key the request's `Cookie` header carries, if it holds a well-formed one. */
export function browserKeyFrom(cookieHeader: unknown): string | undefined {
  if (typeof cookieHeader !== 'string') return undefined;
  for (const pair of cookieHeader.split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0) continue;
    if (pair.slice(0, separator).trim() !== OAUTH_BROWSER_COOKIE) continue;
    const value = pair.slice(separator + 1).trim();
    return KEY_FORMAT.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * The `Set-Cookie` value carrying `browserKey`: HttpOnly (scripts never see it), SameSite=Lax (sent
 * on the top-level redirect back from Meta, not on cross-site sub-requests), Secure whenever the
 * API is served over HTTPS, and gone when the state would have expired anyway.
 */
export function browserKeyCookie(
  browserKey: string,
  publicUrl: string,
): string {
  const maxAgeSeconds = Math.floor(OAUTH_STATE_TTL_MS / 1000);
  return [
    `${OAUTH_BROWSER_COOKIE}=${browserKey}`,
    `Max-Age=${maxAgeSeconds}`,
    `Path=${COOKIE_PATH}`,
    `Expires=${new Date(Date.now() + maxAgeSeconds * 1000).toUTCString()}`,
    'HttpOnly',
    ...(publicUrl.startsWith('https:') ? ['Secure'] : []),
    'SameSite=Lax',
  ].join('; ');
}
