import type { EnvironmentVariables } from '../../config/app-config';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { startSharedDatabase } from '../../testing/two-instances';
import {
  type InstagramTestEnv,
  startInstagramTestEnv,
} from './instagram-test-env';

export interface TwoInstagramInstances {
  /** The sandbox and the first instance (the one OAuth callbacks return to). */
  env: InstagramTestEnv;
  second: TestApp;
  close(): Promise<void>;
}

/**
 * The Instagram test env with a second API instance beside the first: one embedded database
 * server both point at through MONGO_URI, one TOKEN_ENCRYPTION_KEY (so either can use the tokens
 * the other stored), one Meta sandbox, and whatever `overrides` adds (REDIS_URL, timeouts).
 */
export async function startTwoInstagramInstances(
  overrides: EnvironmentVariables = {},
): Promise<TwoInstagramInstances> {
  const { mongo, shared } = await startSharedDatabase(overrides);
  let env: InstagramTestEnv | undefined;
  try {
    env = await startInstagramTestEnv(() => shared);
    const second = await createTestApp({ ...env.variables, PORT: '0' });
    const started = env;
    return {
      env: started,
      second,
      async close() {
        await second.close();
        await started.close();
        await mongo.stop();
      },
    };
  } catch (error) {
    await env?.close();
    await mongo.stop();
    throw error;
  }
}
