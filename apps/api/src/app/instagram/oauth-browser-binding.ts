import type { CookieOptions } from 'express';
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
 * HttpOnly (scripts never see it), SameSite=Lax (sent on the top-level redirect back from Meta,
 * not on cross-site sub-requests), Secure whenever the API is served over HTTPS, and gone when
 * the state would have expired anyway.
 */
export function browserKeyCookieOptions(publicUrl: string): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: publicUrl.startsWith('https:'),
    path: COOKIE_PATH,
    maxAge: OAUTH_STATE_TTL_MS,
  };
}
