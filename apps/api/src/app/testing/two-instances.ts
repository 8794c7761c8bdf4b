import {
  startEmbeddedMongo,
  type EmbeddedMongo,
} from '@instantchat/mongo-embedded';
import { randomBytes } from 'node:crypto';
import type { EnvironmentVariables } from '../config/app-config';
import { withDatabaseName } from '../database/database-server';
import { createTestApp, type TestApp } from './test-app';

export interface TwoInstances {
  mongo: EmbeddedMongo;
  first: TestApp;
  second: TestApp;
  /** What both were started with: one database, one token key, and `overrides`. */
  shared: EnvironmentVariables;
  close(): Promise<void>;
}

/**
 * Two API instances as production runs them: one embedded database server (started once, both
 * pointed at it through MONGO_URI), one TOKEN_ENCRYPTION_KEY, and whatever else `overrides` shares
 * (REDIS_URL, limits).
 */
export async function startTwoInstances(
  overrides: EnvironmentVariables = {},
): Promise<TwoInstances> {
  const { mongo, shared } = await startSharedDatabase(overrides);
  const started = await Promise.allSettled([
    createTestApp(shared),
    createTestApp(shared),
  ]);
  const apps = started.flatMap((s) =>
    s.status === 'fulfilled' ? [s.value] : [],
  );
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    await Promise.all(apps.map((app) => app.close()));
    await mongo.stop();
    throw (failure as PromiseRejectedResult).reason;
  }
  const [first, second] = apps;
  return {
    mongo,
    first,
    second,
    shared,
    async close() {
      await Promise.all([first.close(), second.close()]);
      await mongo.stop();
    },
  };
}

/**
 * One embedded database server for several instances, and what they must share to work on the
 * same data: MONGO_URI (a fresh database on it) and TOKEN_ENCRYPTION_KEY, plus `overrides`.
 */
export async function startSharedDatabase(
  overrides: EnvironmentVariables = {},
): Promise<{ mongo: EmbeddedMongo; shared: EnvironmentVariables }> {
  const mongo = await startEmbeddedMongo({ host: '127.0.0.1', port: 0 });
  return {
    mongo,
    shared: {
      MONGO_URI: withDatabaseName(
        mongo.uri,
        `instances_${randomBytes(4).toString('hex')}`,
      ),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...overrides,
    },
  };
}

/** A key prefix of its own, so test runs sharing one Redis never count each other's hits. */
export function testRedisKeyPrefix(): string {
  return `test-${randomBytes(6).toString('hex')}:`;
}
