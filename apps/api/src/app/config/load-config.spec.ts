import { join } from 'node:path';
import { OAUTH_CALLBACK_PATH } from '@instantchat/meta-platform';
import type { EnvironmentVariables } from './app-config';
import type { DevelopmentSecrets } from './development-secrets';
import { ConfigValidationError, loadConfig } from './load-config';

const cwd = '/srv/instantchat';
const generated: DevelopmentSecrets = {
  jwtSecret: 'g'.repeat(40),
  tokenEncryptionKey: Buffer.alloc(32, 7),
};
const load = (env: EnvironmentVariables) =>
  loadConfig(env, { cwd, developmentSecrets: () => generated });

const PRODUCTION: EnvironmentVariables = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://chat.example.com',
  MONGO_URI: 'mongodb://db.internal:27017/instantchat',
  JWT_SECRET: 'q3Zr8LwT1vKp0yNe6HsXb2Jd9UfAm4Gc',
  TOKEN_ENCRYPTION_KEY:
    '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  META_APP_ID: '1234',
  META_APP_SECRET: 'app-secret',
  META_GRAPH_URL: 'https://graph.facebook.com/v26.0',
  META_OAUTH_DIALOG_URL: 'https://www.facebook.com/v26.0/dialog/oauth',
  META_WEBHOOK_VERIFY_TOKEN: 'verify-me',
  META_REDIRECT_URI: `https://chat.example.com${OAUTH_CALLBACK_PATH}`,
  META_IG_APP_ID: '5678',
  META_IG_APP_SECRET: 'ig-app-secret',
  META_IG_OAUTH_URL: 'https://www.instagram.com/oauth/authorize',
  META_IG_API_URL: 'https://api.instagram.com',
  META_IG_GRAPH_URL: 'https://graph.instagram.com/v26.0',
};

function problemsOf(env: EnvironmentVariables): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  describe('with an empty environment (development)', () => {
    const config = load({});

    it('uses the documented defaults', () => {
      expect(config.env).toBe('development');
      expect(config.http).toEqual({
        host: '0.0.0.0',
        port: 3000,
        publicUrl: 'http://localhost:3000',
        clientUrl: 'http://localhost:3000',
        bodyLimit: '100kb',
        bodyLimitBytes: 102_400,
        apiDocs: true,
        shutdownTimeoutMs: 10_000,
        webDistDir: join(cwd, 'dist/apps/web/browser'),
        trustProxy: false,
      });
      expect(config.chat.messageRateLimitPerMinute).toBe(60);
      expect(config.webhooks).toEqual({
        eventRetentionDays: 30,
        leaseMs: 60_000,
      });
      expect(config.dataDir).toBe(join(cwd, '.data'));
      expect(config.logLevel).toBe('log');
      expect(config.auth.jwtExpiresInSeconds).toBe(604800);
      expect(config.auth.rateLimitPerMinute).toBe(10);
      expect(config.redis).toBeUndefined();
    });

    it('leaves MONGO_URI unset so the embedded database is used, under DATA_DIR/db', () => {
      expect(config.database).toEqual({
        uri: undefined,
        embeddedDbPath: join(cwd, '.data', 'db'),
      });
    });

    it('takes the missing secrets from the development secrets store', () => {
      expect(config.auth.jwtSecret).toBe(generated.jwtSecret);
      expect(config.encryption.tokenEncryptionKey).toEqual(
        generated.tokenEncryptionKey,
      );
    });

    it('points Meta at the local sandbox', () => {
      expect(config.meta.graphUrl).toBe('http://127.0.0.1:3100/v26.0');
      expect(config.meta.oauthDialogUrl).toBe(
        'http://127.0.0.1:3100/v26.0/dialog/oauth',
      );
      expect(config.meta.redirectUri).toBe(
        `http://localhost:3000${OAUTH_CALLBACK_PATH}`,
      );
    });
  });

  it('derives PUBLIC_URL from PORT, CLIENT_URL from PUBLIC_URL, and strips trailing slashes', () => {
    expect(load({ PORT: '8080' }).http.publicUrl).toBe('http://localhost:8080');
    const config = load({ PUBLIC_URL: 'https://api.example.com/' });
    expect(config.http.publicUrl).toBe('https://api.example.com');
    expect(config.http.clientUrl).toBe('https://api.example.com');
    expect(config.meta.redirectUri).toBe(
      `https://api.example.com${OAUTH_CALLBACK_PATH}`,
    );
  });

  it('accepts a complete production environment without generating anything', () => {
    const config = loadConfig(PRODUCTION, {
      cwd,
      developmentSecrets: () => {
        throw new Error('must not be called in production');
      },
    });
    expect(config.env).toBe('production');
    expect(config.database.uri).toBe(PRODUCTION.MONGO_URI);
    expect(config.auth.jwtSecret).toBe(PRODUCTION.JWT_SECRET);
    expect(config.encryption.tokenEncryptionKey).toEqual(
      Buffer.from(PRODUCTION.TOKEN_ENCRYPTION_KEY as string, 'hex'),
    );
    expect(config.meta.appId).toBe('1234');
  });

  it('in production, reports every missing required variable on its own line', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'PUBLIC_URL: is required in production (the public origin, e.g. https://chat.example.com)',
      'MONGO_URI: is required in production (a MongoDB connection string; the embedded database is for development and tests)',
      'JWT_SECRET: is required in production (a random string of at least 32 characters)',
      'TOKEN_ENCRYPTION_KEY: is required in production (32 bytes, as 64 hex characters or base64)',
      'META_APP_ID: is required in production',
      'META_APP_SECRET: is required in production',
      'META_WEBHOOK_VERIFY_TOKEN: is required in production',
      'META_GRAPH_URL: is required in production',
      'META_OAUTH_DIALOG_URL: is required in production',
      'META_IG_APP_ID: is required in production',
      'META_IG_APP_SECRET: is required in production',
      'META_IG_OAUTH_URL: is required in production',
      'META_IG_API_URL: is required in production',
      'META_IG_GRAPH_URL: is required in production',
    ]);
  });

  describe('login methods (META_LOGIN_METHODS)', () => {
    const META_IG = [
      'META_IG_APP_ID',
      'META_IG_APP_SECRET',
      'META_IG_OAUTH_URL',
      'META_IG_API_URL',
      'META_IG_GRAPH_URL',
    ] as const;
    const FACEBOOK = [
      'META_APP_ID',
      'META_APP_SECRET',
      'META_GRAPH_URL',
      'META_OAUTH_DIALOG_URL',
    ] as const;
    const without = (names: readonly string[]) =>
      Object.fromEntries(
        Object.entries(PRODUCTION).filter(([name]) => !names.includes(name)),
      );

    it('offers both, Instagram Login first, pointing at the sandbox by default', () => {
      const config = load({});
      expect(config.meta.loginMethods).toEqual(['instagram', 'facebook']);
      expect(config.meta.instagramLogin).toEqual({
        appId: 'sandbox-ig-app-id',
        appSecret: 'sandbox-ig-app-secret',
        oauthUrl: 'http://127.0.0.1:3100/www.instagram.com/oauth/authorize',
        apiUrl: 'http://127.0.0.1:3100/api.instagram.com',
        graphUrl: 'http://127.0.0.1:3100/graph.instagram.com/v26.0',
      });
    });

    it('reads the Instagram app and its hosts as given', () => {
      expect(load(PRODUCTION).meta.instagramLogin).toEqual({
        appId: '5678',
        appSecret: 'ig-app-secret',
        oauthUrl: 'https://www.instagram.com/oauth/authorize',
        apiUrl: 'https://api.instagram.com',
        graphUrl: 'https://graph.instagram.com/v26.0',
      });
    });

    it("in production, requires only the enabled method's variables, and no sandbox secret stands in", () => {
      const instagramOnly = load({
        ...without(FACEBOOK),
        META_LOGIN_METHODS: 'instagram',
      });
      expect(instagramOnly.meta.loginMethods).toEqual(['instagram']);
      expect(instagramOnly.meta.appSecret).toBe('');
      expect(instagramOnly.meta.appId).toBe('');

      const facebookOnly = load({
        ...without(META_IG),
        META_LOGIN_METHODS: 'facebook',
      });
      expect(facebookOnly.meta.loginMethods).toEqual(['facebook']);
      expect(facebookOnly.meta.instagramLogin).toBeUndefined();

      expect(
        problemsOf({ ...without(META_IG), META_LOGIN_METHODS: 'instagram' }),
      ).toEqual(META_IG.map((name) => `${name}: is required in production`));
      expect(
        problemsOf({ ...without(FACEBOOK), META_LOGIN_METHODS: 'facebook' }),
      ).toEqual(FACEBOOK.map((name) => `${name}: is required in production`));
    });

    it('orders the methods Instagram first and drops repeats', () => {
      expect(
        load({ META_LOGIN_METHODS: 'facebook, instagram,facebook' }).meta
          .loginMethods,
      ).toEqual(['instagram', 'facebook']);
    });

    it.each(['twitter', 'instagram,', ',', 'Instagram'])(
      'refuses META_LOGIN_METHODS=%j with one line',
      (value) => {
        expect(problemsOf({ META_LOGIN_METHODS: value })).toEqual([
          `META_LOGIN_METHODS: must list one or both of instagram, facebook, comma-separated (got "${value}")`,
        ]);
      },
    );

    it('refuses a META_IG_* URL that is not http(s)', () => {
      expect(problemsOf({ META_IG_GRAPH_URL: 'graph.instagram.com' })).toEqual([
        'META_IG_GRAPH_URL: must be an http:// or https:// URL (got "graph.instagram.com")',
      ]);
    });
  });

  it('in production, derives META_REDIRECT_URI from PUBLIC_URL when unset', () => {
    const env = { ...PRODUCTION, META_REDIRECT_URI: undefined };
    expect(load(env).meta.redirectUri).toBe(
      `https://chat.example.com${OAUTH_CALLBACK_PATH}`,
    );
  });

  it('reports each malformed variable once, naming it', () => {
    const problems = problemsOf({
      ...PRODUCTION,
      PORT: 'eighty',
      JWT_SECRET: 'short',
      TOKEN_ENCRYPTION_KEY: 'not-a-key',
      MONGO_URI: 'postgres://db',
      LOG_LEVEL: 'loud',
      BODY_LIMIT: 'huge',
      CLIENT_URL: 'ftp://files.example.com',
      JWT_EXPIRES_IN: '-5',
      REDIS_URL: 'localhost:6379',
    });
    expect(problems).toHaveLength(9);
    for (const name of [
      'PORT',
      'JWT_SECRET',
      'TOKEN_ENCRYPTION_KEY',
      'MONGO_URI',
      'LOG_LEVEL',
      'BODY_LIMIT',
      'CLIENT_URL',
      'JWT_EXPIRES_IN',
      'REDIS_URL',
    ]) {
      expect(
        problems.filter((problem) => problem.startsWith(`${name}: `)),
      ).toHaveLength(1);
    }
  });

  it('never repeats a secret value in its messages', () => {
    const problems = problemsOf({
      ...PRODUCTION,
      JWT_SECRET: 'hunter2-too-short',
      TOKEN_ENCRYPTION_KEY: 'hunter3-bad-key',
    });
    expect(problems.join('\n')).not.toMatch(/hunter/);
  });

  it('refuses a CLIENT_URL with a path, which CORS could never match', () => {
    expect(problemsOf({ CLIENT_URL: 'https://chat.example.com/app' })).toEqual([
      'CLIENT_URL: must be an origin such as https://chat.example.com, without a path (got "https://chat.example.com/app")',
    ]);
    expect(
      load({ CLIENT_URL: 'https://chat.example.com/' }).http.clientUrl,
    ).toBe('https://chat.example.com');
  });

  it('takes only the origin of a PUBLIC_URL with a path as the default CLIENT_URL', () => {
    expect(
      load({ PUBLIC_URL: 'https://example.com/chat' }).http.clientUrl,
    ).toBe('https://example.com');
  });

  it('replies as a human agent only when META_HUMAN_AGENT is true, and times Graph calls out after 10 s by default', () => {
    expect(load({}).meta).toMatchObject({
      humanAgent: false,
      requestTimeoutMs: 10_000,
    });
    expect(
      load({ META_HUMAN_AGENT: 'true', META_REQUEST_TIMEOUT_MS: '2500' }).meta,
    ).toMatchObject({ humanAgent: true, requestTimeoutMs: 2_500 });
  });

  it('refuses a META_HUMAN_AGENT that is not true or false, and a timeout out of range', () => {
    expect(
      problemsOf({ META_HUMAN_AGENT: 'yes', META_REQUEST_TIMEOUT_MS: '5' }),
    ).toEqual([
      'META_HUMAN_AGENT: must be true or false (got "yes")',
      'META_REQUEST_TIMEOUT_MS: must be a whole number between 100 and 120000 (got "5")',
    ]);
  });

  it('refuses a zero BODY_LIMIT', () => {
    expect(problemsOf({ BODY_LIMIT: '0kb' })).toEqual([
      'BODY_LIMIT: must be a size above zero such as "100kb" or "1mb" (got "0kb")',
    ]);
  });

  it('rejects malformed values in development too', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual([
      'PORT: must be a whole number between 0 and 65535 (got "70000")',
    ]);
    expect(problemsOf({ NODE_ENV: 'staging' })).toEqual([
      'NODE_ENV: must be one of development, production, test (got "staging")',
    ]);
  });

  it('reads TRUST_PROXY as a flag, a hop count or a list of subnets', () => {
    expect(load({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(load({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(load({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).http.trustProxy).toBe(
      'loopback, 10.0.0.0/8',
    );
    expect(problemsOf({ TRUST_PROXY: 'yes please!' })).toEqual([
      'TRUST_PROXY: must be true, false, a number of proxy hops, or a comma-separated list of addresses/subnets',
    ]);
  });

  it('refuses TRUST_PROXY values Express would throw on at boot, as one configuration line', () => {
    for (const value of [
      'yes',
      'TRUE',
      '10.0.0.1/33',
      '10.0.0.0/0',
      '10.0.0.0/255.0.255.0',
      'loopback, proxy.internal',
    ]) {
      expect(problemsOf({ TRUST_PROXY: value })).toEqual([
        'TRUST_PROXY: must be true, false, a number of proxy hops, or a comma-separated list of addresses/subnets',
      ]);
    }
    expect(
      load({ TRUST_PROXY: 'uniquelocal,::1, 192.168.0.0/255.255.0.0' }).http
        .trustProxy,
    ).toBe('uniquelocal,::1, 192.168.0.0/255.255.0.0');
  });

  it('reports a malformed PUBLIC_URL once, not again through the META_REDIRECT_URI derived from it', () => {
    expect(problemsOf({ PUBLIC_URL: 'chat.example.com' })).toEqual([
      'PUBLIC_URL: must be an http:// or https:// URL (got "chat.example.com")',
    ]);
  });

  it('treats empty values as unset', () => {
    expect(load({ PORT: '', MONGO_URI: '  ' }).http.port).toBe(3000);
    expect(load({ MONGO_URI: '' }).database.uri).toBeUndefined();
  });

  it('reads optional REDIS_URL and absolute paths as given', () => {
    const config = load({
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATA_DIR: '/var/lib/instantchat',
    });
    expect(config.redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      keyPrefix: 'instantchat:',
    });
    expect(config.database.embeddedDbPath).toBe('/var/lib/instantchat/db');
  });

  it('takes REDIS_KEY_PREFIX for the keys written to Redis, and refuses one with other characters', () => {
    expect(
      load({ REDIS_URL: 'redis://r:6379', REDIS_KEY_PREFIX: 'team-a:' }).redis,
    ).toEqual({ url: 'redis://r:6379', keyPrefix: 'team-a:' });
    expect(problemsOf({ REDIS_KEY_PREFIX: 'has space' })).toEqual([
      'REDIS_KEY_PREFIX: must be 1 to 64 letters, digits or the characters _ : . -',
    ]);
  });
});

describe('loadConfig: hardening', () => {
  it('in production, refuses a JWT_SECRET of repeated characters or a short pattern', () => {
    for (const secret of ['s'.repeat(32), 'abcd'.repeat(10)]) {
      expect(problemsOf({ ...PRODUCTION, JWT_SECRET: secret })).toEqual([
        'JWT_SECRET: is not random enough (fewer than 10 different characters); generate one, e.g. with `openssl rand -base64 48`',
      ]);
    }
  });

  it('in production, refuses an all-zero or repeated-byte TOKEN_ENCRYPTION_KEY', () => {
    for (const key of [
      '0'.repeat(64),
      'ab'.repeat(32),
      Buffer.alloc(32).toString('base64'),
    ]) {
      expect(problemsOf({ ...PRODUCTION, TOKEN_ENCRYPTION_KEY: key })).toEqual([
        'TOKEN_ENCRYPTION_KEY: is not random (fewer than 16 different byte values, e.g. all zeros); generate one, e.g. with `openssl rand -base64 32`',
      ]);
    }
  });

  it('reports both weak secrets, one line each, without their values', () => {
    const problems = problemsOf({
      ...PRODUCTION,
      JWT_SECRET: 'x'.repeat(40),
      TOKEN_ENCRYPTION_KEY: '0'.repeat(64),
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'JWT_SECRET',
      'TOKEN_ENCRYPTION_KEY',
    ]);
    expect(problems.join('\n')).not.toContain('x'.repeat(40));
  });

  it('serves the API docs by default in development, not in production, and as API_DOCS says', () => {
    expect(load({}).http.apiDocs).toBe(true);
    expect(load(PRODUCTION).http.apiDocs).toBe(false);
    expect(load({ ...PRODUCTION, API_DOCS: 'true' }).http.apiDocs).toBe(true);
    expect(load({ API_DOCS: 'false' }).http.apiDocs).toBe(false);
    expect(problemsOf({ API_DOCS: 'yes' })).toEqual([
      'API_DOCS: must be true or false (got "yes")',
    ]);
  });

  it('reads SHUTDOWN_TIMEOUT_MS and MESSAGE_RATE_LIMIT, refusing zero', () => {
    const config = load({
      SHUTDOWN_TIMEOUT_MS: '2500',
      MESSAGE_RATE_LIMIT: '30',
    });
    expect(config.http.shutdownTimeoutMs).toBe(2_500);
    expect(config.chat.messageRateLimitPerMinute).toBe(30);
    expect(
      problemsOf({ SHUTDOWN_TIMEOUT_MS: '0', MESSAGE_RATE_LIMIT: '0' }),
    ).toEqual([
      'SHUTDOWN_TIMEOUT_MS: must be a whole number between 1 and 600000 (got "0")',
      'MESSAGE_RATE_LIMIT: must be a whole number between 1 and 1000000 (got "0")',
    ]);
  });

  it('reads WEBHOOK_RETENTION_DAYS, refusing zero, fractions and more than ten years', () => {
    expect(
      load({ WEBHOOK_RETENTION_DAYS: '7' }).webhooks.eventRetentionDays,
    ).toBe(7);
    for (const value of ['0', '1.5', '3651', 'a month']) {
      expect(problemsOf({ WEBHOOK_RETENTION_DAYS: value })).toEqual([
        `WEBHOOK_RETENTION_DAYS: must be a whole number between 1 and 3650 (got "${value}")`,
      ]);
    }
  });

  it('reads BODY_LIMIT in bytes too', () => {
    expect(load({ BODY_LIMIT: '2mb' }).http.bodyLimitBytes).toBe(
      2 * 1024 * 1024,
    );
    expect(load({ BODY_LIMIT: '512b' }).http.bodyLimitBytes).toBe(512);
  });
});
