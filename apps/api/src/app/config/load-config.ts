import { isIP } from 'node:net';
import {
  DEFAULT_GRAPH_API_VERSION,
  OAUTH_CALLBACK_PATH,
} from '@instantchat/meta-platform';
import { isAbsolute, join, resolve } from 'node:path';
import {
  type AppConfig,
  type EnvironmentVariables,
  type EnvVariable,
  LOG_LEVELS,
  type MetaLoginMethod,
  type NodeEnv,
} from './app-config';
import {
  type DevelopmentSecrets,
  generateSecrets,
  loadOrCreateDevelopmentSecrets,
} from './development-secrets';

/** Every problem found in the environment, one human-readable line each. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'ConfigValidationError';
  }
}

export interface LoadConfigOptions {
  /** Relative paths (DATA_DIR, WEB_DIST_DIR) resolve against this directory. */
  cwd: string;
  /**
   * Supplies JWT_SECRET / TOKEN_ENCRYPTION_KEY when they are unset outside production.
   * Development persists them under DATA_DIR so sessions survive restarts; tests get throwaway ones.
   */
  developmentSecrets?: (dataDir: string) => DevelopmentSecrets;
}

const NODE_ENVS: readonly NodeEnv[] = ['development', 'production', 'test'];
const JWT_SECRET_MIN_LENGTH = 32;
/**
 * A low bar that no generated secret fails (32 random base64 characters have about 25 different
 * ones; 32 random bytes about 30), but that catches the hand-made ones: repeated characters, a
 * short pattern, an all-zero or single-byte key.
 */
const JWT_SECRET_MIN_DISTINCT_CHARACTERS = 10;
const ENCRYPTION_KEY_MIN_DISTINCT_BYTES = 16;
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
 * Validates the environment and builds the typed configuration. Collects every problem before
 * failing so an operator fixes them all in one go; values of secret variables never appear in
 * a message.
 */
export function loadConfig(
  env: EnvironmentVariables,
  options: LoadConfigOptions,
): AppConfig {
  const problems: string[] = [];
  const read = (name: EnvVariable): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const fail = (name: EnvVariable, problem: string): undefined => {
    problems.push(`${name}: ${problem}`);
    return undefined;
  };

  const envName =
    oneOf(read('NODE_ENV') ?? 'development', NODE_ENVS, 'NODE_ENV', fail) ??
    'development';
  const production = envName === 'production';

  const port = integer(read('PORT') ?? '3000', 'PORT', 0, 65535, fail) ?? 3000;
  const host = read('HOST') ?? '0.0.0.0';
  // In production the public origin cannot be guessed: OAuth redirects and CORS depend on it.
  const configuredPublicUrl = read('PUBLIC_URL');
  if (configuredPublicUrl === undefined && production) {
    fail(
      'PUBLIC_URL',
      'is required in production (the public origin, e.g. https://chat.example.com)',
    );
  }
  const publicUrl = httpUrl(
    configuredPublicUrl ?? `http://localhost:${port}`,
    'PUBLIC_URL',
    fail,
  );
  const clientUrl = httpOrigin(
    read('CLIENT_URL') ??
      (publicUrl ? new URL(publicUrl).origin : `http://localhost:${port}`),
    'CLIENT_URL',
    fail,
  );
  const dataDir = absolute(read('DATA_DIR') ?? '.data', options.cwd);
  const webDistDir = absolute(
    read('WEB_DIST_DIR') ?? 'dist/apps/web/browser',
    options.cwd,
  );
  const logLevel =
    oneOf(read('LOG_LEVEL') ?? 'log', LOG_LEVELS, 'LOG_LEVEL', fail) ?? 'log';
  const bodyLimit = read('BODY_LIMIT') ?? '100kb';
  if (!/^[1-9]\d*(b|kb|mb)$/i.test(bodyLimit)) {
    fail(
      'BODY_LIMIT',
      `must be a size above zero such as "100kb" or "1mb" (got "${bodyLimit}")`,
    );
  }

  const apiDocs = boolean(
    read('API_DOCS') ?? (production ? 'false' : 'true'),
    'API_DOCS',
    fail,
  );
  const shutdownTimeoutMs = integer(
    read('SHUTDOWN_TIMEOUT_MS') ?? '10000',
    'SHUTDOWN_TIMEOUT_MS',
    1,
    600_000,
    fail,
  );

  const trustProxy = parseTrustProxy(read('TRUST_PROXY') ?? 'false');
  if (trustProxy === undefined) {
    fail(
      'TRUST_PROXY',
      'must be true, false, a number of proxy hops, or a comma-separated list of addresses/subnets',
    );
  }

  const mongoUri = read('MONGO_URI');
  if (mongoUri !== undefined && !/^mongodb(\+srv)?:\/\/\S+$/.test(mongoUri)) {
    fail(
      'MONGO_URI',
      'must be a MongoDB connection string starting with mongodb:// or mongodb+srv://',
    );
  } else if (mongoUri === undefined && production) {
    // The embedded server is a single process with no replication or backups: fine for trying
    // InstantChat and for tests, never for people's real conversations.
    fail(
      'MONGO_URI',
      'is required in production (a MongoDB connection string; the embedded database is for development and tests)',
    );
  }

  const jwtExpiresInSeconds = integer(
    read('JWT_EXPIRES_IN') ?? '604800',
    'JWT_EXPIRES_IN',
    1,
    31_536_000,
    fail,
  );
  const rateLimitPerMinute = integer(
    read('AUTH_RATE_LIMIT') ?? '10',
    'AUTH_RATE_LIMIT',
    1,
    1_000_000,
    fail,
  );

  const messageRateLimitPerMinute = integer(
    read('MESSAGE_RATE_LIMIT') ?? '60',
    'MESSAGE_RATE_LIMIT',
    1,
    1_000_000,
    fail,
  );

  let jwtSecret = read('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < JWT_SECRET_MIN_LENGTH) {
    jwtSecret = fail(
      'JWT_SECRET',
      `must be at least ${JWT_SECRET_MIN_LENGTH} characters long`,
    );
  } else if (jwtSecret === undefined && production) {
    fail(
      'JWT_SECRET',
      `is required in production (a random string of at least ${JWT_SECRET_MIN_LENGTH} characters)`,
    );
  } else if (
    jwtSecret !== undefined &&
    production &&
    new Set(jwtSecret).size < JWT_SECRET_MIN_DISTINCT_CHARACTERS
  ) {
    jwtSecret = fail(
      'JWT_SECRET',
      `is not random enough (fewer than ${JWT_SECRET_MIN_DISTINCT_CHARACTERS} different characters); generate one, e.g. with \`openssl rand -base64 48\``,
    );
  }

  const rawEncryptionKey = read('TOKEN_ENCRYPTION_KEY');
  let tokenEncryptionKey =
    rawEncryptionKey === undefined
      ? undefined
      : parseEncryptionKey(rawEncryptionKey);
  if (rawEncryptionKey !== undefined && tokenEncryptionKey === undefined) {
    fail(
      'TOKEN_ENCRYPTION_KEY',
      'must be 32 bytes, as 64 hex characters or base64',
    );
  } else if (rawEncryptionKey === undefined && production) {
    fail(
      'TOKEN_ENCRYPTION_KEY',
      'is required in production (32 bytes, as 64 hex characters or base64)',
    );
  } else if (
    tokenEncryptionKey !== undefined &&
    production &&
    new Set(tokenEncryptionKey).size < ENCRYPTION_KEY_MIN_DISTINCT_BYTES
  ) {
    tokenEncryptionKey = fail(
      'TOKEN_ENCRYPTION_KEY',
      `is not random (fewer than ${ENCRYPTION_KEY_MIN_DISTINCT_BYTES} different byte values, e.g. all zeros); generate one, e.g. with \`openssl rand -base64 32\``,
    );
  }

  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(redisUrl)) {
    fail('REDIS_URL', 'must start with redis:// or rediss://');
  }

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
  const humanAgentValue = read('META_HUMAN_AGENT') ?? 'false';
  const humanAgent =
    humanAgentValue === 'true'
      ? true
      : humanAgentValue === 'false'
        ? false
        : fail(
            'META_HUMAN_AGENT',
            `must be true or false (got "${humanAgentValue}")`,
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
  const meta = {
    appId: metaValue('META_APP_ID', facebook),
    appSecret: metaValue('META_APP_SECRET', facebook),
    webhookVerifyToken: metaValue('META_WEBHOOK_VERIFY_TOKEN'),
    graphUrl: metaUrl('META_GRAPH_URL', DEFAULT_META_GRAPH_URL, facebook),
    oauthDialogUrl: metaUrl(
      'META_OAUTH_DIALOG_URL',
      DEFAULT_META_OAUTH_DIALOG_URL,
      facebook,
    ),
    instagramLogin: instagram
      ? {
          appId: metaValue('META_IG_APP_ID'),
          appSecret: metaValue('META_IG_APP_SECRET'),
          oauthUrl: metaUrl('META_IG_OAUTH_URL', DEFAULT_META_IG_OAUTH_URL),
          apiUrl: metaUrl('META_IG_API_URL', DEFAULT_META_IG_API_URL),
          graphUrl: metaUrl('META_IG_GRAPH_URL', DEFAULT_META_IG_GRAPH_URL),
        }
      : undefined,
    // Derived from PUBLIC_URL (required in production), so it need not be repeated. A bad
    // PUBLIC_URL is reported once, under its own name, not again as a bad META_REDIRECT_URI.
    redirectUri:
      configuredRedirectUri === undefined
        ? publicUrl && `${publicUrl}${OAUTH_CALLBACK_PATH}`
        : httpUrl(configuredRedirectUri, 'META_REDIRECT_URI', fail),
  };

  if (problems.length > 0) {
    throw new ConfigValidationError(problems);
  }

  if (jwtSecret === undefined || tokenEncryptionKey === undefined) {
    const supply =
      options.developmentSecrets ??
      (envName === 'test'
        ? () => generateSecrets()
        : loadOrCreateDevelopmentSecrets);
    const generated = supply(dataDir);
    jwtSecret ??= generated.jwtSecret;
    tokenEncryptionKey ??= generated.tokenEncryptionKey;
  }

  return {
    env: envName,
    dataDir,
    logLevel,
    http: {
      host,
      port,
      publicUrl: publicUrl as string,
      clientUrl: clientUrl as string,
      bodyLimit: bodyLimit.toLowerCase(),
      bodyLimitBytes: byteSize(bodyLimit),
      apiDocs: apiDocs ?? false,
      shutdownTimeoutMs: shutdownTimeoutMs as number,
      webDistDir,
      trustProxy: trustProxy ?? false,
    },
    database: { uri: mongoUri, embeddedDbPath: join(dataDir, 'db') },
    auth: {
      jwtSecret,
      jwtExpiresInSeconds: jwtExpiresInSeconds as number,
      rateLimitPerMinute: rateLimitPerMinute as number,
    },
    chat: {
      messageRateLimitPerMinute: messageRateLimitPerMinute as number,
    },
    encryption: { tokenEncryptionKey },
    ...(redisUrl ? { redis: { url: redisUrl } } : {}),
    meta: {
      loginMethods,
      appId: meta.appId,
      appSecret: meta.appSecret,
      webhookVerifyToken: meta.webhookVerifyToken,
      graphUrl: meta.graphUrl as string,
      oauthDialogUrl: meta.oauthDialogUrl as string,
      redirectUri: meta.redirectUri as string,
      humanAgent: humanAgent as boolean,
      requestTimeoutMs: requestTimeoutMs as number,
      ...(meta.instagramLogin
        ? {
            instagramLogin: {
              appId: meta.instagramLogin.appId,
              appSecret: meta.instagramLogin.appSecret,
              oauthUrl: meta.instagramLogin.oauthUrl as string,
              apiUrl: meta.instagramLogin.apiUrl as string,
              graphUrl: meta.instagramLogin.graphUrl as string,
            },
          }
        : {}),
    },
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

/** Accepts 64 hex characters or base64 (standard or url-safe) that decodes to exactly 32 bytes. */
export function parseEncryptionKey(value: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

/** `true`, `false`, a hop count, or Express's list form (`loopback`, `10.0.0.0/8, 127.0.0.1`). */
function parseTrustProxy(value: string): boolean | number | string | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  // Checked the way Express (proxy-addr) reads the list, which would otherwise throw at boot.
  return value.split(',').every((item) => isTrustedProxyEntry(item.trim()))
    ? value
    : undefined;
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** A proxy-addr name, an address, or a subnet as address/prefix-length or address/netmask. */
function isTrustedProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.includes(entry)) return true;
  const [address, range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) {
    const prefixLength = Number(range);
    return prefixLength >= 1 && prefixLength <= (family === 4 ? 32 : 128);
  }
  return family === 4 && isContiguousNetmask(range);
}

/** `255.255.240.0` yes; `255.0.255.0` and `0.0.0.0` no (proxy-addr throws on them). */
function isContiguousNetmask(mask: string): boolean {
  if (isIP(mask) !== 4) return false;
  const bits = mask
    .split('.')
    .reduce((value, octet) => value * 256 + Number(octet), 0);
  const hostBits = 2 ** 32 - 1 - bits;
  // hostBits must be 2^k - 1 (ones below, zeros above), and the mask not empty (a /0).
  return hostBits < 2 ** 32 - 1 && Number.isInteger(Math.log2(hostBits + 1));
}

type Fail = (name: EnvVariable, problem: string) => undefined;

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  name: EnvVariable,
  fail: Fail,
): T | undefined {
  return (allowed as readonly string[]).includes(value)
    ? (value as T)
    : fail(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
}

function integer(
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

function boolean(
  value: string,
  name: EnvVariable,
  fail: Fail,
): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fail(name, `must be true or false (got "${value}")`);
}

/** A BODY_LIMIT already checked against /^[1-9]\d*(b|kb|mb)$/i, in bytes (as body-parser reads it). */
function byteSize(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match) return 0;
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[
    match[2].toLowerCase() as 'b' | 'kb' | 'mb'
  ];
  return Number(match[1]) * unit;
}

/** Returns the URL without a trailing slash, so callers can append paths. */
function httpUrl(
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
function httpOrigin(
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

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}
