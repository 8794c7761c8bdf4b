import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApi, freePort, startApi } from './api-server';
import {
  type RunningSandbox,
  metaEnvironmentFor,
  startMetaSandbox,
  stopMetaSandbox,
} from './meta-sandbox';

declare global {
  // Shared with global-teardown, which Jest runs in this same process.
  var __INSTANTCHAT_API__: RunningApi | undefined;
  var __INSTANTCHAT_SANDBOX__: RunningSandbox | undefined;
}

/** The Meta sandbox first (the API is told its address), then the API beside it. */
export default async function globalSetup(): Promise<void> {
  const apiPort = await freePort();
  const sandbox = await startMetaSandbox(
    apiPort,
    mkdtempSync(join(tmpdir(), 'instantchat-e2e-sandbox-')),
  );
  globalThis.__INSTANTCHAT_SANDBOX__ = sandbox;
  let api: RunningApi;
  try {
    api = await startApi({
      port: apiPort,
      extraEnv: metaEnvironmentFor(sandbox.url),
    });
  } catch (error) {
    // Jest skips the global teardown when the setup fails: stop the sandbox here.
    globalThis.__INSTANTCHAT_SANDBOX__ = undefined;
    await stopMetaSandbox(sandbox);
    throw error;
  }
  globalThis.__INSTANTCHAT_API__ = api;
  // Test files run in workers started after this, which inherit the environment.
  process.env['E2E_BASE_URL'] = api.baseUrl;
  process.env['E2E_API_LOG'] = api.logFile;
  process.env['E2E_SANDBOX_URL'] = sandbox.url;
}
