import { isAbsolute, resolve } from 'node:path';
import type { EnvVariable } from './app-config';

/** One variable's trimmed value; blank counts as unset. */
export type Read = (name: EnvVariable) => string | undefined;

/**
 * Records a problem with one variable and returns undefined, so a parser can answer
 * `return fail(...)` and `loadConfig` can report every problem at once instead of the first.
 */
export type Fail = (name: EnvVariable, problem: string) => undefined;

export function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  name: EnvVariable,
  fail: Fail,
): T | undefined {
  return (allowed as readonly string[]).includes(value)
    ? (value as T)
    : fail(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
}

export function integer(
  value: string,
  name: EnvVariable,
  min: number,
  max: number,
  fail: Fail,
): number | undefined {
  const parsed = Number(value);
  return /^\d+$/.test(value) && parsed >= min && parsed <= max
    ? parsed
    : fail(
        name,
        `must be a whole number between ${min} and ${max} (got "${value}")`,
      );
}

export function boolean(
  value: string,
  name: EnvVariable,
  fail: Fail,
): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fail(name, `must be true or false (got "${value}")`);
}

/** A BODY_LIMIT already checked against /^[1-9]\d*(b|kb|mb)$/i, in bytes (as body-parser reads it). */
export function byteSize(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match) return 0;
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[
    match[2].toLowerCase() as 'b' | 'kb' | 'mb'
  ];
  return Number(match[1]) * unit;
}

/** Returns the URL without a trailing slash, so callers can append paths. */
export function httpUrl(
  value: string,
  name: EnvVariable,
  fail: Fail,
): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      return value.replace(/\/+$/, '');
    }
  } catch {
    // reported below
  }
  return fail(name, `must be an http:// or https:// URL (got "${value}")`);
}

/**
 * The dashboard's origin, compared byte for byte with the browser's `Origin` header by CORS: a
 * path, query or fragment would never match, so it is refused rather than silently blocking
 * every request from the dashboard.
 */
export function httpOrigin(
  value: string,
  name: EnvVariable,
  fail: Fail,
): string | undefined {
  const url = httpUrl(value, name, fail);
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') {
    return fail(
      name,
      `must be an origin such as https://chat.example.com, without a path (got "${value}")`,
    );
  }
  return parsed.origin;
}

export function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}
