import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { stopApi } from './api-server';
import { stopMetaSandbox } from './meta-sandbox';

export default async function globalTeardown(): Promise<void> {
  const api = globalThis.__INSTANTCHAT_API__;
  if (api) {
    globalThis.__INSTANTCHAT_API__ = undefined;
    await stopApi(api);
  }
  const sandbox = globalThis.__INSTANTCHAT_SANDBOX__;
  if (sandbox) {
    globalThis.__INSTANTCHAT_SANDBOX__ = undefined;
    await stopMetaSandbox(sandbox);
    rmSync(dirname(sandbox.logFile), { recursive: true, force: true });
  }
}
