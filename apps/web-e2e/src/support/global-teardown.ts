import { stopApi } from './api-server';

export default async function globalTeardown(): Promise<void> {
  const api = globalThis.__INSTANTCHAT_API__;
  if (api) {
    globalThis.__INSTANTCHAT_API__ = undefined;
    await stopApi(api);
  }
}
