import { join } from 'node:path';
import {
  type AppConfig,
  type EnvironmentVariables,
  type EnvVariable,
  LOG_LEVELS,
  type NodeEnv,
} from './app-config';
import {
  type DevelopmentSecrets,
  generateSecrets,
  loadOrCreateDevelopmentSecrets,
} from './development-secrets';
import {
  absolute,
  boolean,
  byteSize,
  type Fail,
  httpOrigin,
  httpUrl,
  integer,
  oneOf,
  type Read,
} from './env-value-parsers';
import { loadMetaConfig } from './load-meta-config';
import {
  readJwtSecret,
  readMetricsToken,
  readTokenEncryptionKey,
} from './secret-strength';
import { parseTrustProxy } from './trust-proxy';

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
  const read: Read = (name: EnvVariable) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const fail: Fail = (name, problem) => {
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

  const webhookEventRetentionDays = integer(
    read('WEBHOOK_RETENTION_DAYS') ?? '30',
    'WEBHOOK_RETENTION_DAYS',
    1,
    3650,
    fail,
  );
  const webhookLeaseMs = integer(
    read('WEBHOOK_LEASE_MS') ?? '60000',
    'WEBHOOK_LEASE_MS',
    1_000,
    3_600_000,
    fail,
  );

  let jwtSecret = readJwtSecret(read, fail, production);
  let tokenEncryptionKey = readTokenEncryptionKey(read, fail, production);

  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(redisUrl)) {
    fail('REDIS_URL', 'must start with redis:// or rediss://');
  }
  const redisKeyPrefix = read('REDIS_KEY_PREFIX') ?? 'instantchat:';
  if (!/^[\w:.-]{1,64}$/.test(redisKeyPrefix)) {
    fail(
      'REDIS_KEY_PREFIX',
      'must be 1 to 64 letters, digits or the characters _ : . -',
    );
  }

  const meta = loadMetaConfig(read, fail, { production, publicUrl });
  const metricsToken = readMetricsToken(read, fail);

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
    webhooks: {
      eventRetentionDays: webhookEventRetentionDays as number,
      leaseMs: webhookLeaseMs as number,
    },
    encryption: { tokenEncryptionKey },
    ...(redisUrl
      ? { redis: { url: redisUrl, keyPrefix: redisKeyPrefix } }
      : {}),
    metrics: { ...(metricsToken && { token: metricsToken }) },
    meta,
  };
}
