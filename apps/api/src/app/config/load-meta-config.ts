import {
  DEFAULT_GRAPH_API_VERSION,
  OAUTH_CALLBACK_PATH,
} from '@instantchat/meta-platform';
import type { AppConfig, EnvVariable, MetaLoginMethod } from './app-config';
import {
  boolean,
  type Fail,
  httpUrl,
  integer,
  type Read,
} from './env-value-parsers';

const DEFAULT_META_GRAPH_URL = `http://127.0.0.1:3100/${DEFAULT_GRAPH_API_VERSION}`;
const DEFAULT_META_OAUTH_DIALOG_URL = `${DEFAULT_META_GRAPH_URL}/dialog/oauth`;
/** Sandbox credentials, matched by apps/meta-sandbox; never valid against the real Meta. */
const SANDBOX_META = {
  META_APP_ID: 'sandbox-app-id',
  META_APP_SECRET: 'sandbox-app-secret',
  META_WEBHOOK_VERIFY_TOKEN: 'sandbox-verify-token',
  META_IG_APP_ID: 'sandbox-ig-app-id',
  META_IG_APP_SECRET: 'sandbox-ig-app-secret',
} as const;
/** Instagram Login's three hosts, as the sandbox plays them under path prefixes. */
const DEFAULT_META_IG_OAUTH_URL =
  'http://127.0.0.1:3100/www.instagram.com/oauth/authorize';
const DEFAULT_META_IG_API_URL = 'http://127.0.0.1:3100/api.instagram.com';
const DEFAULT_META_IG_GRAPH_URL = `http://127.0.0.1:3100/graph.instagram.com/${DEFAULT_GRAPH_API_VERSION}`;
/** Instagram Login first: it is the default method and needs no Facebook Page. */
const META_LOGIN_METHODS: readonly MetaLoginMethod[] = [
  'instagram',
  'facebook',
];

/**
 * The META_* and META_IG_* variables: which login methods are enabled, each method's Meta app
 * and hosts (the sandbox's outside production), and how Graph calls behave. Problems go to
 * `fail` like every other variable's, so the result is only complete when `fail` was never
 * called; `loadConfig` throws before handing out an incomplete one.
 */
export function loadMetaConfig(
  read: Read,
  fail: Fail,
  {
    production,
    publicUrl,
  }: { production: boolean; publicUrl: string | undefined },
): AppConfig['meta'] {
  const loginMethods = parseLoginMethods(
    read('META_LOGIN_METHODS') ?? META_LOGIN_METHODS.join(','),
    fail,
  );
  // A disabled method's variables are neither required nor defaulted in production: no sandbox
  // secret may stand in for a real one there.
  const metaValue = (
    name: keyof typeof SANDBOX_META,
    needed = true,
  ): string => {
    const value = read(name);
    if (value !== undefined) return value;
    if (production) {
      if (needed) fail(name, 'is required in production');
      return '';
    }
    return SANDBOX_META[name];
  };
  const metaUrl = (
    name: EnvVariable,
    sandboxDefault: string,
    needed = true,
  ): string | undefined => {
    const value = read(name);
    if (value === undefined && production)
      return needed ? fail(name, 'is required in production') : '';
    return httpUrl(value ?? sandboxDefault, name, fail);
  };
  const humanAgent = boolean(
    read('META_HUMAN_AGENT') ?? 'false',
    'META_HUMAN_AGENT',
    fail,
  );
  const requestTimeoutMs = integer(
    read('META_REQUEST_TIMEOUT_MS') ?? '10000',
    'META_REQUEST_TIMEOUT_MS',
    100,
    120_000,
    fail,
  );
  const facebook = loginMethods.includes('facebook');
  const instagram = loginMethods.includes('instagram');
  const configuredRedirectUri = read('META_REDIRECT_URI');
  // Fields are read in this order so problems are listed in it; an `as` marks a value that is
  // undefined only when a problem was reported, and then `loadConfig` throws before using it.
  return {
    loginMethods,
    appId: metaValue('META_APP_ID', facebook),
    appSecret: metaValue('META_APP_SECRET', facebook),
    webhookVerifyToken: metaValue('META_WEBHOOK_VERIFY_TOKEN'),
    graphUrl: metaUrl(
      'META_GRAPH_URL',
      DEFAULT_META_GRAPH_URL,
      facebook,
    ) as string,
    oauthDialogUrl: metaUrl(
      'META_OAUTH_DIALOG_URL',
      DEFAULT_META_OAUTH_DIALOG_URL,
      facebook,
    ) as string,
    ...(instagram
      ? {
          instagramLogin: {
            appId: metaValue('META_IG_APP_ID'),
            appSecret: metaValue('META_IG_APP_SECRET'),
            oauthUrl: metaUrl(
              'META_IG_OAUTH_URL',
              DEFAULT_META_IG_OAUTH_URL,
            ) as string,
            apiUrl: metaUrl(
              'META_IG_API_URL',
              DEFAULT_META_IG_API_URL,
            ) as string,
            graphUrl: metaUrl(
              'META_IG_GRAPH_URL',
              DEFAULT_META_IG_GRAPH_URL,
            ) as string,
          },
        }
      : {}),
    // Derived from PUBLIC_URL (required in production), so it need not be repeated. A bad
    // PUBLIC_URL is reported once, under its own name, not again as a bad META_REDIRECT_URI.
    redirectUri: (configuredRedirectUri === undefined
      ? publicUrl && `${publicUrl}${OAUTH_CALLBACK_PATH}`
      : httpUrl(configuredRedirectUri, 'META_REDIRECT_URI', fail)) as string,
    humanAgent: humanAgent as boolean,
    requestTimeoutMs: requestTimeoutMs as number,
  };
}

/** `instagram,facebook` (any order, at least one); Instagram Login first when enabled. */
function parseLoginMethods(value: string, fail: Fail): MetaLoginMethod[] {
  const listed = value.split(',').map((method) => method.trim());
  const unknown = listed.filter(
    (method) => !(META_LOGIN_METHODS as readonly string[]).includes(method),
  );
  // An empty entry ("instagram,") is unknown too: better a clear line than a silent default.
  if (unknown.length > 0) {
    fail(
      'META_LOGIN_METHODS',
      `must list one or both of ${META_LOGIN_METHODS.join(', ')}, comma-separated (got "${value}")`,
    );
    return [...META_LOGIN_METHODS];
  }
  return META_LOGIN_METHODS.filter((method) => listed.includes(method));
}
