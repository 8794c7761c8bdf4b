import { resolve } from 'node:path';
import { OAUTH_CALLBACK_PATH } from '@instantchat/meta-platform';
import {
  DEFAULT_INSTAGRAM_APP,
  startMetaSandbox,
} from '@instantchat/meta-sandbox-server';

/**
 * The Meta sandbox as a process. Its defaults match the API's development defaults
 * (apps/api/src/app/config/load-config.ts) so that `META_*` can stay unset on a newcomer's machine.
 * The sandbox holds no real secret: these values are only ever valid against itself.
 */
const DEV_DEFAULTS = {
  SANDBOX_PORT: '3100',
  META_APP_ID: 'sandbox-app-id',
  META_APP_SECRET: 'sandbox-app-secret',
  META_IG_APP_ID: DEFAULT_INSTAGRAM_APP.id,
  META_IG_APP_SECRET: DEFAULT_INSTAGRAM_APP.secret,
  META_WEBHOOK_VERIFY_TOKEN: 'sandbox-verify-token',
  SANDBOX_REDIRECT_URIS: [
    `http://localhost:3000${OAUTH_CALLBACK_PATH}`,
    `http://127.0.0.1:3000${OAUTH_CALLBACK_PATH}`,
  ].join(','),
  SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:3000/webhook/instagram',
  // Beside the API's embedded database, so a restart keeps connected accounts working.
  SANDBOX_STATE_FILE: '.data/meta-sandbox/state.json',
};

function env(name: keyof typeof DEV_DEFAULTS): string {
  const value = process.env[name];
  return value === undefined || value === '' ? DEV_DEFAULTS[name] : value;
}

async function main(): Promise<void> {
  const port = Number(env('SANDBOX_PORT'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `SANDBOX_PORT must be a port number (got "${process.env['SANDBOX_PORT']}")`,
    );
  }
  const webhookUrl = env('SANDBOX_WEBHOOK_URL');
  const stateFile = env('SANDBOX_STATE_FILE');
  const sandbox = await startMetaSandbox({
    port,
    host: process.env['SANDBOX_HOST'] || '127.0.0.1',
    appId: env('META_APP_ID'),
    appSecret: env('META_APP_SECRET'),
    instagramAppId: env('META_IG_APP_ID'),
    instagramAppSecret: env('META_IG_APP_SECRET'),
    webhookVerifyToken: env('META_WEBHOOK_VERIFY_TOKEN'),
    redirectUris: env('SANDBOX_REDIRECT_URIS')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    webhookUrl: webhookUrl === 'off' ? undefined : webhookUrl,
    stateFile: stateFile === 'off' ? undefined : resolve(stateFile),
    log: (line) => console.log(`[meta-sandbox] ${line}`),
  });
  console.log(
    `[meta-sandbox] Meta sandbox on ${sandbox.url} — Graph API at ${sandbox.graphUrl}`,
  );
  console.log(
    `[meta-sandbox] Instagram Login: ${sandbox.instagramOAuthUrl}, ${sandbox.instagramApiUrl}, ${sandbox.instagramGraphUrl}`,
  );
  console.log(
    `[meta-sandbox] DM the business as an Instagram user: ${sandbox.url}/instagram`,
  );
  const shutdown = () => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(
    `[meta-sandbox] failed to start: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});
