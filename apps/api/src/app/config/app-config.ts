export type NodeEnv = 'development' | 'production' | 'test';

/** LOG_LEVEL's values, quietest first: each level also shows every level before it. */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How a business connects Instagram: Instagram Login (the default) or Facebook Login via a Page. */
export type MetaLoginMethod = 'instagram' | 'facebook';

/** The validated, typed configuration. Built once at boot by `loadConfig`; nothing else reads the environment. */
export interface AppConfig {
  env: NodeEnv;
  /** Absolute path of the directory holding local state (embedded database, generated secrets). */
  dataDir: string;
  logLevel: LogLevel;
  http: {
    host: string;
    port: number;
    /** The API's public origin, e.g. `https://chat.example.com`. */
    publicUrl: string;
    /** The dashboard's origin: the only CORS origin, and where OAuth redirects land. */
    clientUrl: string;
    /** Largest accepted JSON body, in body-parser notation (`100kb`). */
    bodyLimit: string;
    /** The same limit in bytes; also the largest Socket.io message. */
    bodyLimitBytes: number;
    /** Serve the OpenAPI UI and document at /api/docs and /api/docs-json. */
    apiDocs: boolean;
    /**
     * After SIGTERM, how long in-flight requests get to finish before the process exits anyway.
     */
    shutdownTimeoutMs: number;
    /** Absolute path of the built dashboard; served when the directory exists. */
    webDistDir: string;
    /**
     * Express's `trust proxy`: which X-Forwarded-For hops to believe, so rate limits apply to the
     * real client behind a reverse proxy rather than to the proxy. `false` when not behind one.
     */
    trustProxy: boolean | number | string;
  };
  database: {
    /** A real MongoDB; when absent, an embedded server is started in-process. */
    uri?: string;
    /** Where the embedded server keeps its data. */
    embeddedDbPath: string;
  };
  auth: {
    jwtSecret: string;
    jwtExpiresInSeconds: number;
    /** Register and login attempts allowed per client per minute. */
    rateLimitPerMinute: number;
  };
  chat: {
    /** Messages one user may send per minute, over REST and over the socket alike. */
    messageRateLimitPerMinute: number;
  };
  webhooks: {
    /**
     * Days a delivery of the webhook inbox is kept once it ended `processed` or `ignored`
     * (WEBHOOK_RETENTION_DAYS); failed and pending ones are kept until a retry ends them.
     */
    eventRetentionDays: number;
    /** How long one processor holds a stored delivery; a crashed one's hold runs out after it. */
    leaseMs: number;
  };
  encryption: {
    /** 32-byte AES-256-GCM key for third-party tokens stored at rest. */
    tokenEncryptionKey: Buffer;
  };
  redis?: {
    url: string;
    /** Prepended to every key the API writes to Redis (rate limits), so deployments can share one. */
    keyPrefix: string;
  };
  metrics: {
    /** Bearer token a Prometheus scrape of `/metrics` must present; unset: no `/metrics`. */
    token?: string;
  };
  meta: {
    /** The enabled login methods, `instagram` first when enabled (META_LOGIN_METHODS). */
    loginMethods: MetaLoginMethod[];
    /** Facebook Login's Meta app; empty strings in production when that method is disabled. */
    appId: string;
    appSecret: string;
    graphUrl: string;
    oauthDialogUrl: string;
    webhookVerifyToken: string;
    redirectUri: string;
    /**
     * Replies after the 24-hour window, up to 7 days after the contact's last message, go out
     * with Meta's HUMAN_AGENT tag (META_HUMAN_AGENT). Only for apps Meta granted the Human Agent
     * permission, and only for messages a person writes.
     */
    humanAgent: boolean;
    /** How long one Graph call may take before it counts as a timeout (META_REQUEST_TIMEOUT_MS). */
    requestTimeoutMs: number;
    /** Instagram Login's Instagram app and hosts; absent when that method is disabled. */
    instagramLogin?: {
      appId: string;
      appSecret: string;
      oauthUrl: string;
      apiUrl: string;
      graphUrl: string;
    };
  };
}

/** The environment variables the API understands (all optional at the type level; `loadConfig` decides). */
export const ENV_VARIABLES = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'CLIENT_URL',
  'DATA_DIR',
  'MONGO_URI',
  'JWT_SECRET',
  'JWT_EXPIRES_IN',
  'AUTH_RATE_LIMIT',
  'TOKEN_ENCRYPTION_KEY',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'WEB_DIST_DIR',
  'LOG_LEVEL',
  'BODY_LIMIT',
  'TRUST_PROXY',
  'API_DOCS',
  'SHUTDOWN_TIMEOUT_MS',
  'MESSAGE_RATE_LIMIT',
  'WEBHOOK_RETENTION_DAYS',
  'WEBHOOK_LEASE_MS',
  'META_APP_ID',
  'META_APP_SECRET',
  'META_GRAPH_URL',
  'META_OAUTH_DIALOG_URL',
  'META_WEBHOOK_VERIFY_TOKEN',
  'META_REDIRECT_URI',
  'META_LOGIN_METHODS',
  'META_IG_APP_ID',
  'META_IG_APP_SECRET',
  'META_IG_OAUTH_URL',
  'META_IG_API_URL',
  'META_IG_GRAPH_URL',
  'META_HUMAN_AGENT',
  'META_REQUEST_TIMEOUT_MS',
  'METRICS_TOKEN',
] as const;

export type EnvVariable = (typeof ENV_VARIABLES)[number];

export type EnvironmentVariables = Partial<Record<EnvVariable, string>>;
