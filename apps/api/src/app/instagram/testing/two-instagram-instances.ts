import {
  startEmbeddedMongo,
  type EmbeddedMongo,
} from '@instantchat/mongo-embedded';
import { randomBytes } from 'node:crypto';
import type { EnvironmentVariables } from '../../config/app-config';
import { withDatabaseName } from '../../database/database-server';
import { createTestApp, type TestApp } from '../../testing/test-app';
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
  const mongo: EmbeddedMongo = await startEmbeddedMongo({
    host: '127.0.0.1',
    port: 0,
  });
  const shared: EnvironmentVariables = {
    MONGO_URI: withDatabaseName(
      mongo.uri,
      `instances_${randomBytes(4).toString('hex')}`,
    ),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...overrides,
  };
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
