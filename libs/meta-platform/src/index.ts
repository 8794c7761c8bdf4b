export * from './lib/webhook-payloads';
export * from './lib/graph-api';
export * from './lib/graph-error-codes';
export * from './lib/oauth-callback';
export * from './lib/instagram-login-api';
