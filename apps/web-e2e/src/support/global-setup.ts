import { type RunningApi, startApi } from './api-server';

declare global {
  // Shared with global-teardown, which Jest runs in this same process.
  var __INSTANTCHAT_API__: RunningApi | undefined;
}

export default async function globalSetup(): Promise<void> {
  const api = await startApi();
  globalThis.__INSTANTCHAT_API__ = api;
  // Test files run in workers started after this, which inherit the environment.
  process.env['E2E_BASE_URL'] = api.baseUrl;
  process.env['E2E_API_LOG'] = api.logFile;
}
