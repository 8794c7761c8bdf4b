import type { AppConfig } from './app-config';

/**
 * The typed configuration as an injectable. Provided by `AppConfigModule.forRoot`, which receives
 * the already validated `AppConfig`, so injecting it can never observe an invalid environment.
 */
export class AppConfigService implements AppConfig {
  readonly env: AppConfig['env'];
  readonly dataDir: AppConfig['dataDir'];
  readonly logLevel: AppConfig['logLevel'];
  readonly http: AppConfig['http'];
  readonly database: AppConfig['database'];
  readonly auth: AppConfig['auth'];
  readonly chat: AppConfig['chat'];
  readonly webhook: AppConfig['webhook'];
  readonly encryption: AppConfig['encryption'];
  readonly redis: AppConfig['redis'];
  readonly meta: AppConfig['meta'];

  constructor(config: AppConfig) {
    this.env = config.env;
    this.dataDir = config.dataDir;
    this.logLevel = config.logLevel;
    this.http = config.http;
    this.database = config.database;
    this.auth = config.auth;
    this.chat = config.chat;
    this.webhook = config.webhook;
    this.encryption = config.encryption;
    this.redis = config.redis;
    this.meta = config.meta;
  }

  get isProduction(): boolean {
    return this.env === 'production';
  }
}
